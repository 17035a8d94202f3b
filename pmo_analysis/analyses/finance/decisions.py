"""Decisions: what the rules say of each project (stop, reject, re-scope, re-plan), then one
decision per project within the budget, with its reasons in the report language (reasons with
their values, worded by :mod:`pmo_analysis.core.wording`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pmo_analysis.analyses.finance.selection import _candidates, _objective_column, select_portfolio
from pmo_analysis.core.config import RUNNING_STATUSES
from pmo_analysis.core.wording import Reason, join, word

__all__ = ["recommendations", "DECISIONS", "decide"]

_RUNNING = RUNNING_STATUSES


def recommendations(
    roi: pd.DataFrame, *, cpi_threshold: float = 0.85, spi_threshold: float = 0.85, low_alignment: int = 2
) -> pd.DataFrame:
    """What the rules say of each proposed, active and on-hold project, with reasons in words.

    Rules, on forward-looking value (``remaining_npv``: money already spent is sunk):

    * stop (a running project) or reject (a proposed one): remaining_npv < 0 and
      strategic_alignment <= ``low_alignment``;
    * re-scope: cpi < ``cpi_threshold`` (cost overrun), or remaining_npv < 0 with higher
      alignment, or (a proposed project) no payback within the forecast horizon; for a running
      project "never pays back" is stated as a reason but the remaining NPV decides;
    * re-plan: spi < ``spi_threshold`` (behind schedule).

    Returns project_id, name, department, status, recommendation ('' where no rule fires),
    reason, remaining_npv, npv, cpi, spi, strategic_alignment, one row per project given that
    is proposed, active or on hold.
    """
    df = roi.loc[roi["status"].isin(("proposed", *_RUNNING))].copy()
    value = df["remaining_npv"]
    neg = value < 0
    low = df["strategic_alignment"] <= low_alignment
    never = df["payback_months"].isna() & df["total_cost"].gt(0)
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
    "closed": "completed or cancelled: nothing to decide",
}


def decide(
    roi: pd.DataFrame,
    *,
    budget_cap: float | None = None,
    budget_share: float = 0.7,
    objective: str = "score",
    cpi_threshold: float = 0.85,
    spi_threshold: float = 0.85,
    low_alignment: int = 2,
) -> tuple[pd.DataFrame, float]:
    """One decision per project (see :data:`DECISIONS`): the rules first, then the budget.

    ``roi`` is :func:`priority_scores` of :func:`roi_by_project`. The rules of
    :func:`recommendations` stop or reject a project; the others compete for ``budget_cap``
    (default: ``budget_share`` of the candidates' total funding need) in :func:`select_portfolio`.
    A stopped project is never funded. Returns the decisions (project_id, name, status, decision,
    funded, funding_need, remaining_npv, npv, score, reason, rule, rank) and the budget cap used.
    """
    recs = recommendations(roi, cpi_threshold=cpi_threshold, spi_threshold=spi_threshold, low_alignment=low_alignment)
    df = roi.merge(recs[["project_id", "recommendation", "reason"]], on="project_id", how="left")
    df["recommendation"] = df["recommendation"].fillna("")
    df["reason"] = df["reason"].fillna("")
    df["decision"] = np.where(df["recommendation"].isin(("stop", "reject")), df["recommendation"], "")
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
        [df["decision"] != "", ~df["status"].isin(("proposed", *_RUNNING)), df["funded"], is_cand],
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
    budget = ~stopped & ~closed
    df["reason"] = join(
        [
            (~closed, df["reason"]),
            (stopped, Reason("never_funded", need=need)),
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
