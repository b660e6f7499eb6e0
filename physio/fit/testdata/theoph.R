# Writes theoph.csv, R's datasets::Theoph (Boeckmann, Sheiner & Beal 1994,
# NONMEM Users Guide Part V; 12 subjects, one oral dose of theophylline in
# mg/kg, serum concentrations in mg/L) as a NONMEM data set: one dose row
# (EVID 1, AMT = Dose, CMT 1 = depot) then the observations (EVID 0, CMT 2).
# Run: Rscript theoph.R   (from this folder)
d <- datasets::Theoph
d$Subject <- as.integer(as.character(d$Subject))
rows <- list()
for (id in sort(unique(d$Subject))) {
  s <- d[d$Subject == id, ]
  rows[[length(rows) + 1]] <- data.frame(ID = id, TIME = 0, AMT = s$Dose[1], DV = ".", EVID = 1, MDV = 1, CMT = 1, WT = s$Wt[1])
  rows[[length(rows) + 1]] <- data.frame(ID = id, TIME = s$Time, AMT = 0, DV = as.character(s$conc), EVID = 0, MDV = 0, CMT = 2, WT = s$Wt[1])
}
out <- do.call(rbind, rows)
write.csv(out, "theoph.csv", row.names = FALSE, quote = FALSE)
