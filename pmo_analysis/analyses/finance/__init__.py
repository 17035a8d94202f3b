"""Portfolio financials and earned value: pure functions, DataFrames in, DataFrames out.

One module per concern, everything imported from here: :mod:`~pmo_analysis.analyses.finance.cashflows`
(the forecast cash flows, J-curves and S-curves), :mod:`~pmo_analysis.analyses.finance.returns` (ROI, NPV,
IRR, payback and earned value per project; portfolio totals), :mod:`~pmo_analysis.analyses.finance.irr`
(the XNPV and XIRR numerics), :mod:`~pmo_analysis.analyses.finance.selection` (priority scores, funding
need, the portfolio within a budget, the efficient frontier) and
:mod:`~pmo_analysis.analyses.finance.decisions` (the rules and one decision per project) and
:mod:`~pmo_analysis.analyses.finance.robustness` (what flips each decision).

Definitions (the notebooks and ``docs/definitions.md`` say the same in words). Months are dated on
their first day; the *last complete month* is defined in :mod:`pmo_analysis.core.periods`.

Forecast cash flow of a month
    Up to and including the last complete month: the actual cost / benefit where reported, else
    the planned figure (a past month without a reported actual is *accrued* at its plan, the
    assumption the forecast makes anyway). Later months: the planned figures.
    ``net = benefit - cost``.
Benefit figures
    A project *has benefit figures* when at least one of its months has a planned or actual
    benefit other than zero. A project whose benefits are zero (or, for actual_benefit, empty) in
    every month has none: an export writes zeros where benefits were never estimated, so zero
    over a whole life reads as unknown, not as a project that is worth nothing. Within a project
    that has benefit figures, a zero month is a zero. Without benefit figures, total_benefit,
    net_benefit, roi, npv, remaining_npv, pv_benefit, bcr, irr and payback_months are empty
    (``data_needed`` says ``no_benefits``), never 0 or -100%.
total_cost, total_benefit, net_benefit
    Sums of the forecast over all months; ``net_benefit = total_benefit - total_cost``.
roi
    ``net_benefit / total_cost`` (empty when total_cost is 0).
npv (spreadsheet XNPV, lifetime)
    ``sum(CF_i / (1 + r) ** ((d_i - d_0).days / 365))`` with each monthly net flow dated on the
    first day of its month and ``d_0`` the project's first cash-flow month: the project's value at
    its own start.
remaining_npv
    The net flows of the months after the last complete month, discounted to the as-of date:
    ``sum(CF_i / (1 + r) ** ((d_i - as_of).days / 365))`` over those months. Money already spent
    is sunk; stop and re-scope decisions judge this figure. Past flows are never compounded
    forward to as_of.
bcr
    Present value of benefits / present value of costs, discounted as for npv.
irr (spreadsheet XIRR) and irr_roots
    irr_roots counts every annual rate in (-99%, 1,000,000%) at which npv is zero (found exactly:
    flows with at most one sign change have at most one root; others are split at the roots of
    the derivative, recursively, so no two roots hide between grid points). irr is the root
    nearest 10%, as a spreadsheet's iteration from its default guess would find; empty when
    there is no root. Where irr_roots > 1, the IRR is not unique and is shown with its count.
payback_months
    Months from the first cash-flow month through the first month, at or after the first month
    with a cost, whose cumulative forecast net flow is >= 0 (the first month counts as 1); empty
    if it never pays back, or if the project has no cost.
Earned value (PMI) at ``as_of``
    BAC = budget; PV = planned cost through the last complete month; AC = forecast cost through
    it (reported actuals, and the plan for months without one); EV = percent_complete / 100 *
    BAC; CV = EV - AC; SV = EV - PV; CPI = EV / AC; SPI = EV / PV; EAC = BAC / CPI;
    VAC = BAC - EAC; TCPI = (BAC - EV) / (BAC - AC) while AC < BAC, and (BAC - EV) / (EAC - AC)
    once AC >= BAC. Ratios are empty where the denominator is 0 or less. Without percent complete,
    EV and everything derived from it are empty (``no_percent_complete`` for a running or
    completed project). A project with planned costs up to as_of but no actual cost reported for
    any of those months has no AC (``has_actuals`` False, ``no_actuals``): AC, CV, CPI, EAC, VAC
    and TCPI are empty.
months_without_actuals
    Months up to the last complete month with a planned cost but no reported actual cost: the
    months accrued at plan. Shown beside CPI as a data-quality flag.
data_needed
    What a project's figures lack, as reason codes joined with ``","``: no_cashflows,
    no_benefits, no_percent_complete, no_actuals (empty when nothing is missing).
funding_need
    Money still to commit: the budget of a proposed project; max(EAC - AC, 0) of a running one
    (max(BAC - AC, 0) where EAC cannot be computed, with PV for an unknown AC); 0 for a closed one.
Portfolio totals
    Sums; ratios are recomputed from the sums (never averaged), each over the projects that have
    its inputs, and the totals say how many those are (``value_projects`` of ``projects`` for
    ROI and NPV, ``evm_projects`` for CPI and SPI); a figure no project has inputs for is empty.
    Portfolio NPV is the sum of each project's lifetime NPV at its own start, shown beside the
    portfolio's remaining NPV at as_of.
"""

from pmo_analysis.analyses.finance.cashflows import cumulative_cashflow, forecast_cashflows, project_months
from pmo_analysis.analyses.finance.decisions import (
    DECISIONS,
    decide,
    decision_assumptions,
    next_steps,
    recommendations,
)
from pmo_analysis.analyses.finance.irr import irr_roots, xirr, xnpv
from pmo_analysis.analyses.finance.returns import (
    DATA_NEEDED,
    FORECAST_EXPORT_COLUMNS,
    ROI_COLUMNS,
    ROI_EXTRA_COLUMNS,
    earned_value,
    portfolio_totals,
    project_financials,
    roi_by_project,
    roi_export,
    tcpi_reasons,
)
from pmo_analysis.analyses.finance.robustness import ROBUSTNESS_COLUMNS, WEIGHTS, decision_robustness
from pmo_analysis.analyses.finance.selection import efficient_frontier, funding_need, priority_scores, select_portfolio

__all__ = [
    "xnpv",
    "xirr",
    "irr_roots",
    "forecast_cashflows",
    "project_financials",
    "earned_value",
    "tcpi_reasons",
    "roi_by_project",
    "ROI_COLUMNS",
    "ROI_EXTRA_COLUMNS",
    "FORECAST_EXPORT_COLUMNS",
    "roi_export",
    "DATA_NEEDED",
    "portfolio_totals",
    "cumulative_cashflow",
    "project_months",
    "priority_scores",
    "funding_need",
    "select_portfolio",
    "efficient_frontier",
    "recommendations",
    "DECISIONS",
    "decide",
    "decision_assumptions",
    "decision_robustness",
    "ROBUSTNESS_COLUMNS",
    "WEIGHTS",
    "next_steps",
]
