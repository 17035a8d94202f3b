"""Forecasts as ranges, learned from the portfolio's own history: pure functions, DataFrames in,
DataFrames out.

:mod:`~pmo_analysis.analyses.forecast.schedule` (Earned Schedule),
:mod:`~pmo_analysis.analyses.forecast.eac` (independent EACs, their back-test, CPI stability),
:mod:`~pmo_analysis.analyses.forecast.reference` (reference classes, optimism-bias uplift),
:mod:`~pmo_analysis.analyses.forecast.montecarlo` (ranges by simulation) and
:mod:`~pmo_analysis.analyses.forecast.build` (the model's forecast part, from the finance part's
tables). It reads no other analysis: the model passes it the finance part's frames.

Definitions (``docs/definitions.md``, "Forecasts", says the same in words, with the sources).
Months are counted at month ends from a project's *plan start*, its first month with a planned
cost.

Earned Schedule (Lipke 2003; PMI Practice Standard for EVM, 2nd ed. 2011, appendix D)
    PD = planned duration (months of the plan); AT = actual time (months from the plan start to
    the last complete month, or to the last month with a cost for a finished project);
    ES = C + (EV - PV_C) / (PV_C+1 - PV_C), C the number of whole months whose cumulative PV
    the EV has reached; SPI(t) = ES / AT; SV(t) = ES - AT (months); TSPI = (PD - ES) / (PD - AT)
    (empty once AT >= PD); IEAC(t) = PD / SPI(t) (months from the plan start). At the finish of
    a late project SPI is 1 and SPI(t) = PD / AT.
Independent EACs
    AC + (BAC - EV); BAC / CPI; AC + (BAC - EV) / (CPI x SPI); AC + (BAC - EV) / (0.8 CPI +
    0.2 SPI). Back-tested at 25, 50 and 75% complete on the completed projects; the formula
    with the smallest mean absolute error over them is the point forecast (``eac_point``).
    Fewer than MIN_REFERENCE completed projects: BAC / CPI (the stated fallback).
Progress history
    Percent complete is reported once, so EV by month is rebuilt: the work done by month m is
    what the plan scheduled by month m x pace (pace = ES / AT running, PD / actual duration
    finished): the plan's shape at the project's own pace.
CPI stability (Christensen and Payne 1992)
    Stable when every month-end CPI since 20% complete is within 0.10 of the current CPI.
Reference class (Flyvbjerg 2006)
    Final cost / budget and actual / planned duration of the completed projects: the
    department's when it has MIN_REFERENCE (5) of them, the portfolio's when it has, else the
    published default (HM Treasury Green Book optimism bias, equipment and development).
Monte Carlo
    Final cost from the best formula's back-test errors at the nearest progress point (else the
    class's cost ratio on the cost to come); finish from the class's duration ratio on the time
    to come. Each is monotone in one probability per project, so a project's own quantiles are
    exact; DRAWS seeded joint draws, correlated by a one-factor Gaussian copula (CORRELATION) by
    department (the run parameters forecast_draws, forecast_seed, forecast_correlation,
    forecast_correlated_by, forecast_min_reference: :mod:`pmo_analysis.inputs.params`), give the
    sums (cash need), the slips passed along finish-to-start and
    finish-to-finish dependencies, and the chance of missing the planned end.
"""

from pmo_analysis.analyses.forecast.build import Forecast, forecast_portfolio, month_of
from pmo_analysis.analyses.forecast.eac import (
    BACKTEST_POINTS,
    FALLBACK_FORMULA,
    IEAC_FORMULAS,
    backtest_ieac,
    best_formula,
    cpi_stability,
    holdout_coverage,
    ieac,
    progress_history,
)
from pmo_analysis.analyses.forecast.montecarlo import CORRELATION, DRAWS, QUANTILES, SEED, simulate
from pmo_analysis.analyses.forecast.reference import (
    DEFAULT_CLASS,
    MIN_REFERENCE,
    optimism_uplift,
    outcomes,
    reference_classes,
    sample_class,
)
from pmo_analysis.analyses.forecast.schedule import earned_schedule, months_between, plan_matrix

__all__ = [
    "Forecast",
    "forecast_portfolio",
    "month_of",
    "earned_schedule",
    "plan_matrix",
    "months_between",
    "IEAC_FORMULAS",
    "FALLBACK_FORMULA",
    "BACKTEST_POINTS",
    "ieac",
    "progress_history",
    "backtest_ieac",
    "best_formula",
    "cpi_stability",
    "holdout_coverage",
    "MIN_REFERENCE",
    "DEFAULT_CLASS",
    "outcomes",
    "reference_classes",
    "sample_class",
    "optimism_uplift",
    "DRAWS",
    "SEED",
    "CORRELATION",
    "QUANTILES",
    "simulate",
]
