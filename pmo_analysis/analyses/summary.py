"""Executive summary: headline figures, snapshots, and what changed since the previous report.

Every run of the executive summary exports small snapshot tables next to its HTML
(``headline.csv``, ``project_snapshot.csv``, ``overallocated_people.csv``,
``high_impact_lessons.csv``). The next run of the same schedule finds them
(:func:`pmo_analysis.runs.publish.previous_report`) and :func:`changes_since` compares the snapshots.
Everything here is pure: frames in, frames out; reading published runs is the publishing layer's.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pmo_analysis.core.wording import MONEY_FULL, Reason, join, listing, word

__all__ = [
    "HEADLINE_LABELS",
    "TREND",
    "SNAPSHOT_FILES",
    "snapshot",
    "decisions_needed",
    "BRIEFING_GROUPS",
    "briefing",
    "delivery_decisions",
    "assumptions_line",
    "data_needed",
    "changes_since",
    "format_changes",
    "monthly_kpis",
    "HISTORY_MONTHS",
]

#: How many complete months of the data's own history the executive summary's tiles draw.
HISTORY_MONTHS = 12

#: Headline figures (columns of the model's ``headline`` table) shown in the trend, with labels.
HEADLINE_LABELS = {
    "running_projects": "Running projects",
    "total_budget": "Budget, running",
    "portfolio_npv": "Portfolio NPV",
    "portfolio_roi": "Portfolio ROI",
    "spend_to_date": "Spend to date (AC)",
    "planned_to_date": "Planned to date (PV)",
    "portfolio_cpi": "Portfolio CPI",
    "portfolio_spi": "Portfolio SPI",
    "utilization": "Utilization",
    "overallocated_people": "Over-allocated, ahead",
    "open_high_impact_actions": "Open high-impact actions",
    "dependency_conflicts": "Dependency conflicts",
    "delayed_projects": "Projects delayed by a predecessor",
    "missed_milestones": "Missed milestones",
    "milestone_on_time_rate": "Milestones on time",
    "open_risk_exposure": "Open risk exposure",
    "overdue_mitigations": "Overdue mitigations",
    "unowned_risks": "Risks and issues with no owner",
    "benefits_realization": "Benefits realized (completed projects)",
}
#: The headline figures the executive summary's trend draws, in this order. A figure an earlier
#: run did not record (its headline.csv predates the column) or this data cannot give (no
#: milestones table) is a gap in its panel, or no panel at all, never an error.
TREND = (
    "portfolio_npv",
    "portfolio_roi",
    "portfolio_cpi",
    "portfolio_spi",
    "utilization",
    "overallocated_people",
    "dependency_conflicts",
    "missed_milestones",
    "milestone_on_time_rate",
    "open_risk_exposure",
    "overdue_mitigations",
    "benefits_realization",
)
SNAPSHOT_FILES = ("headline.csv", "project_snapshot.csv", "overallocated_people.csv", "high_impact_lessons.csv")


def snapshot(model) -> dict[str, pd.DataFrame]:
    """The tables the next report of the schedule compares with: headline, project_snapshot
    (project_id, name, status, health, total_cost, npv, cpi, spi), overallocated_people and
    high_impact_lessons. Every value is a row of the portfolio model.
    """
    p = model.projects
    out = {
        "headline": model.headline,
        "project_snapshot": p[["project_id", "name", "status", "health", "total_cost", "npv", "cpi", "spi"]],
        "overallocated_people": pd.DataFrame(columns=["resource_id", "name", "detail"]),
        "high_impact_lessons": pd.DataFrame(columns=["lesson_id", "name", "project_id", "detail"]),
    }
    if model.has("overallocated_ahead"):
        out["overallocated_people"] = model.overallocated_ahead[["resource_id", "name", "detail"]]
    if model.has("lessons"):
        high = model.lessons.loc[model.lessons["impact"] == "high", ["lesson_id", "title", "project_id"]]
        out["high_impact_lessons"] = high.rename(columns={"title": "name"}).assign(
            detail=word(Reason("from_project", project=high["project_id"]), where=high["project_id"].notna())
        )
    return out


#: The columns of :func:`decisions_needed` and :func:`delivery_decisions`.
_ASK_COLUMNS = ["decision", "why", "money", "money_text", "project_id"]
#: The decisions about projects, in the order leadership reads them: the decision of
#: :func:`pmo_analysis.analyses.finance.decide` (asked for by its label, the words every report,
#: page, export and mail show for it), whether it frees money (else it needs it), how many are
#: listed (times ``per_kind``) and whether only running projects are asked about.
_PROJECT_ASKS = (
    ("stop", True, 2, False),
    ("reject", True, 2, False),
    ("defer", False, 1, True),
    ("re-scope", False, 1, False),
    ("re-plan", False, 1, False),
)


def decisions_needed(model, *, per_kind: int = 4) -> pd.DataFrame:
    """The decisions leadership is asked for, from the model's tables, each with the money it
    frees or needs: stop or reject (frees the funding need), re-scope and re-plan (needs),
    running projects left unfunded by the budget cap, the proposals to fund, the projects whose
    benefits are needed before they can be funded ("data needed"), roles short of
    capacity over the forward months, recurring problems nobody owns, dependency conflicts and
    the open risks and issues that need a decision (:func:`delivery_decisions`). Each kind lists its
    largest ``per_kind`` projects (stops ``2 * per_kind``), then one row for the rest with their
    total, so the page stays readable for ten thousand projects.

    Returns decision, why, money (signed: + frees, - needs), money_text, project_id ('' for
    decisions that are not about one project). The texts are reasons worded by
    :mod:`pmo_analysis.core.wording` in the report language and currency.
    """
    d = model.decisions
    asks = []
    for kind, frees, times, running_only in _PROJECT_ASKS:
        sel = d.loc[(d["decision"] == kind) & (d["status"] != "proposed" if running_only else True)]
        asks += _project_asks(sel, kind, frees=frees, limit=times * per_kind)
    fund = d.loc[d["decision"] == "fund"]
    if len(fund):
        amount = float(fund["funding_need"].sum())
        asks.append(
            _asks(
                decision=word(Reason("fund_proposed", n=len(fund))),
                why=listing(fund["project_id"] + " " + fund["name"], limit=10),
                money=-amount,
                money_text=word(Reason("needs", money=amount)),
            )
        )
    waiting = d.loc[d["decision"] == "data needed"]
    if len(waiting):  # no benefits: neither funded nor stopped until someone provides them
        asks.append(
            _asks(
                decision=word(Reason("ask_collect_data", n=len(waiting))),
                why=listing(waiting["project_id"] + " " + waiting["name"], limit=10),
            )
        )
    if model.has("capacity_by_role"):
        w = model.meta["windows"]
        short = model.capacity_by_role.loc[model.capacity_by_role["gap_fte"] < -0.05]
        asks.append(
            _asks(
                decision=word(Reason("add_capacity", role=short["role"])),
                why=word(
                    Reason(
                        "short_of_capacity",
                        fte=-short["gap_fte"],
                        first=w["forward_first"],
                        last=w["forward_last"],
                        hours=-short["gap_hours"],
                    )
                ),
            )
        )
    if model.has("recurring"):
        unowned = model.recurring.loc[~model.recurring["has_open_action"]].head(5)
        both = (unowned["name"], unowned["name_zh"])  # a theme of one problem is named in both languages
        name = unowned["theme"].where(unowned["source"] == "category", word(Reason("text_theme", name=both)))
        asks.append(
            _asks(
                decision=word(Reason("assign_owner", name=name)),
                why=word(Reason("recurring_no_action", projects=unowned["projects"], lessons=unowned["lessons"])),
            )
        )
    out = _table(asks)
    extra = delivery_decisions(model, per_kind=per_kind)
    return pd.concat([out, extra], ignore_index=True) if len(extra) else out


#: The groups of the printed briefing, in the order it shows them, and the decisions of
#: :func:`pmo_analysis.analyses.finance.decide` each holds (``defer`` of a running project only: a
#: deferred proposal asks for nothing); ``add capacity`` holds the roles short of people.
BRIEFING_GROUPS = {
    "fund": ("fund",),
    "find money": ("defer", "re-scope", "re-plan"),
    "stop": ("stop", "reject"),
    "add capacity": (),
}


def briefing(model, *, per_group: int = 4) -> pd.DataFrame:
    """The decisions that need money or people, grouped as the printed briefing shows them
    (:data:`BRIEFING_GROUPS`): fund the proposed projects the budget cap funds, find money for the
    running projects that need more than they have (left unfunded by the cap, to re-scope or to
    re-plan), stop (frees their funding need), add capacity (roles short over the forward months).

    Each group lists its largest ``per_group`` decisions, worded as in :func:`decisions_needed`,
    then one row for the rest; every decision of the group counts in its total. Returns group,
    decision, money (signed: + frees, - needs; the rows of a group add up to its total), money_text,
    fte (people short, for ``add capacity``) and n (the decisions a row stands for).

    >>> from types import SimpleNamespace
    >>> d = pd.DataFrame({"project_id": ["A", "B", "C"], "name": ["a", "b", "c"], "status": "active",
    ...                   "decision": ["stop", "re-scope", "re-scope"], "funding_need": [5e6, 2e6, 1e6]})
    >>> b = briefing(SimpleNamespace(decisions=d, has=lambda t: False), per_group=1)
    >>> b[["group", "decision", "money", "n"]].to_dict("records")  # doctest: +NORMALIZE_WHITESPACE
    [{'group': 'find money', 'decision': 'Re-scope B b', 'money': -2000000.0, 'n': 1},
     {'group': 'find money', 'decision': 'Re-scope 1 more project(s)', 'money': -1000000.0, 'n': 1},
     {'group': 'stop', 'decision': 'Stop A a', 'money': 5000000.0, 'n': 1}]
    """
    d = model.decisions
    rows = []
    for group, kinds in BRIEFING_GROUPS.items():
        sel = d.loc[d["decision"].isin(kinds) & ((d["status"] != "proposed") | (d["decision"] != "defer"))]
        if sel.empty:
            continue
        sel = sel.sort_values("funding_need", ascending=False, kind="stable")
        frees = group == "stop"
        rows.append(_project_rows(sel.head(per_group), frees=frees).assign(group=group))
        for verb, rest in sel.iloc[per_group:].groupby("decision", sort=False):  # the rest, one row per decision
            amount = float(rest["funding_need"].sum())
            rows.append(
                _asks(
                    decision=word(Reason("ask_more_projects", verb=verb, n=len(rest))),
                    why="",
                    money=(1 if frees else -1) * amount,
                    money_text=word(Reason("frees" if frees else "needs", money=amount)),
                ).assign(group=group, n=len(rest))
            )
    if model.has("capacity_by_role"):
        short = model.capacity_by_role.loc[model.capacity_by_role["gap_fte"] < -0.05]
        if len(short):
            rows.append(
                _asks(decision=word(Reason("add_capacity", role=short["role"])), why="").assign(
                    group="add capacity", fte=-short["gap_fte"].astype(float), n=1
                )
            )
    columns = ["group", "decision", "money", "money_text", "fte", "n"]
    if not rows:
        return pd.DataFrame(columns=columns)
    out = pd.concat(rows, ignore_index=True)
    for col, default in (("fte", np.nan), ("n", 1)):
        out[col] = out[col].fillna(default) if col in out else default
    return out[columns].astype({"n": int, "money": float, "fte": float})


def _project_rows(shown: pd.DataFrame, *, frees: bool) -> pd.DataFrame:
    """A row per project of ``shown``, its decision worded by its own label (Fund, Defer, Stop ...)."""
    amount = shown["funding_need"].astype(float)
    return _asks(
        decision=word(Reason("ask_project", verb=shown["decision"], project=shown["project_id"], name=shown["name"])),
        why="",
        money=(1 if frees else -1) * amount,
        money_text=word(Reason("frees" if frees else "needs", money=amount)),
        project_id=shown["project_id"],
    ).assign(n=1)


def assumptions_line(model) -> str:
    """The one-line statement of the assumptions behind the decisions and the health rules, from
    the model's ``assumptions`` table (:func:`pmo_analysis.analyses.finance.decision_assumptions`)
    and its forward window: the budget cap and where it came from, the discount rate, the health
    thresholds and the horizon, then what the forecast's ranges rest on (draws, seed, correlation,
    the reference classes' minimum) where the model has a forecast, worded by
    :mod:`pmo_analysis.core.wording` in the report language.

    >>> from types import SimpleNamespace
    >>> from pmo_analysis.analyses.finance import decision_assumptions
    >>> d = pd.DataFrame({"decision": ["fund", "defer"], "funding_need": [10e6, 6.0e6]})
    >>> a = decision_assumptions(d, cap=11.2e6, budget_cap=None, discount_rate=0.08, horizon_months=6)
    >>> m = SimpleNamespace(assumptions=a, meta={"windows": {"forward_first": "2026-07", "forward_last": "2026-12"}})
    >>> print(assumptions_line(m))  # doctest: +NORMALIZE_WHITESPACE
    Assumptions: budget cap 11.2M (default: 70% of the total funding need of 16.0M; set budget_cap to change it);
    discount rate 8.0% a year; CPI off track below 0.85, at risk below 0.95; SPI off track below 0.85, at risk
    below 0.95; risk score at risk from 4/5; forward horizon 6 months (Jul 2026 to Dec 2026).
    """
    a = model.assumptions.iloc[0]
    w = model.meta["windows"]
    source = (
        Reason("cap_from_parameter")
        if a["budget_cap_source"] == "parameter"
        else Reason("cap_by_default_rule", share=a["budget_share"], need=a["total_need"])
    )
    text = word(
        Reason(
            "assumptions",
            cap=a["budget_cap"],
            source=source,
            rate=a["discount_rate"],
            cpi_red=a["cpi_red"],
            cpi_amber=a["cpi_amber"],
            spi_red=a["spi_red"],
            spi_amber=a["spi_amber"],
            risk=a["risk_amber"],
            horizon=a["horizon_months"],
            first=w["forward_first"],
            last=w["forward_last"],
        )
    )
    if "forecast_draws" not in a:  # a model without the forecast part
        return text
    forecast = Reason(
        "assumptions_forecast",
        draws=a["forecast_draws"],
        seed=str(a["forecast_seed"]),
        rho=a["forecast_correlation"],
        group=Reason(f"correlated_by_{a['forecast_correlated_by']}"),
        min=a["forecast_min_reference"],
        n=a["forecast_reference_projects"],
    )
    return f"{text} {word(forecast)}"


def data_needed(model) -> pd.DataFrame:
    """The running projects whose health waits for data, with what is missing (project_id, name,
    status, missing_data, end_date, forecast_end): the executive summary's "data needed" list, one
    row per project the headline's ``data_needed`` counts.
    """
    p = model.projects
    cols = ["project_id", "name", "status", "missing_data", "end_date", "forecast_end"]
    sel = p.loc[p["running"] & (p["health"] == "data needed")]
    return sel[[c for c in cols if c in sel.columns]].reset_index(drop=True)


def _project_asks(sel: pd.DataFrame, verb: str, *, frees: bool, limit: int) -> list[pd.DataFrame]:
    """One decision per project of ``sel`` (decisions), the largest funding need first, the first
    ``limit`` of them, then one for the rest; ``verb`` is the decision, worded by its label.
    """
    sel = sel.sort_values("funding_need", ascending=False)
    shown, sign, money = sel.head(limit), (1 if frees else -1), ("frees" if frees else "needs")
    amount = shown["funding_need"].astype(float)
    out = [
        _asks(
            decision=word(Reason("ask_project", verb=verb, project=shown["project_id"], name=shown["name"])),
            why=_with_robustness(shown),
            money=sign * amount,
            money_text=word(Reason(money, money=amount)),
            project_id=shown["project_id"],
        )
    ]
    if len(sel) > limit:
        rest = float(sel.iloc[limit:]["funding_need"].sum())
        out.append(
            _asks(
                decision=word(Reason("ask_more_projects", verb=verb, n=len(sel) - limit)),
                why=word(Reason("listed_in_decisions")),
                money=sign * rest,
                money_text=word(Reason(money, money=rest)),
            )
        )
    return out


def _with_robustness(sel: pd.DataFrame) -> pd.Series:
    """The decisions' reasons, each followed by what would flip it (where the model has it)."""
    if "robustness" not in sel.columns:
        return sel["reason"]
    flip = sel["robustness"].fillna("").astype(str)
    return join([(pd.Series(True, index=sel.index), sel["reason"]), (flip != "", flip)], index=sel.index)


def _asks(*, decision, why, money=np.nan, money_text="", project_id="") -> pd.DataFrame:
    """Decisions as rows: one per row of the columns given (a single row when all are scalars)."""
    columns = {"decision": decision, "why": why, "money": money, "money_text": money_text, "project_id": project_id}
    index = next((v.index for v in columns.values() if isinstance(v, pd.Series)), pd.RangeIndex(1))
    return pd.DataFrame(columns, index=index)


def _table(asks: list[pd.DataFrame]) -> pd.DataFrame:
    """The decisions of ``asks`` in one table, in order (the same types whatever their number)."""
    return pd.DataFrame([row for a in asks for row in a.to_dict("records")], columns=_ASK_COLUMNS)


def delivery_decisions(model, *, per_kind: int = 4) -> pd.DataFrame:
    """Decisions the delivery tables ask for: each dependency conflict (the successor cannot
    start or finish as planned: re-plan it or bring the predecessor back on track), worst first,
    and the open risks and issues with the largest exposure whose mitigation is overdue or that
    have no owner. Columns as :func:`decisions_needed` (money is empty: an exposure is not a
    funding need; money_text shows it). project_id is empty, as for every decision that is not
    the funding decision of one project (the decision names the projects).
    """
    asks = []
    if model.has("dependencies"):
        c = model.dependencies.loc[model.dependencies["conflict"]]
        names = model.projects.set_index("project_id")["name"]
        shown = c.head(per_kind)
        root = shown["path"].str.split(" -> ").str[0]

        def named(ids: pd.Series) -> pd.Series:
            return ids + " " + ids.map(names).fillna("")

        kind = shown["type"].astype(object)
        waits = pd.Series(
            np.where(kind.isin(("finish_to_start", "start_to_start")), "cannot_start", "cannot_finish"),
            index=shown.index,
        )
        which = pd.Series(np.where(kind == "start_to_start", "forecast_start", "forecast_end"), index=shown.index)
        asks.append(
            _asks(
                decision=word(Reason("replan_or_recover", successor=named(shown["successor_id"]), root=named(root))),
                why=word(
                    Reason(
                        "dependency_late",
                        waits=waits,
                        days=shown["slip_days"],
                        path=shown["path"],
                        type=shown["type"],
                        predecessor=shown["predecessor_id"],
                        which=which,
                        date=shown["predecessor_date"],
                    )
                ),
            )
        )
        if len(c) > per_kind:
            asks.append(
                _asks(
                    decision=word(Reason("replan_more_conflicts", n=len(c) - per_kind)),
                    why=word(Reason("listed_in_dependency_conflicts")),
                )
            )
    if model.has("risks"):
        r = model.risks
        ask = r.loc[r["open"] & (r["overdue"] | r["no_owner"])].sort_values("exposure", ascending=False)
        shown = ask.head(per_kind)
        kind, overdue = shown["kind"].astype(object), shown["overdue"]
        why = join(
            [
                (overdue & (kind == "risk"), Reason("mitigation_overdue", days=shown["days_overdue"])),
                (overdue & (kind != "risk"), Reason("resolution_overdue", days=shown["days_overdue"])),
                (shown["no_owner"], Reason("no_owner")),
            ],
            index=shown.index,
        )
        item = {"id": shown["risk_id"], "project": shown["project_id"] + " " + shown["name"], "title": shown["title"]}
        decision = np.select(
            [kind == "risk", kind == "issue"],
            [word(Reason("decide_on_risk", **item)), word(Reason("decide_on_issue", **item))],
            word(Reason("decide_on_other", kind=kind, **item)),
        )
        asks.append(
            _asks(
                decision=pd.Series(decision, index=shown.index, dtype=object),
                why=why
                + word(Reason("probability_impact", probability=shown["probability"], impact=shown["impact_cost"])),
                money_text=word(Reason("exposure", money=shown["exposure"])),
            )
        )
        if len(ask) > per_kind:
            asks.append(
                _asks(
                    decision=word(Reason("decide_on_more_risks", n=len(ask) - per_kind)),
                    why=word(Reason("listed_in_risk_exposure")),
                    money_text=word(Reason("exposure", money=float(ask.iloc[per_kind:]["exposure"].sum()))),
                )
            )
    return _table(asks)


def _moves(prev: pd.DataFrame, cur: pd.DataFrame, col: str, label: str, *, min_abs: float, top: int) -> pd.DataFrame:
    m = cur[["project_id", "name", col]].merge(prev[["project_id", col]], on="project_id", suffixes=("", "_prev"))
    m["delta"] = m[col] - m[f"{col}_prev"]
    m = m.loc[m["delta"].abs() >= min_abs].copy()
    m = m.reindex(m["delta"].abs().sort_values(ascending=False).index).head(top)
    return pd.DataFrame(
        {
            "change": label,
            "item_id": m["project_id"],
            "name": m["name"],
            "before": m[f"{col}_prev"],
            "after": m[col],
            "delta": m["delta"],
        }
    )


def changes_since(previous: dict[str, pd.DataFrame], current: dict[str, pd.DataFrame], *, top: int = 5) -> pd.DataFrame:
    """What changed between two snapshots, one row per change.

    change is one of: health changed, new project, closed project, forecast cost, NPV, CPI, SPI
    (the ``top`` largest moves each; cost and NPV moves under 1% of the previous value and CPI/SPI
    moves under 0.02 are ignored), new over-allocation, new high-impact lesson.
    Columns: change, item_id, name, before, after, delta.
    """
    prev, cur = previous["project_snapshot"], current["project_snapshot"]
    rows = []
    m = cur.merge(prev, on="project_id", how="outer", suffixes=("", "_prev"), indicator=True)
    new = m.loc[m["_merge"] == "left_only"]
    rows.append(
        pd.DataFrame(
            {
                "change": "new project",
                "item_id": new["project_id"],
                "name": new["name"],
                "before": "",
                "after": new["status"],
                "delta": np.nan,
            }
        )
    )
    both = m.loc[m["_merge"] == "both"]
    closed_now = both["status"].isin(["completed", "cancelled"]) & ~both["status_prev"].isin(["completed", "cancelled"])
    gone = m.loc[m["_merge"] == "right_only"]
    rows.append(
        pd.DataFrame(
            {
                "change": "closed project",
                "item_id": both.loc[closed_now, "project_id"],
                "name": both.loc[closed_now, "name"],
                "before": both.loc[closed_now, "status_prev"],
                "after": both.loc[closed_now, "status"],
                "delta": np.nan,
            }
        )
    )
    rows.append(
        pd.DataFrame(
            {
                "change": "closed project",
                "item_id": gone["project_id"],
                "name": gone["name_prev"],
                "before": gone["status_prev"],
                "after": "no longer in the data",
                "delta": np.nan,
            }
        )
    )
    h = both.loc[both["health"].fillna("") != both["health_prev"].fillna("")]
    h = h.loc[h["health"].notna() | h["health_prev"].notna()]
    rows.append(
        pd.DataFrame(
            {
                "change": "health changed",
                "item_id": h["project_id"],
                "name": h["name"],
                "before": h["health_prev"].fillna("(not running)"),
                "after": h["health"].fillna("(not running)"),
                "delta": np.nan,
            }
        )
    )
    prev_cost = prev.set_index("project_id")["total_cost"].abs()
    for col, label, min_abs in (
        ("total_cost", "forecast cost", None),
        ("npv", "NPV", None),
        ("cpi", "CPI", 0.02),
        ("spi", "SPI", 0.02),
    ):
        floor = min_abs if min_abs is not None else max(1.0, 0.01 * float(prev_cost.median() or 0))
        rows.append(_moves(prev, cur, col, label, min_abs=floor, top=top))
    for key, label, col in (
        ("overallocated_people", "new over-allocation", "resource_id"),
        ("high_impact_lessons", "new high-impact lesson", "lesson_id"),
    ):
        c, p = current.get(key, pd.DataFrame()), previous.get(key, pd.DataFrame())
        if c.empty or col not in c:
            continue
        before = set(p[col]) if col in p else set()
        n = c.loc[~c[col].isin(before)]
        rows.append(
            pd.DataFrame(
                {
                    "change": label,
                    "item_id": n[col],
                    "name": n["name"] if "name" in n else n.get("title", ""),
                    "before": "",
                    "after": n.get("detail", ""),
                    "delta": np.nan,
                }
            )
        )
    out = (
        pd.concat([r for r in rows if len(r)], ignore_index=True)
        if any(len(r) for r in rows)
        else pd.DataFrame(columns=["change", "item_id", "name", "before", "after", "delta"])
    )
    return out


_CHANGE_ORDER = [
    "health changed",
    "new project",
    "closed project",
    "CPI",
    "SPI",
    "forecast cost",
    "NPV",
    "new over-allocation",
    "new high-impact lesson",
]


def format_changes(changes: pd.DataFrame, *, per_kind: int = 3) -> pd.DataFrame:
    """Changes for reading: the ``per_kind`` first of each kind, in a fixed order, with money in
    the report's money style and CPI/SPI with two decimals (the exported CSV keeps
    full precision and no symbol).

    >>> from pmo_analysis.core import formatting
    >>> ch = pd.DataFrame({"change": ["NPV", "CPI"], "item_id": ["P1", "P1"], "name": ["ERP", "ERP"],
    ...                    "before": [1_200_000.0, 0.95], "after": [950_000.0, 0.81], "delta": [-250_000.0, -0.14]})
    >>> with formatting.using(currency="CNY", language="zh"):
    ...     format_changes(ch)[["before", "after", "delta"]].values.tolist()
    [['0.95', '0.81', '-0.14'], ['¥120.0万', '¥95.0万', '-¥25.0万']]
    """
    d = changes.copy()
    d["_o"] = d["change"].map({k: i for i, k in enumerate(_CHANGE_ORDER)})
    d = d.sort_values("_o", kind="stable").groupby("change", sort=False).head(per_kind)

    def number(v, kind, sign: bool = False) -> str:
        if kind in _MONEY_CHANGES:
            return ("+" if sign and v > 0 else "") + MONEY_FULL.write(v)
        return format(v, ("+" if sign else "") + (",.2f" if kind in ("CPI", "SPI") else ",.0f"))

    def shown(v, kind) -> str:
        if isinstance(v, (int, float, np.floating)) and not pd.isna(v):
            return number(v, kind)
        return "" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v)

    for c in ("before", "after"):
        d[c] = [shown(v, k) for v, k in zip(d[c], d["change"], strict=False)]
    d["delta"] = ["" if pd.isna(v) else number(v, k, sign=True) for v, k in zip(d["delta"], d["change"], strict=False)]
    return d.drop(columns="_o").reset_index(drop=True)


_MONEY_CHANGES = ("forecast cost", "NPV")


def monthly_kpis(
    project_months: pd.DataFrame | None,
    running_ids,
    util_overall: pd.DataFrame | None = None,
    *,
    months: int = HISTORY_MONTHS,
) -> pd.DataFrame:
    """The data's own monthly history of the executive summary's tiles, by month.

    One row per month (``period``) of the last ``months`` complete months, with:

    spend, planned
        the running projects' forecast cost (AC: the reported actual, the plan where none was
        reported) and planned cost (PV) of the month;
    spend_to_date, planned_to_date
        their running sums from each project's first month: the last equals the headline's
        spend_to_date and planned_to_date (the "Spend to date vs plan" tile);
    utilization
        the portfolio's utilization of the month (the model's ``util_overall``; empty without
        the resources part).

    ``project_months`` is the model's table of that name (``is_actual`` marks the months through
    the last complete month; ``None`` without the finance part), ``running_ids`` the ids of the
    running projects. CPI and SPI have no monthly history here: percent complete is reported
    once (``projects.status_date``), so earned value is known at the last complete month only.

    Examples
    --------
    >>> months = pd.to_datetime(["2026-04-01", "2026-05-01", "2026-06-01", "2026-05-01", "2026-06-01"])
    >>> pm = pd.DataFrame({"project_id": ["A", "A", "A", "B", "B"], "period": months,
    ...                    "cost": [10.0, 20.0, 30.0, 5.0, 5.0], "planned_cost": [10.0, 10.0, 10.0, 5.0, 5.0],
    ...                    "is_actual": [True, True, False, True, False]})
    >>> k = monthly_kpis(pm, ["A", "B"], months=2)
    >>> k[["spend", "spend_to_date", "planned_to_date"]].to_numpy().tolist()
    [[10.0, 10.0, 10.0], [25.0, 35.0, 25.0]]
    >>> k["period"].dt.strftime("%Y-%m").tolist()
    ['2026-04', '2026-05']
    """
    if project_months is None:
        project_months = pd.DataFrame(
            {"project_id": [], "period": pd.to_datetime([]), "cost": [], "planned_cost": [], "is_actual": []}
        ).astype({"is_actual": bool})
    past = project_months.loc[project_months["is_actual"] & project_months["project_id"].isin(list(running_ids))]
    g = past.groupby("period")[["cost", "planned_cost"]].sum().sort_index()
    out = pd.DataFrame(
        {
            "spend": g["cost"],
            "planned": g["planned_cost"],
            "spend_to_date": g["cost"].cumsum(),
            "planned_to_date": g["planned_cost"].cumsum(),
        }
    )
    out.index.name = "period"
    out = out.reset_index()
    if util_overall is not None and len(util_overall):
        done = util_overall.loc[util_overall["month_status"] == "complete", ["period", "utilization"]]
        out = out.merge(done, on="period", how="outer").sort_values("period")
    else:
        out["utilization"] = np.nan
    return out.tail(months).reset_index(drop=True)
