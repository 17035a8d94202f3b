"""Paths and defaults shared by the package, the CLI and the notebooks.

Nothing here depends on the current working directory: every path is derived
from the location of this file, so notebooks behave the same whether they are
started from the repository root, from ``notebooks/`` or by papermill.
"""

from __future__ import annotations

import math
from pathlib import Path
from statistics import NormalDist

PROJ_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = PROJ_ROOT / "data"
SAMPLE_DATA_DIR = DATA_DIR / "sample"
NOTEBOOKS_DIR = PROJ_ROOT / "notebooks"
REPORTS_DIR = PROJ_ROOT / "reports"

#: Annual discount rate used for NPV when the analyst gives none.
DEFAULT_DISCOUNT_RATE = 0.08
#: Utilization thresholds (share of capacity).
DEFAULT_OVER_THRESHOLD = 1.0
DEFAULT_UNDER_THRESHOLD = 0.6
#: Months after the last complete month that over-allocation, capacity and funding look at.
DEFAULT_HORIZON_MONTHS = 6
#: The health rules' thresholds (red: off track, amber: at risk), defined here once: the model's
#: parameters default to them, the health and decision rules judge by them, and every chart that
#: draws CPI or SPI draws the run's values of them (the model's ``assumptions`` table).
HEALTH_THRESHOLDS = {
    "cpi_red": 0.85,
    "cpi_amber": 0.95,
    "spi_red": 0.85,
    "spi_amber": 0.95,
    "risk_amber": 4,
    "exposure_amber": 0.1,
}
#: To-complete performance index (TCPI) above which a project page explains in words that the
#: budget is out of reach: the remaining work would need to be done this many times more
#: efficiently than planned. PMI's Practice Standard for Earned Value Management (2nd ed., 2011,
#: section 4.6) reads a TCPI well above 1 (and above the CPI to date) as a budget that cannot be
#: met without a new estimate at completion; 1.2 is the workbook's line (docs/definitions.md, "TCPI").
TCPI_EXTREME = 1.2
#: Share of the budget spent (AC / BAC) from which a project with work left has its budget "all
#: but spent": its page says so in words, with what is left for how much work (docs/definitions.md).
BUDGET_ALL_BUT_SPENT = 0.9
#: The milestone on-time rate (due milestones reached by their baseline date) at or above which the
#: executive summary's tile is good (green), and below which it is bad (red): defined once here, like
#: :data:`HEALTH_THRESHOLDS`, and stated on the tile (docs/definitions.md, "Milestone on-time rate").
MILESTONE_ON_TIME_TARGET = 0.8
#: How many projects the roadmap draws (running and proposed; the rest are counted under it): the
#: most at stake first, off track, then at risk, then waiting for data, then by budget (BAC), so a
#: portfolio of ten thousand projects still reads as a chart (docs/definitions.md, "Roadmap").
ROADMAP_TOP_N = 30
#: Share of the total funding need of the proposed and running projects that the budget cap is
#: when no ``budget_cap`` is given (the default rule the reports state beside the cap).
DEFAULT_BUDGET_SHARE = 0.7
#: The forecast's published default reference class (``docs/definitions.md``, "Forecasts"): HM
#: Treasury's optimism-bias bounds for IT ("equipment and development") projects (Green Book
#: supplementary guidance, Mott MacDonald 2002), final / planned, as (median, 95th percentile) of a
#: lognormal: the lower bound is its median, the upper its 95th percentile. Defined once here; the
#: forecast's classes (:data:`pmo_analysis.analyses.forecast.DEFAULT_CLASS`) and the robustness's
#: fallback (:data:`P80_COST_UPLIFT`) both derive from it.
DEFAULT_CLASS_BOUNDS = {"cost": (1.10, 3.00), "duration": (1.10, 1.54)}


def default_class_quantile(kind: str, q: float) -> float:
    """The ``q`` quantile of the published default class's ratio (``kind`` cost or duration).

    >>> round(default_class_quantile("cost", 0.5), 6), round(default_class_quantile("cost", 0.95), 6)
    (1.1, 3.0)
    """
    median, p95 = DEFAULT_CLASS_BOUNDS[kind]
    sigma = (math.log(p95) - math.log(median)) / NormalDist().inv_cdf(0.95)
    return math.exp(math.log(median) + sigma * NormalDist().inv_cdf(q))


#: The cost overrun at the 80th percentile, used where the forecast cannot range a project (no
#: point forecast, or not running nor proposed): a decision that flips within it is fragile
#: (``docs/definitions.md``, "Decision robustness"). It is the forecast's own published default
#: class at 0.8, less 1 (+84%), so a project the forecast cannot range is judged by the same P80
#: as one whose department has no history: one answer.
P80_COST_UPLIFT = default_class_quantile("cost", 0.8) - 1
#: Above this annual discount rate (100%) a break-even rate is not stated as a figure: a decision
#: that holds up to 3,467.5% a year is worded "holds at any discount rate up to 100% a year", the
#: same fact without a number no reader weighs (``docs/definitions.md``, "Decision robustness").
#: The discount_rate parameter's own upper bound.
BREAK_EVEN_RATE_BOUND = 1.0
#: The forecast's Monte Carlo (``docs/definitions.md``, "Forecasts"): its defaults, the run
#: parameters ``forecast_draws``, ``forecast_seed``, ``forecast_correlation``,
#: ``forecast_correlated_by`` and ``forecast_min_reference`` (:mod:`pmo_analysis.inputs.params`).
#: Joint draws of the portfolio: the cash need's P80 moves less than 1% between seeds.
FORECAST_DRAWS = 2000
#: The seed of the run's draws: the same data gives the same ranges.
FORECAST_SEED = 20_260_630
#: Correlation of two projects' outcomes through the shared factor of a one-factor Gaussian
#: copula: 0 independent, 1 every project of a group over- or under-runs together.
FORECAST_CORRELATION = 0.3
#: Which projects share the factor: each department's, or the whole portfolio's.
FORECAST_CORRELATED_BY = "department"
FORECAST_GROUPS = ("department", "portfolio")
#: Completed projects a reference class needs (and back-tested estimates a progress point needs):
#: with five, the 80th percentile lies between the fourth and fifth outcome.
FORECAST_MIN_REFERENCE = 5
#: Seed of the bundled sample portfolio.
SAMPLE_SEED = 42
#: As-of date the bundled sample portfolio was generated for.
SAMPLE_AS_OF = "2026-06-30"

#: A running project: its status is one of these. Every count of running projects, every health
#: check and every funding decision uses this one definition.
RUNNING_STATUSES = ("active", "on_hold")
#: Closed projects: nothing left to decide or fund.
CLOSED_STATUSES = ("completed", "cancelled")

#: Owner names of lessons-learned actions that mean the same owner: alias -> the one name reports
#: use. Matching ignores case and surrounding spaces. Add a line here when a register writes an
#: owner two ways (see README, "Lessons learned: owners").
OWNER_ALIASES: dict[str, str] = {
    "项目管理办公室": "PMO",
    "Project Management Office": "PMO",
    "Programme Management Office": "PMO",
    "Program Management Office": "PMO",
    "PMO办公室": "PMO",
    "采购部": "Procurement",
    "采购": "Procurement",
    "Purchasing": "Procurement",
    "架构委员会": "Architecture Board",
    "质量保证负责人": "QA Lead",
    "测试负责人": "QA Lead",
    "变更经理": "Change Manager",
    "人力资源业务伙伴": "HR Business Partner",
}
