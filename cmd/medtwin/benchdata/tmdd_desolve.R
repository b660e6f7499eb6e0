# TMDD (QSS) cohort with deSolve (lsoda, compiled C right-hand side tmdd_qss.c):
# the way an R user without mrgsolve/rxode2 would do it, on the reference
# cohort's dosing (100 every 12 h into the depot, outputs every hour to 336 h,
# log-normal IIV SD 0.3 on every parameter, rtol 1e-8, atol 1e-10; as
# ../shared/bench/cohort/cohort_desolve.R). Usage: Rscript tmdd_desolve.R N DIR
suppressMessages(library(deSolve))
args <- commandArgs(TRUE); N <- as.integer(args[1]); dir <- args[2]
system(sprintf("cd %s && R CMD SHLIB -o tmdd_qss.so tmdd_qss.c >/dev/null 2>&1", dir))
dyn.load(file.path(dir, "tmdd_qss.so"))
set.seed(1)
times <- 0:336
doses <- data.frame(var = "y1", time = seq(0, 324, by = 12), value = 100, method = "add")
typ <- c(ka = 0.01, cl = 0.01, v1 = 3, ksyn = 0.05, kdeg = 0.05, kint = 0.02, kss = 1)
run <- function(p) lsoda(c(y1 = 0, y2 = 0, y3 = p[["ksyn"]] / p[["kdeg"]]), times, func = "derivs", parms = p,
                         dllname = "tmdd_qss", initfunc = "initmod", nout = 0, events = list(data = doses),
                         rtol = 1e-8, atol = 1e-10)
r <- run(typ)
ctyp <- r[337, 3] / typ[["v1"]]
t0 <- proc.time()[["elapsed"]]
last <- numeric(N)
for (i in 1:N) {
  p <- typ * exp(rnorm(7, 0, 0.3))
  r <- run(p)
  last[i] <- r[337, 3] / p[["v1"]]
}
el <- proc.time()[["elapsed"]] - t0
cat(sprintf("desolve subjects=%d wall_s=%.3f subjects_per_s=%.3f ctot_typical_336=%.12g mean_ctot_336=%.6f\n", N, el, N / el, ctyp, mean(last)))
