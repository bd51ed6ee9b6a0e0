# Reference values for tests/analysis/test_subgroups.py (subgroup HRs, log-rank and the
# treatment-by-subgroup interaction Wald test, per-arm KM medians with log CIs). Run from the repository root:
#   Rscript tests/analysis/data/subgroup_reference.R > tests/analysis/data/subgroup_reference.json
# R 4.2.2, survival 3.5.3.
suppressMessages(library(survival))
fmt <- function(x) if (is.null(x) || length(x) == 0 || is.na(x)) "null" else sprintf("%.17g", x)
one <- function(name, d, sub) {
  d$arm <- factor(d$arm); d$sub <- factor(d[[sub]])
  fit <- coxph(Surv(time, status) ~ arm * sub, data = d, ties = "efron")
  idx <- grep(":", names(coef(fit)))
  b <- coef(fit)[idx]; V <- vcov(fit)[idx, idx, drop = FALSE]
  w <- as.numeric(t(b) %*% solve(V) %*% b)
  lev <- list()
  for (l in levels(d$sub)) {
    s <- d[d$sub == l, ]
    f <- coxph(Surv(time, status) ~ arm, data = s, ties = "efron")
    lr <- survdiff(Surv(time, status) ~ arm, data = s)
    km <- summary(survfit(Surv(time, status) ~ arm, data = s))$table[, c("median", "0.95LCL", "0.95UCL")]
    med <- sprintf('"medians": {"1": [%s, %s, %s], "2": [%s, %s, %s]}', fmt(km[1, 1]), fmt(km[1, 2]), fmt(km[1, 3]),
                   fmt(km[2, 1]), fmt(km[2, 2]), fmt(km[2, 3]))
    lev[[l]] <- sprintf('"%s": {"hr": %s, "hr_lower": %s, "hr_upper": %s, "p": %s, "logrank_p": %s, %s}', l,
      fmt(exp(coef(f))), fmt(summary(f)$conf.int[, "lower .95"]), fmt(summary(f)$conf.int[, "upper .95"]),
      fmt(summary(f)$coefficients[, "Pr(>|z|)"]), fmt(pchisq(lr$chisq, length(lr$n) - 1, lower.tail = FALSE)), med)
  }
  sprintf('"%s": {"call": "coxph(Surv(time, status) ~ arm * %s, ties = \\"efron\\"); Wald on the interaction block", "interaction_chisq": %s, "interaction_df": %d, "interaction_p": %s, "levels": {%s}}',
          name, sub, fmt(w), length(idx), fmt(pchisq(w, length(idx), lower.tail = FALSE)), paste(unlist(lev), collapse = ", "))
}
ov <- read.csv("tests/data/reference/ovarian.csv"); ov$arm <- ov$rx
ve <- read.csv("tests/data/reference/veteran.csv"); ve$arm <- ve$trt
cat("{", one("ovarian_rx_by_resid_ds", ov, "resid_ds"), ",\n", one("veteran_trt_by_celltype", ve, "celltype"), "}\n")
