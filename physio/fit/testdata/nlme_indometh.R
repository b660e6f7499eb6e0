# Pinheiro & Bates (2000), Mixed-Effects Models in S and S-PLUS, §6.2
# (indomethacin kinetics; the book's script ch06.R ships with nlme): the
# biexponential SSbiexp(time, A1, lrc1, A2, lrc2) fitted to R's
# datasets::Indometh (Kwan et al. 1976: 6 subjects, 25 mg IV bolus, 11
# levels each), random effects on A1, lrc1 and A2 with a diagonal Ψ (the
# book's fm2Indom.nlme), maximum likelihood. nlme from the book's starting
# values stops at a local optimum (−2 log L −109.17); from a second start
# (A1 2.8, lrc1 1, A2 0.8, lrc2 −0.9) it reaches −111.50, with lrc1's
# variance collapsing to zero. Prints one line per fit: the four fixed
# effects, the three random-effect variances, σ and −2 log L (book start
# first). physio/fit's TestFOCEIIndometh compares its FOCE-I fit with both.
suppressMessages(library(nlme))
fit <- function(start) {
  fm <- suppressWarnings(nlme(conc ~ SSbiexp(time, A1, lrc1, A2, lrc2), data = Indometh,
            fixed = A1 + lrc1 + A2 + lrc2 ~ 1, random = pdDiag(A1 + lrc1 + A2 ~ 1), start = start))
  v <- diag(as.matrix(fm$modelStruct$reStruct[[1]])) * fm$sigma^2
  cat(sprintf("%.12g", c(fixef(fm), v, fm$sigma, -2 * as.numeric(logLik(fm)))), "\n")
}
fit(c(A1 = 2, lrc1 = 0.5, A2 = 0.2, lrc2 = -1.5))
fit(c(A1 = 2.8, lrc1 = 1, A2 = 0.8, lrc2 = -0.9))
