"""Decisions: what the rules say of each project (stop, reject, re-scope, re-plan), then one
decision per project within the budget, with its reasons in the report language (reasons with
their values, worded by :mod:`pmo_analysis.core.wording`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pmo_analysis.analyses.finance.selection import _candidates, _objective_column, select_portfolio
from pmo_analysis.core.config import DEFAULT_BUDGET_SHARE, HEALTH_THRESHOLDS, RUNNING_STATUSES
from pmo_analysis.core.wording import Reason, join, word

__all__ = ["recommendations", "DECISIONS", "decide", "decision_assumptions", "next_steps"]

_RUNNING = RUNNING_STATUSES


def recommendations(
    roi: pd.DataFrame,
    *,
    cpi_threshold: float = HEALTH_THRESHOLDS["cpi_red"],
    spi_threshold: float = HEALTH_THRESHOLDS["spi_red"],
    low_alignment: int = 2,
) -> pd.DataFrame:
    """What the rules say of each proposed, active and on-hold project, with reasons in words.

    Rules, on forward-looking value (``remaining_npv``: money already spent is sunk):

    * stop (a running project) or reject (a proposed one): remaining_npv < 0 and
      strategic_alignment <= ``low_alignment``;
    * re-scope: cpi < ``cpi_threshold`` (cost overrun), or remaining_npv < 0 with higher
      alignment, or (a proposed project) no payback within the forecast horizon; for a running
      project "never pays back" is stated as a reason but the remaining NPV decides;
    * re-plan: spi < ``spi_threshold`` (behind schedule).

    A rule whose input is missing does not fire (missing is not zero): an n/a CPI is no overrun,
    an n/a remaining NPV is not negative, and a project with no benefits (NPV n/a) is not said
    never to pay back.

    Returns project_id, name, department, status, recommendation ('' where no rule fires),
    reason, remaining_npv, npv, cpi, spi, strategic_alignment, one row per project given that
    is proposed, active or on hold.
    """
    df = roi.loc[roi["status"].isin(("proposed", *_RUNNING))].copy()
    value = df["remaining_npv"]
    neg = value < 0
    low = df["strategic_alignment"] <= low_alignment
    never = df["payback_months"].isna() & df["total_cost"].gt(0) & df["npv"].notna()
    # no EAC where CPI is 0 (nothing earned yet): the overrun is then not forecast
    gap = df["eac"] - df["bac"]
    over_cost = word(Reason("cpi_below", value=df["cpi"], threshold=cpi_threshold)) + word(
        Reason("forecast_overrun", amount=gap), where=gap.notna()
    )
    # the reasons with their values, worded by pmo_analysis.core.wording in the report language
    reasons = [
        (neg, Reason("negative_remaining_npv", value=value)),
        (neg & low, Reason("low_alignment", value=df["strategic_alignment"])),
        (df["cpi"] < cpi_threshold, over_cost),
        (df["spi"] < spi_threshold, Reason("spi_below", value=df["spi"], threshold=spi_threshold)),
        (never, Reason("never_pays_back")),
    ]
    stop = np.where(df["status"] == "proposed", "reject", "stop")
    # lifetime payback is forward-looking only for a project not yet started; for a running one
    # it is said, and the remaining NPV decides
    never_ahead = never & (df["status"] == "proposed")
    action = np.select(
        [neg & low, (df["cpi"] < cpi_threshold) | neg | never_ahead, df["spi"] < spi_threshold],
        [stop, "re-scope", "re-plan"],
        "",
    )
    df["recommendation"] = action
    df["reason"] = join(reasons, index=df.index)
    order = {"stop": 0, "reject": 0, "re-scope": 1, "re-plan": 2, "": 3}
    df = df.assign(_o=df["recommendation"].map(order)).sort_values(["_o", "remaining_npv"])
    return df[
        [
            "project_id",
            "name",
            "department",
            "status",
            "recommendation",
            "reason",
            "remaining_npv",
            "npv",
            "cpi",
            "spi",
            "strategic_alignment",
        ]
    ].reset_index(drop=True)


#: Decisions, in the order leadership reads them, with what each means.
DECISIONS = {
    "stop": "running project the rules stop: its remaining value is negative and it serves "
    "strategy poorly; stopping frees its funding need",
    "reject": "proposed project the rules reject, for the same reasons",
    "re-scope": "funded, on condition of a smaller or cheaper scope (cost overrun, negative "
    "remaining value, or no payback)",
    "re-plan": "funded, on condition of a new schedule (behind schedule)",
    "fund": "proposed project funded within the budget cap",
    "continue": "running project funded within the budget cap, no rule fired",
    "defer": "not funded within the budget cap: a proposed project waits, a running one pauses unless money is found",
    "data needed": "its value cannot be judged (no benefits: NPV n/a): neither ranked for funding nor stopped until "
    "the data is there",
    "closed": "completed or cancelled: nothing to decide",
}


def decide(
    roi: pd.DataFrame,
    *,
    budget_cap: float | None = None,
    budget_share: float = DEFAULT_BUDGET_SHARE,
    objective: str = "score",
    cpi_threshold: float = HEALTH_THRESHOLDS["cpi_red"],
    spi_threshold: float = HEALTH_THRESHOLDS["spi_red"],
    low_alignment: int = 2,
) -> tuple[pd.DataFrame, float]:
    """One decision per project (see :data:`DECISIONS`): the rules first, then the budget.

    ``roi`` is :func:`priority_scores` of :func:`roi_by_project`. The rules of
    :func:`recommendations` stop or reject a project; a project whose value is unknown (NPV n/a:
    no benefits) is "data needed"; the others compete for ``budget_cap`` (default: ``budget_share``
    of the candidates' total funding need) in :func:`select_portfolio`. A stopped project is never
    funded. Returns the decisions (project_id, name, status, decision, funded, funding_need,
    remaining_npv, npv, score, reason, rule, rank) and the budget cap used.

    The reason fits the project's state: a running project that is stopped is "not funded
    further", a proposed one that is rejected "not funded".
    """
    recs = recommendations(roi, cpi_threshold=cpi_threshold, spi_threshold=spi_threshold, low_alignment=low_alignment)
    df = roi.merge(recs[["project_id", "recommendation", "reason"]], on="project_id", how="left")
    df["recommendation"] = df["recommendation"].fillna("")
    df["reason"] = df["reason"].fillna("")
    df["decision"] = np.where(df["recommendation"].isin(("stop", "reject")), df["recommendation"], "")
    open_ = df["status"].isin(("proposed", *_RUNNING))
    unknown = open_ & (df["decision"] == "") & df["npv"].isna()  # no benefits (or no flows): value unknown
    df.loc[unknown, "decision"] = "data needed"
    cand = _candidates(df)
    total_need = float(cand["funding_need"].sum())
    cap = float(budget_share * total_need if budget_cap is None else budget_cap)
    sel = select_portfolio(df, budget_cap=cap, objective=objective)
    chosen = set(sel.loc[sel["selected"], "project_id"])
    col = _objective_column(objective)
    df["funded"] = df["project_id"].isin(chosen)
    running = df["status"].isin(_RUNNING)
    is_cand = df["project_id"].isin(cand["project_id"])
    funded_kind = np.where(
        df["recommendation"].isin(("re-scope", "re-plan")), df["recommendation"], np.where(running, "continue", "fund")
    )
    df["decision"] = np.select(
        [df["decision"] != "", ~open_, df["funded"], is_cand],
        [df["decision"], "closed", funded_kind, "defer"],
        "closed",
    )
    # why: the rules' reasons (stopped, or funded on condition), then the budget's, with their values
    # (worded by pmo_analysis.core.wording in the report language)
    need = df["funding_need"]
    value = (
        Reason("priority_score", score=df["score"])
        if col == "score"
        else Reason("remaining_npv", value=df["remaining_npv"])
    )
    worthless = df[col].fillna(0) <= 0
    stopped, closed = df["decision"].isin(("stop", "reject")), df["decision"] == "closed"
    needed = df["decision"] == "data needed"
    budget = ~stopped & ~closed & ~needed
    proposed = df["status"] == "proposed"
    df["reason"] = join(
        [
            (~closed, df["reason"]),
            (needed & df["total_cost"].notna(), Reason("needs_benefits")),
            (needed & df["total_cost"].isna(), Reason("needs_cash_flows")),
            (needed, Reason("data_needed_not_ranked")),
            (stopped & ~proposed, Reason("not_funded_further", need=need)),
            (stopped & proposed, Reason("not_started_not_funded", need=need)),
            (closed, Reason("closed", status=df["status"])),
            (budget & df["funded"], Reason("funded", value=value, need=need)),
            (
                budget & ~df["funded"] & worthless,
                Reason("not_funded_no_score") if col == "score" else Reason("not_funded_no_npv"),
            ),
            (budget & ~df["funded"] & ~worthless, Reason("not_funded_cap", cap=cap, value=value, need=need)),
        ],
        index=df.index,
    )
    df["rule"] = df["recommendation"]
    order = {k: i for i, k in enumerate(DECISIONS)}
    df["rank"] = df["decision"].map(order)
    df = df.sort_values(["rank", "funding_need"], ascending=[True, False], kind="stable")
    cols = [
        "project_id",
        "name",
        "status",
        "decision",
        "funded",
        "funding_need",
        "remaining_npv",
        "npv",
        "score",
        "reason",
        "rule",
        "rank",
    ]
    return df[cols].reset_index(drop=True), cap


def decision_assumptions(
    decisions: pd.DataFrame,
    *,
    cap: float,
    budget_cap: float | None,
    budget_share: float = DEFAULT_BUDGET_SHARE,
    discount_rate: float,
    horizon_months: int,
    thresholds: dict[str, float] | None = None,
) -> pd.DataFrame:
    """The assumptions behind the decisions and the health rules, one row: budget_cap (the cap
    used), budget_cap_source ("parameter" when ``budget_cap`` was given, else "default"),
    budget_share and total_need (the default rule: ``budget_share`` of the total funding need of
    the projects that compete for funding), discount_rate, horizon_months and each health
    threshold (:data:`pmo_analysis.core.config.HEALTH_THRESHOLDS`, or ``thresholds``).

    ``decisions`` is the first result of :func:`decide`, ``cap`` its second. Every report that
    states an assumption, or draws a threshold, reads this row.

    >>> d = pd.DataFrame({"decision": ["fund", "defer", "stop"], "funding_need": [6.0, 4.0, 5.0]})
    >>> a = decision_assumptions(d, cap=7.0, budget_cap=None, discount_rate=0.08, horizon_months=6)
    >>> a[["budget_cap", "budget_cap_source", "total_need", "cpi_red", "cpi_amber"]].to_dict("records")
    [{'budget_cap': 7.0, 'budget_cap_source': 'default', 'total_need': 10.0, 'cpi_red': 0.85, 'cpi_amber': 0.95}]
    """
    competing = ~decisions["decision"].isin(("stop", "reject", "data needed", "closed"))
    row = {
        "budget_cap": float(cap),
        "budget_cap_source": "default" if budget_cap is None else "parameter",
        "budget_share": float(budget_share),
        "total_need": float(decisions.loc[competing, "funding_need"].sum()),
        "discount_rate": float(discount_rate),
        "horizon_months": int(horizon_months),
    }
    row.update({k: float(v) for k, v in (HEALTH_THRESHOLDS | dict(thresholds or {})).items()})
    return pd.DataFrame([row])


def next_steps(projects: pd.DataFrame) -> pd.Series:
    """The decision's next step for the project manager, one sentence per row of ``projects``
    (decision, status, percent_complete, funding_need), in the report language; ``""`` for a row
    without a decision.

    One sentence per decision of :data:`DECISIONS` (``next_step_<decision>`` in
    :mod:`pmo_analysis.core.wording`); "defer" has two, as its meaning has: a proposed project does
    not start, a running one takes on no new work at its percent complete while its sponsor looks
    for the money it still needs (its funding need).

    Examples
    --------
    >>> p = pd.DataFrame({"decision": ["defer", "defer", "closed", None],
    ...                   "status": ["active", "proposed", "completed", "active"],
    ...                   "percent_complete": [65.0, 0.0, 100.0, 10.0], "funding_need": [1.2e6, 5e5, 0.0, 0.0]})
    >>> for text in next_steps(p):
    ...     print(text[:50] or "-")
    Next step: at 65% complete, take on no new work: f
    Next step: do not start yet; update the business c
    Nothing left to decide: record the project's lesso
    -
    """
    d = projects["decision"]
    running = projects["status"].isin(_RUNNING)
    pct = projects["percent_complete"] / 100.0 if "percent_complete" in projects else pd.Series(np.nan, index=d.index)
    need = projects["funding_need"]
    steps = {
        k: Reason(f"next_step_{k.replace(' ', '_').replace('-', '_')}") for k in DECISIONS if k not in ("fund", "defer")
    }
    parts = [(d.eq(k), r) for k, r in steps.items()]
    parts += [
        (d.eq("fund"), Reason("next_step_fund", need=need)),
        (d.eq("defer") & running, Reason("next_step_defer_running", pct=pct, need=need)),
        (d.eq("defer") & ~running, Reason("next_step_defer_proposed")),
    ]
    return join(parts, index=d.index)
