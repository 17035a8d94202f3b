"""Per-project figures: financial returns (ROI, NPV, BCR, IRR, payback), earned value (PMI), both
joined with the project's attributes, and portfolio or group totals.

The definitions are written in :mod:`pmo_analysis.analyses.finance`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pmo_analysis.analyses.finance.cashflows import _forecast
from pmo_analysis.analyses.finance.irr import _vector_irr
from pmo_analysis.analyses.finance.selection import funding_need
from pmo_analysis.core.config import BUDGET_ALL_BUT_SPENT, TCPI_EXTREME
from pmo_analysis.core.periods import last_complete_month, years_after
from pmo_analysis.core.wording import Reason, join

__all__ = [
    "project_financials",
    "earned_value",
    "tcpi_reasons",
    "ROI_COLUMNS",
    "ROI_EXTRA_COLUMNS",
    "roi_export",
    "FORECAST_EXPORT_COLUMNS",
    "roi_by_project",
    "portfolio_totals",
]


def _safe_div(num, den, *, positive: bool = False):
    num = pd.Series(num, dtype="float64") if not isinstance(num, pd.Series) else num.astype("float64")
    den = pd.Series(den, dtype="float64", index=num.index) if not isinstance(den, pd.Series) else den.astype("float64")
    return num.div(den.where(den > 0 if positive else den != 0))


def project_financials(
    cashflows: pd.DataFrame, *, as_of, discount_rate: float = 0.08, forecast: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Financial returns per project from the forecast cash flows.

    Returns one row per project_id with total_cost, total_benefit, net_benefit, roi, npv,
    remaining_npv, pv_cost, pv_benefit, bcr, irr, irr_roots, payback_months, has_benefits,
    months_without_actuals, first_period and last_period. See :mod:`pmo_analysis.analyses.finance` for
    each definition. A project without benefit figures (``has_benefits`` False: every month's
    planned and actual benefit is zero or empty) has every figure that needs them empty (total and
    net benefit, roi, npv, remaining_npv, pv_benefit, bcr, irr, payback_months), never 0 or -100%.

    Examples
    --------
    >>> from pmo_analysis import load_portfolio
    >>> from pmo_analysis.core.config import SAMPLE_DATA_DIR
    >>> p = load_portfolio(SAMPLE_DATA_DIR)
    >>> fin = project_financials(p.cashflows, as_of="2026-06-30")
    >>> len(fin), round(float(fin["remaining_npv"].sum()) / 1e6, 2), int(fin["has_benefits"].sum())
    (40, 39.43, 37)
    """
    if not np.isfinite(discount_rate) or discount_rate <= -1:
        raise ValueError(f"discount_rate must be a number greater than -1, got {discount_rate!r}")
    f = _forecast(cashflows, as_of, forecast)
    codes, uniques = pd.factorize(f["project_id"], sort=True)
    n = len(uniques)
    first = f.groupby(codes)["period"].transform("min")
    f["t"] = years_after(f["period"], first)
    disc = (1.0 + discount_rate) ** f["t"].to_numpy()
    t_as_of = years_after(f["period"], pd.Timestamp(as_of).normalize())
    net_as_of = f["net"].to_numpy() / (1.0 + discount_rate) ** t_as_of
    future = (f["period"] > last_complete_month(as_of)).to_numpy()

    def total(weights) -> np.ndarray:
        return np.bincount(codes, weights=np.asarray(weights, dtype=float), minlength=n)

    out = pd.DataFrame(index=pd.Index(uniques, name="project_id"))
    has = _has_benefits(f, codes, n)
    out["total_cost"] = total(f["cost"])
    out["total_benefit"] = total(f["benefit"])
    out["net_benefit"] = out["total_benefit"] - out["total_cost"]
    out["roi"] = _safe_div(out["net_benefit"], out["total_cost"])
    out["pv_cost"] = total(f["cost"].to_numpy() / disc)
    out["pv_benefit"] = total(f["benefit"].to_numpy() / disc)
    out["npv"] = out["pv_benefit"] - out["pv_cost"]
    out["remaining_npv"] = total(np.where(future, net_as_of, 0.0))
    out["bcr"] = _safe_div(out["pv_benefit"], out["pv_cost"])
    out = out.join(_vector_irr(f[["project_id", "t", "net"]]))
    # payback: the first month, at or after the first cost, whose cumulative net is >= 0
    cum = f.groupby(codes)["net"].cumsum()
    cost_started = f.groupby(codes)["cost"].cumsum() > 0
    months = (f["period"].dt.year - first.dt.year) * 12 + (f["period"].dt.month - first.dt.month) + 1
    paid = pd.Series(np.where((cum >= -1e-9) & cost_started, months.to_numpy(), np.nan))
    out["payback_months"] = paid.groupby(codes).min().to_numpy()
    out["payback_months"] = out["payback_months"].astype("Int64")
    # missing is not zero: without benefit figures, no figure that needs them
    needs_benefits = ["total_benefit", "net_benefit", "roi", "pv_benefit", "npv", "remaining_npv", "bcr", "irr"]
    out.loc[~has, needs_benefits] = np.nan
    out.loc[~has, "irr_roots"] = 0
    out.loc[~has, "payback_months"] = pd.NA
    out["has_benefits"] = has
    out["months_without_actuals"] = total(f["accrued"]).astype(int)
    out["first_period"] = f.groupby(codes)["period"].min().to_numpy()
    out["last_period"] = f.groupby(codes)["period"].max().to_numpy()
    return out.reset_index()


def _has_benefits(f: pd.DataFrame, codes: np.ndarray, n: int) -> np.ndarray:
    """Per project (in ``codes`` order): whether any month has a planned or actual benefit other
    than zero. Zero and empty benefits in every month read as "no benefit figures": an export
    writes either where benefits were never estimated (see ``docs/definitions.md``).
    """
    benefit = f["planned_benefit"].fillna(0.0).abs()
    if "actual_benefit" in f.columns:
        benefit = benefit + f["actual_benefit"].fillna(0.0).abs()
    return np.bincount(codes, weights=benefit.to_numpy(dtype=float), minlength=n) > 0


def earned_value(
    projects: pd.DataFrame, cashflows: pd.DataFrame, *, as_of, forecast: pd.DataFrame | None = None
) -> pd.DataFrame:
    """PMI earned-value figures per project at ``as_of`` (see :mod:`pmo_analysis.analyses.finance`).

    AC counts the planned cost of a past month without a reported actual (``ac_reported`` is
    the reported part alone). Projects without cash flows get PV = AC = 0. Where
    ``percent_complete`` is absent or empty, EV and everything derived from it are empty. Where a
    project had planned costs up to as_of but no actual cost is reported for any of those months,
    AC is unknown (``has_actuals`` False): AC and everything derived from it (CV, CPI, EAC, VAC,
    TCPI) are empty, never the plan passed off as an actual.
    """
    f = _forecast(cashflows, as_of, forecast)
    past = f.loc[f["period"] <= last_complete_month(as_of)]
    g = past.groupby("project_id")
    pv, ac = g["planned_cost"].sum(), g["cost"].sum()
    actual = past["actual_cost"] if "actual_cost" in past.columns else pd.Series(np.nan, index=past.index)
    reported = actual.groupby(past["project_id"]).sum()
    months_reported = actual.notna().groupby(past["project_id"]).sum()
    out = projects[["project_id"]].copy()
    out["bac"] = projects["budget"].astype(float)
    out["pv"] = out["project_id"].map(pv).fillna(0.0).astype(float)
    out["ac"] = out["project_id"].map(ac).fillna(0.0).astype(float)
    out["ac_reported"] = out["project_id"].map(reported).fillna(0.0).astype(float)
    out["has_actuals"] = (out["project_id"].map(months_reported).fillna(0) > 0) | (out["pv"] <= 0)
    out["ac"] = out["ac"].where(out["has_actuals"])
    pct = projects["percent_complete"] if "percent_complete" in projects.columns else np.nan
    out["ev"] = pd.Series(pct, index=projects.index, dtype=float) / 100.0 * out["bac"]
    out["cv"] = out["ev"] - out["ac"]
    out["sv"] = out["ev"] - out["pv"]
    out["cpi"] = _safe_div(out["ev"], out["ac"])
    out["spi"] = _safe_div(out["ev"], out["pv"])
    out["eac"] = _safe_div(out["bac"], out["cpi"], positive=True)
    out["vac"] = out["bac"] - out["eac"]
    over_budget = out["ac"] >= out["bac"]
    out["tcpi"] = _safe_div(
        out["bac"] - out["ev"], (out["eac"] - out["ac"]).where(over_budget, out["bac"] - out["ac"]), positive=True
    )
    return out.reset_index(drop=True)


def tcpi_reasons(
    ev: pd.DataFrame, *, extreme: float = TCPI_EXTREME, all_but_spent: float = BUDGET_ALL_BUT_SPENT
) -> pd.Series:
    r"""An extreme TCPI in words, one text per row of ``ev`` (``""`` where there is nothing to say).

    ``ev`` has bac, ev, ac, cpi, eac and tcpi (:func:`earned_value`) and percent_complete. Only a
    project with work left (EV < BAC) and a TCPI is worded:

    * ``budget_spent``: AC >= BAC, the budget is spent (TCPI is then measured against the EAC):
      how much more finishing needs on the current CPI (EAC - AC);
    * ``budget_all_but_spent``: AC >= ``all_but_spent`` x BAC
      (:data:`~pmo_analysis.core.config.BUDGET_ALL_BUT_SPENT`) and TCPI > 1 (less budget left than
      planned work): the share spent, and the budget left (BAC - AC) against the planned work left
      (BAC - EV), TCPI times the efficiency planned;
    * ``tcpi_above``: TCPI > ``extreme`` (:data:`~pmo_analysis.core.config.TCPI_EXTREME`): the same
      without the budget nearly spent.

    Examples
    --------
    PRJ-019 of the sample: $3.56M of its $3.64M spent at 65% complete.

    >>> ev = pd.DataFrame({"bac": [3_641_000.0, 100.0, 100.0, 100.0], "ev": [2_366_650.0, 50.0, 50.0, 100.0],
    ...                    "ac": [3_564_685.3, 60.0, 110.0, 90.0], "percent_complete": [65.0, 50.0, 50.0, 100.0]})
    >>> ev["cpi"] = ev["ev"] / ev["ac"]
    >>> ev["eac"] = ev["bac"] / ev["cpi"]
    >>> ev["tcpi"] = [1_274_350 / 76_314.7, 50 / 40, 50 / (220 - 110), 0.0]
    >>> import textwrap
    >>> for text in tcpi_reasons(ev):
    ...     print("\n  ".join(textwrap.wrap(text, 100)) or "-")
    the budget is all but spent: 98% of 3.6M at 65% complete; the 76k left must pay for 1.3M of planned
      work, 16.7 times the efficiency planned (CPI so far 0.66)
    to finish within the budget, the 40 left must pay for 50 of planned work: 1.2 times the efficiency
      planned (CPI so far 0.83)
    the budget is spent: 110 against a budget of 100 at 50% complete; on the current CPI of 0.45
      finishing needs 110 more (EAC 220)
    -
    """
    left = ev["bac"] - ev["ac"]
    work = ev["bac"] - ev["ev"]
    pending = (work > 0) & ev["tcpi"].notna()
    spent = pending & (ev["ac"] >= ev["bac"])
    all_but = pending & ~spent & (ev["ac"] >= all_but_spent * ev["bac"]) & (ev["tcpi"] > 1)
    above = pending & ~spent & ~all_but & (ev["tcpi"] > extreme)
    pct = ev["percent_complete"] / 100.0 if "percent_complete" in ev else pd.Series(np.nan, index=ev.index)
    return join(
        [
            (
                spent,
                Reason(
                    "budget_spent",
                    spent=ev["ac"],
                    bac=ev["bac"],
                    pct=pct,
                    cpi=ev["cpi"],
                    more=ev["eac"] - ev["ac"],
                    eac=ev["eac"],
                ),
            ),
            (
                all_but,
                Reason(
                    "budget_all_but_spent",
                    share=ev["ac"] / ev["bac"],
                    bac=ev["bac"],
                    pct=pct,
                    left=left,
                    work=work,
                    tcpi=ev["tcpi"],
                    cpi=ev["cpi"],
                ),
            ),
            (above, Reason("tcpi_above", left=left, work=work, tcpi=ev["tcpi"], cpi=ev["cpi"])),
        ],
        index=ev.index,
    )


ROI_COLUMNS = [
    "project_id",
    "name",
    "department",
    "status",
    "strategic_objective",
    "strategic_alignment",
    "risk_score",
    "total_cost",
    "total_benefit",
    "net_benefit",
    "roi",
    "npv",
    "irr",
    "bcr",
    "payback_months",
    "bac",
    "pv",
    "ev",
    "ac",
    "cpi",
    "spi",
    "cv",
    "sv",
    "eac",
    "vac",
    "tcpi",
]
#: Columns added after :data:`ROI_COLUMNS` (and the optional project attributes).
ROI_EXTRA_COLUMNS = [
    "remaining_npv",
    "irr_roots",
    "months_without_actuals",
    "ac_reported",
    "funding_need",
    "pv_cost",
    "pv_benefit",
    "has_benefits",
    "has_actuals",
    "data_needed",
]

#: The forecast part's columns (:mod:`pmo_analysis.analyses.forecast`) the model's projects carry
#: after their own, exported at the end of ``roi_by_project.csv``.
FORECAST_EXPORT_COLUMNS = (
    "spi_t",
    "sv_t",
    "tspi",
    "ieac_t",
    "finish_ieac_t",
    "ieac_ac_plus_remaining",
    "ieac_bac_over_cpi",
    "ieac_cpi_times_spi",
    "ieac_composite_80_20",
    "eac_point",
    "eac_formula",
    "cpi_stable",
    "reference_class",
    "reference_projects",
    "cost_p10",
    "cost_p50",
    "cost_p80",
    "cost_p90",
    "finish_p10",
    "finish_p50",
    "finish_p80",
    "finish_p90",
    "planned_finish",
    "remaining_npv_p10",
    "remaining_npv_p50",
    "remaining_npv_p80",
    "remaining_npv_p90",
    "miss_probability",
    "cost_basis",
    "uplift_p50",
    "uplift_p80",
    "npv_p50",
    "npv_p80",
    "forecast_reason",
)

#: Project attributes the ROI report exports beside :data:`ROI_COLUMNS` and :data:`ROI_EXTRA_COLUMNS`.
EXPORTED_ATTRIBUTES = ("sponsor", "manager", "percent_complete", "start_date", "end_date")


def roi_export(projects: pd.DataFrame) -> pd.DataFrame:
    """The model's projects as the ROI report exports them (``roi_by_project.csv``): the ROI and
    earned-value columns and :data:`EXPORTED_ATTRIBUTES`, in the model's column order.
    """
    keep = {*ROI_COLUMNS, *ROI_EXTRA_COLUMNS, *EXPORTED_ATTRIBUTES}
    own = [c for c in projects.columns if c in keep]
    return projects[own + [c for c in FORECAST_EXPORT_COLUMNS if c in projects.columns]]


#: What a project's figures may lack, as :class:`pmo_analysis.core.wording.Reason` codes, in the
#: order :func:`roi_by_project` lists them in ``data_needed``.
DATA_NEEDED = ("no_cashflows", "no_benefits", "no_percent_complete", "no_actuals")

#: Statuses whose earned value needs a percent complete (a proposed or cancelled project has none).
_NEEDS_PROGRESS = ("active", "on_hold", "completed")


def roi_by_project(
    projects: pd.DataFrame,
    cashflows: pd.DataFrame,
    *,
    as_of,
    discount_rate: float = 0.08,
    forecast: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per project: its attributes, financial returns and earned value.

    Projects without any cash flow keep empty financial figures. Columns: :data:`ROI_COLUMNS`,
    then sponsor, manager, percent_complete, start_date, end_date where the projects table has
    them, then :data:`ROI_EXTRA_COLUMNS`.

    ``data_needed`` lists, as :data:`DATA_NEEDED` codes joined with ``","`` (empty when nothing is
    missing), what the project's figures lack: ``no_cashflows`` (no cash flow at all: no financial
    figure), ``no_benefits`` (``has_benefits`` False: no ROI, NPV, BCR, IRR or payback),
    ``no_percent_complete`` (a running or completed project without percent complete: no EV,
    CPI, SPI, EAC) and ``no_actuals`` (``has_actuals`` False: no AC, CPI, EAC).

    Examples
    --------
    >>> from pmo_analysis import load_portfolio
    >>> from pmo_analysis.core.config import SAMPLE_DATA_DIR
    >>> p = load_portfolio(SAMPLE_DATA_DIR)
    >>> r = roi_by_project(p.projects, p.cashflows, as_of="2026-06-30").set_index("project_id")
    >>> r.loc["PRJ-002", "status"], float(r.loc["PRJ-002", "roi"]), r.loc["PRJ-002", "data_needed"]
    ('cancelled', nan, 'no_benefits')
    """
    f = _forecast(cashflows, as_of, forecast)
    fin = project_financials(cashflows, as_of=as_of, discount_rate=discount_rate, forecast=f)
    ev = earned_value(projects, cashflows, as_of=as_of, forecast=f)
    out = projects.merge(fin, on="project_id", how="left").merge(ev, on="project_id", how="left")
    for c in ("strategic_objective", "strategic_alignment", "risk_score"):
        if c not in out.columns:
            out[c] = np.nan
    out["months_without_actuals"] = out["months_without_actuals"].fillna(0).astype(int)
    out["irr_roots"] = out["irr_roots"].fillna(0).astype(int)
    no_cashflows = out["total_cost"].isna()
    out["has_benefits"] = out["has_benefits"].astype("boolean").fillna(False).astype(bool)
    out["has_actuals"] = out["has_actuals"].astype(bool)
    pct = out["percent_complete"] if "percent_complete" in out.columns else pd.Series(np.nan, index=out.index)
    missing = {
        "no_cashflows": no_cashflows,
        "no_benefits": ~out["has_benefits"] & ~no_cashflows,
        "no_percent_complete": pct.isna() & out["status"].isin(_NEEDS_PROGRESS),
        "no_actuals": ~out["has_actuals"],
    }
    out["data_needed"] = _codes(missing, out.index)
    out["funding_need"] = funding_need(out)
    attrs = [c for c in ("sponsor", "manager", "percent_complete", "start_date", "end_date") if c in out.columns]
    return out[ROI_COLUMNS + attrs + ROI_EXTRA_COLUMNS]


def _codes(masks: dict[str, pd.Series], index: pd.Index) -> pd.Series:
    """For each row, the codes whose mask is true, joined with ``","`` (``""`` for none)."""
    out = pd.Series("", index=index, dtype=object)
    for code, mask in masks.items():
        m = mask.fillna(False).astype(bool).to_numpy()
        out[m] = np.where(out[m] == "", code, out[m] + "," + code)
    return out


def portfolio_totals(roi: pd.DataFrame, *, by: str | list[str] | None = None) -> pd.DataFrame:
    """Portfolio (or per-group) totals: sums, and ratios recomputed from the sums (never averaged),
    each over the projects that have its inputs, with how many they are.

    ``projects`` counts every project; ``total_cost``, ``bac`` and ``pv`` sum them all.
    ``value_projects`` counts those with benefit figures (a lifetime ``npv``) and ``value_cost``
    is their cost: ``total_benefit``, ``net_benefit``, ``npv``, ``remaining_npv`` and
    ``pv_benefit`` sum them alone, and ``roi = sum(net_benefit) / value_cost``; all are empty when
    no project has benefit figures (unknown, not a loss of 100%). ``npv`` is the sum of each
    project's lifetime NPV at its own first cash-flow month, never past flows compounded forward
    to as_of; ``remaining_npv`` the sum of the flows after the last complete month, at as_of.
    ``evm_projects`` counts those with both EV and AC: ``cpi = sum(ev) / sum(ac)`` and
    ``spi = sum(ev) / sum(pv)`` over them; ``ac`` sums the projects with actuals (empty if none).

    Examples
    --------
    >>> roi = pd.DataFrame({"total_cost": [100.0, 50.0], "net_benefit": [20.0, np.nan],
    ...                     "total_benefit": [120.0, np.nan], "npv": [10.0, np.nan],
    ...                     "ev": [40.0, np.nan], "ac": [50.0, 10.0], "pv": [40.0, 10.0]})
    >>> t = portfolio_totals(roi).iloc[0]
    >>> [float(t[c]) for c in ("projects", "value_projects", "total_cost", "value_cost", "roi", "npv", "cpi")]
    [2.0, 1.0, 150.0, 100.0, 0.2, 10.0, 0.8]
    """
    df = roi.copy()
    has_value = df["npv"].notna() if "npv" in df.columns else pd.Series(False, index=df.index)
    df["value_projects"] = has_value.astype(int)
    df["value_cost"] = df["total_cost"].where(has_value)
    has_ev = df["ev"].notna() & df["ac"].notna()
    df["evm_projects"] = has_ev.astype(int)
    df["ev"] = df["ev"].where(has_ev)
    df["ev_ac"] = df["ac"].where(has_ev)
    df["ev_pv"] = df["pv"].where(has_ev)
    counts = ["value_projects", "evm_projects"]
    sums = ["total_cost", "bac", "pv", "funding_need", "pv_cost"]  # every project has these
    partial = [  # only some projects have these: empty when none has
        "value_cost",
        "total_benefit",
        "net_benefit",
        "npv",
        "remaining_npv",
        "pv_benefit",
        "ac",
        "ev",
        "ev_ac",
        "ev_pv",
    ]
    sums = [c for c in sums if c in df.columns]
    partial = [c for c in partial if c in df.columns]
    if by is None:
        g = pd.concat([df[counts + sums].sum(), df[partial].sum(min_count=1)]).to_frame().T
        g.insert(0, "projects", len(df))
    else:
        grouped = df.groupby(by, dropna=False, observed=True)
        g = grouped[counts + sums].sum().join(grouped[partial].sum(min_count=1))
        g.insert(0, "projects", grouped.size())
        g = g.reset_index()
    for c in ["projects", *counts]:
        g[c] = g[c].astype(int)
    g["roi"] = _safe_div(g["net_benefit"], g["value_cost"])
    g["cpi"] = _safe_div(g["ev"], g["ev_ac"])
    g["spi"] = _safe_div(g["ev"], g["ev_pv"])
    return g.drop(columns=["ev_ac", "ev_pv"])
