# An independent MAP reference for physio/fit: the one-compartment oral model
# written out here in R, its MAP objective (combined error,
#   J(η) = Σ ((y − f)/sd)² + log sd² + ηᵀΩ⁻¹η,  sd² = add² + (prop·f)²)
# minimised per subject by R's optim, from η = 0.
# Usage: Rscript map_reference.R DATA.csv tCL tV tKA iCL iV iKA OMEGA ADD PROP METHOD REPS
#   iCL iV iKA: which η (1-based) acts on CL, V and KA (0: none), all as P·exp(η);
#   OMEGA: Ω row by row, comma separated; METHOD: an optim method (BFGS, L-BFGS-B)
#   with tight tolerances, or L-BFGS-B-default: optim's default controls (as a user
#   would call it; what the benchmark times);
#   REPS: how many times the loop over subjects is timed.
# Prints one line per subject, "ID η1 η2 ...", then "seconds_per_subject S" (elapsed)
# and "cpu_seconds_per_subject S" (user + system CPU time, robust to a busy machine).
a <- commandArgs(trailingOnly = TRUE)
d <- read.csv(a[1], na.strings = ".")
tv <- as.numeric(a[2:4]); ie <- as.integer(a[5:7])
om <- as.numeric(strsplit(a[8], ",")[[1]]); k <- round(sqrt(length(om)))
oinv <- solve(matrix(om, k, k))
add <- as.numeric(a[9]); prop <- as.numeric(a[10]); method <- a[11]; reps <- as.integer(a[12])
subj <- lapply(split(d, d$ID), function(s) list(
  id = s$ID[1], dose = s[s$EVID == 1, c("TIME", "AMT")],
  t = s$TIME[s$EVID == 0 & s$MDV == 0], y = s$DV[s$EVID == 0 & s$MDV == 0]))
J <- function(eta, s) {
  p <- tv * exp(ifelse(ie > 0, eta[pmax(ie, 1)], 0))
  cl <- p[1]; v <- p[2]; ka <- p[3]; ke <- cl / v
  f <- numeric(length(s$t))
  for (j in seq_len(nrow(s$dose))) {
    tau <- s$t - s$dose$TIME[j]
    f <- f + ifelse(tau > 0, s$dose$AMT[j] * ka / (v * (ka - ke)) * (exp(-ke * tau) - exp(-ka * tau)), 0)
  }
  sd2 <- add^2 + (prop * f)^2
  sum((s$y - f)^2 / sd2 + log(sd2)) + drop(t(eta) %*% oinv %*% eta)
}
fit <- function(s) {
  if (method == "L-BFGS-B-default") return(optim(rep(0, k), J, s = s, method = "L-BFGS-B")$par)
  ctl <- if (method == "L-BFGS-B") list(factr = 10, pgtol = 0, ndeps = rep(1e-6, k)) else list(reltol = 1e-15, maxit = 1000, ndeps = rep(1e-6, k))
  optim(rep(0, k), J, s = s, method = method, control = ctl)$par
}
est <- lapply(subj, fit)
for (i in seq_along(subj)) cat(subj[[i]]$id, sprintf("%.10f", est[[i]]), "\n")
el <- system.time(for (r in seq_len(reps)) for (s in subj) fit(s))
cat("seconds_per_subject", el[["elapsed"]] / (reps * length(subj)), "\n")
cat("cpu_seconds_per_subject", (el[["user.self"]] + el[["sys.self"]]) / (reps * length(subj)), "\n")
