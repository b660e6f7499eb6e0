# Seconds per fit of fm3Theo.nlme (Pinheiro & Bates 2000 §8.2; see
# nlme_theoph.R): the mean CPU time (user + system) of 20 fits from the
# book's starting values, printed alone on the last line. BenchmarkFOCEITheoph
# reports it beside medtwin's FOCE-I time.
suppressMessages(library(nlme))
Theo <- groupedData(conc ~ Time | Subject, data = Theoph)
fit <- function() nlme(conc ~ SSfol(Dose, Time, lKe, lKa, lCl), data = Theo,
                       fixed = lKe + lKa + lCl ~ 1, random = pdDiag(lKa + lCl ~ 1),
                       start = c(lKe = -2.5, lKa = 0.5, lCl = -3))
invisible(fit())
t <- system.time(for (i in 1:20) fit())
cat((t[["user.self"]] + t[["sys.self"]]) / 20, "\n")
