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

from pmo_analysis.core import formatting as fmt
from pmo_analysis.core.i18n import _

__all__ = ["HEADLINE_LABELS", "TREND", "SNAPSHOT_FILES", "snapshot", "decisions_needed", "delivery_decisions",
           "changes_since", "format_changes"]

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
TREND = ("portfolio_npv", "portfolio_roi", "portfolio_cpi", "portfolio_spi", "utilization", "overallocated_people",
         "dependency_conflicts", "missed_milestones", "milestone_on_time_rate", "open_risk_exposure",
         "overdue_mitigations", "benefits_realization")
#: Dependency types in words (the data's codes are finish_to_start, ...).
DEPENDENCY_TYPES = {"finish_to_start": "finish to start", "start_to_start": "start to start",
                    "finish_to_finish": "finish to finish", "start_to_finish": "start to finish"}
SNAPSHOT_FILES = ("headline.csv", "project_snapshot.csv", "overallocated_people.csv",
                  "high_impact_lessons.csv")


def snapshot(model) -> dict[str, pd.DataFrame]:
    """The tables the next report of the schedule compares with: headline, project_snapshot
    (project_id, name, status, health, total_cost, npv, cpi, spi), overallocated_people and
    high_impact_lessons. Every value is a row of the portfolio model.
    """
    p = model.projects
    out = {"headline": model.headline,
           "project_snapshot": p[["project_id", "name", "status", "health", "total_cost", "npv", "cpi", "spi"]],
           "overallocated_people": pd.DataFrame(columns=["resource_id", "name", "detail"]),
           "high_impact_lessons": pd.DataFrame(columns=["lesson_id", "name", "project_id", "detail"])}
    if model.has("overallocated_ahead"):
        out["overallocated_people"] = model.overallocated_ahead[["resource_id", "name", "detail"]]
    if model.has("lessons"):
        high = model.lessons.loc[model.lessons["impact"] == "high", ["lesson_id", "title", "project_id"]]
        out["high_impact_lessons"] = high.rename(columns={"title": "name"}).assign(
            detail=_("from {project}", project=high["project_id"].astype(str)))
    return out


def decisions_needed(model, *, per_kind: int = 4) -> pd.DataFrame:
    """The decisions leadership is asked for, from the model's tables, each with the money it
    frees or needs: stop or reject (frees the funding need), re-scope and re-plan (needs),
    running projects left unfunded by the budget cap, the proposals to fund, roles short of
    capacity over the forward months, recurring problems nobody owns, dependency conflicts and
    the open risks and issues that need a decision (:func:`delivery_decisions`). Each kind lists its
    largest ``per_kind`` projects (stops ``2 * per_kind``), then one row for the rest with their
    total, so the page stays readable for ten thousand projects.

    Returns decision, why, money (signed: + frees, - needs), money_text, project_id ('' for
    decisions that are not about one project).
    """
    d = model.decisions
    rows = []

    def money_text(frees: bool, amount: float) -> str:
        return _("frees {money}", money=fmt.money(amount)) if frees else _("needs {money}", money=fmt.money(amount))

    def project_rows(kind: str, verb: str, frees: bool, limit: int, running_only: bool = False) -> None:
        sel = d.loc[(d["decision"] == kind) & (d["status"] != "proposed" if running_only else True)]
        sel = sel.sort_values("funding_need", ascending=False)
        shown = sel.head(limit)
        for _i, r in shown.iterrows():
            amount = float(r["funding_need"])
            rows.append({"decision": f"{verb} {r['project_id']} {r['name']}", "why": r["reason"],
                         "money": amount if frees else -amount, "money_text": money_text(frees, amount),
                         "project_id": r["project_id"]})
        if len(sel) > limit:
            rest = sel.iloc[limit:]
            amount = float(rest["funding_need"].sum())
            rows.append({"decision": _("{verb} {n} more project(s)", verb=verb, n=len(rest)),
                         "why": _("listed in decisions.csv and the ROI report"),
                         "money": amount if frees else -amount, "money_text": money_text(frees, amount),
                         "project_id": ""})

    project_rows("stop", _("Stop"), True, 2 * per_kind)
    project_rows("reject", _("Reject"), True, 2 * per_kind)
    project_rows("defer", _("Find money or pause"), False, per_kind, running_only=True)
    project_rows("re-scope", _("Re-scope"), False, per_kind)
    project_rows("re-plan", _("Re-plan"), False, per_kind)
    fund = d.loc[d["decision"] == "fund"]
    if len(fund):
        amount = float(fund["funding_need"].sum())
        rows.append({"decision": _("Fund {n} proposed project(s)", n=len(fund)),
                     "why": _(", ").join((fund["project_id"] + " " + fund["name"]).head(10))
                            + (_(" and {n} more", n=f"{len(fund) - 10:,}") if len(fund) > 10 else ""),
                     "money": -amount, "money_text": money_text(False, amount), "project_id": ""})
    if model.has("capacity_by_role"):
        w = model.meta["windows"]
        short = model.capacity_by_role.loc[model.capacity_by_role["gap_fte"] < -0.05]
        for _i, r in short.iterrows():
            rows.append({"decision": _("Add capacity: {role}", role=r["role"]),
                         "why": _("short {fte} FTE on average over {first} to {last} ({hours} hours)",
                                  fte=f"{-r['gap_fte']:.1f}", first=fmt.month(w["forward_first"]),
                                  last=fmt.month(w["forward_last"]),
                                  hours=f"{-r['gap_hours']:,.0f}"),
                         "money": np.nan, "money_text": "", "project_id": ""})
    if model.has("recurring"):
        unowned = model.recurring.loc[~model.recurring["has_open_action"]]
        for _i, r in unowned.head(5).iterrows():
            name = r["theme"] if r["source"] == "category" else _("{name} (text theme)", name=r["name"])
            rows.append({"decision": _("Assign an owner: recurring problem '{name}'", name=name),
                         "why": _("{projects} projects, {lessons} lessons, no open action",
                                  projects=r["projects"], lessons=r["lessons"]),
                         "money": np.nan, "money_text": "", "project_id": ""})
    out = pd.DataFrame(rows, columns=["decision", "why", "money", "money_text", "project_id"])
    extra = delivery_decisions(model, per_kind=per_kind)
    return pd.concat([out, extra], ignore_index=True) if len(extra) else out


def delivery_decisions(model, *, per_kind: int = 4) -> pd.DataFrame:
    """Decisions the delivery tables ask for: each dependency conflict (the successor cannot
    start or finish as planned: re-plan it or bring the predecessor back on track), worst first,
    and the open risks and issues with the largest exposure whose mitigation is overdue or that
    have no owner. Columns as :func:`decisions_needed` (money is empty: an exposure is not a
    funding need; money_text shows it). project_id is empty, as for every decision that is not
    the funding decision of one project (the decision names the projects).
    """
    rows = []
    if model.has("dependencies"):
        c = model.dependencies.loc[model.dependencies["conflict"]]
        names = model.projects.set_index("project_id")["name"]
        for r in c.head(per_kind).itertuples(index=False):
            waits = _("cannot start as planned") if r.type in ("finish_to_start", "start_to_start") else \
                _("cannot finish as planned")
            root = r.path.split(" -> ")[0]
            pred_date = _("forecast start") if r.type == "start_to_start" else _("forecast end")
            rows.append({"decision": _("Re-plan {successor} or recover {root}",
                                       successor=f"{r.successor_id} {names.get(r.successor_id, '')}",
                                       root=f"{root} {names.get(root, '')}"),
                         "why": _("{waits}: {days} days late through {path} ({type}; {predecessor} {which} {date})",
                                  waits=waits, days=f"{r.slip_days:,.0f}", path=r.path,
                                  type=_(DEPENDENCY_TYPES.get(r.type, r.type.replace("_", " "))),
                                  predecessor=r.predecessor_id, which=pred_date,
                                  date=f"{r.predecessor_date:%Y-%m-%d}"),
                         "money": np.nan, "money_text": "", "project_id": ""})
        if len(c) > per_kind:
            rows.append({"decision": _("Re-plan {n} more dependency conflict(s)", n=len(c) - per_kind),
                         "why": _("listed in dependency_conflicts.csv and the delivery report"),
                         "money": np.nan, "money_text": "", "project_id": ""})
    if model.has("risks"):
        r = model.risks
        ask = r.loc[r["open"] & (r["overdue"] | r["no_owner"])].sort_values("exposure", ascending=False)
        for x in ask.head(per_kind).itertuples(index=False):
            days = f"{x.days_overdue:,.0f}"
            why = [_("mitigation {days} days overdue", days=days) if x.kind == "risk"
                   else _("resolution {days} days overdue", days=days)] if x.overdue else []
            why += [_("no owner")] if x.no_owner else []
            item = dict(id=x.risk_id, project=f"{x.project_id} {x.name}", title=x.title)
            rows.append({"decision": _("Decide on risk {id} of {project}: {title}", **item) if x.kind == "risk"
                         else _("Decide on issue {id} of {project}: {title}", **item) if x.kind == "issue"
                         else _("Decide on {kind} {id} of {project}: {title}", kind=x.kind, **item),
                         "why": _("; ").join(why) + _(" (probability {probability}, impact {impact})",
                                                      probability=fmt.pct(x.probability, 0),
                                                      impact=fmt.money(x.impact_cost)),
                         "money": np.nan, "money_text": _("exposure {money}", money=fmt.money(x.exposure)),
                         "project_id": ""})
        if len(ask) > per_kind:
            rest = ask.iloc[per_kind:]
            rows.append({"decision": _("Decide on {n} more overdue or unowned risk(s) and issue(s)", n=len(rest)),
                         "why": _("listed in risk_exposure.csv and the delivery report"), "money": np.nan,
                         "money_text": _("exposure {money}", money=fmt.money(float(rest["exposure"].sum()))),
                         "project_id": ""})
    return pd.DataFrame(rows, columns=["decision", "why", "money", "money_text", "project_id"])


def _moves(prev: pd.DataFrame, cur: pd.DataFrame, col: str, label: str, *, min_abs: float,
           top: int) -> pd.DataFrame:
    m = cur[["project_id", "name", col]].merge(prev[["project_id", col]], on="project_id",
                                               suffixes=("", "_prev"))
    m["delta"] = m[col] - m[f"{col}_prev"]
    m = m.loc[m["delta"].abs() >= min_abs].copy()
    m = m.reindex(m["delta"].abs().sort_values(ascending=False).index).head(top)
    return pd.DataFrame({"change": label, "item_id": m["project_id"], "name": m["name"],
                         "before": m[f"{col}_prev"], "after": m[col], "delta": m["delta"]})


def changes_since(previous: dict[str, pd.DataFrame], current: dict[str, pd.DataFrame], *,
                  top: int = 5) -> pd.DataFrame:
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
    rows.append(pd.DataFrame({"change": "new project", "item_id": new["project_id"], "name": new["name"],
                              "before": "", "after": new["status"], "delta": np.nan}))
    both = m.loc[m["_merge"] == "both"]
    closed_now = both["status"].isin(["completed", "cancelled"]) & ~both["status_prev"].isin(["completed", "cancelled"])
    gone = m.loc[m["_merge"] == "right_only"]
    rows.append(pd.DataFrame({"change": "closed project", "item_id": both.loc[closed_now, "project_id"],
                              "name": both.loc[closed_now, "name"], "before": both.loc[closed_now, "status_prev"],
                              "after": both.loc[closed_now, "status"], "delta": np.nan}))
    rows.append(pd.DataFrame({"change": "closed project", "item_id": gone["project_id"],
                              "name": gone["name_prev"], "before": gone["status_prev"],
                              "after": "no longer in the data", "delta": np.nan}))
    h = both.loc[both["health"].fillna("") != both["health_prev"].fillna("")]
    h = h.loc[h["health"].notna() | h["health_prev"].notna()]
    rows.append(pd.DataFrame({"change": "health changed", "item_id": h["project_id"], "name": h["name"],
                              "before": h["health_prev"].fillna("(not running)"),
                              "after": h["health"].fillna("(not running)"), "delta": np.nan}))
    prev_cost = prev.set_index("project_id")["total_cost"].abs()
    for col, label, min_abs in (("total_cost", "forecast cost", None), ("npv", "NPV", None),
                                ("cpi", "CPI", 0.02), ("spi", "SPI", 0.02)):
        floor = min_abs if min_abs is not None else max(1.0, 0.01 * float(prev_cost.median() or 0))
        rows.append(_moves(prev, cur, col, label, min_abs=floor, top=top))
    for key, label, col in (("overallocated_people", "new over-allocation", "resource_id"),
                            ("high_impact_lessons", "new high-impact lesson", "lesson_id")):
        c, p = current.get(key, pd.DataFrame()), previous.get(key, pd.DataFrame())
        if c.empty or col not in c:
            continue
        before = set(p[col]) if col in p else set()
        n = c.loc[~c[col].isin(before)]
        rows.append(pd.DataFrame({"change": label, "item_id": n[col],
                                  "name": n["name"] if "name" in n else n.get("title", ""),
                                  "before": "", "after": n.get("detail", ""), "delta": np.nan}))
    out = pd.concat([r for r in rows if len(r)], ignore_index=True) if any(len(r) for r in rows) else \
        pd.DataFrame(columns=["change", "item_id", "name", "before", "after", "delta"])
    return out


_CHANGE_ORDER = ["health changed", "new project", "closed project", "CPI", "SPI", "forecast cost", "NPV",
                 "new over-allocation", "new high-impact lesson"]


def format_changes(changes: pd.DataFrame, *, per_kind: int = 3) -> pd.DataFrame:
    """Changes for reading: the ``per_kind`` first of each kind, in a fixed order, with money in
    the report's currency as whole amounts and CPI/SPI with two decimals (the exported CSV keeps
    full precision and no symbol).

    >>> from pmo_analysis import formatting
    >>> ch = pd.DataFrame({"change": ["NPV", "CPI"], "item_id": ["P1", "P1"], "name": ["ERP", "ERP"],
    ...                    "before": [1_200_000.0, 0.95], "after": [950_000.0, 0.81], "delta": [-250_000.0, -0.14]})
    >>> with formatting.using(currency="CNY", language="zh"):
    ...     format_changes(ch)[["before", "after", "delta"]].values.tolist()
    [['0.95', '0.81', '-0.14'], ['¥1,200,000', '¥950,000', '-¥250,000']]
    """
    d = changes.copy()
    d["_o"] = d["change"].map({k: i for i, k in enumerate(_CHANGE_ORDER)})
    d = d.sort_values("_o", kind="stable").groupby("change", sort=False).head(per_kind)

    def number(v, kind, sign: bool = False) -> str:
        if kind in _MONEY_CHANGES:
            return ("+" if sign and v > 0 else "") + fmt.money_full(v)
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
