# Pinheiro & Bates (2000), Mixed-Effects Models in S and S-PLUS, §8.2
# (pp. 352–365; the book's script ch08.R ships with nlme): the first-order
# open model of the theophylline data in the lKe, lKa, lCl parameterisation
# (SSfol), the book's final fm3Theo.nlme: random effects on lKa and lCl only,
# diagonal Ψ (pdDiag), maximum likelihood. Prints the population values and
# each subject's random effects (the conditional modes b̂ᵢ that physio/fit's
# theoph test compares its MAP η with). Needs R's recommended package nlme.
library(nlme)
Theo <- groupedData(conc ~ Time | Subject, data = Theoph)
fm2 <- nlme(conc ~ SSfol(Dose, Time, lKe, lKa, lCl), data = Theo,
            fixed = lKe + lKa + lCl ~ 1, random = pdDiag(lKe + lKa + lCl ~ 1),
            start = c(lKe = -2.5, lKa = 0.5, lCl = -3))
fm3 <- update(fm2, random = pdDiag(lKa + lCl ~ 1))
options(digits = 12)
print(fixef(fm3))
print(as.matrix(fm3$modelStruct$reStruct[[1]]) * fm3$sigma^2)
print(fm3$sigma)
r <- ranef(fm3)
print(r[order(as.integer(rownames(r))), ])
