"""The lessons register prepared for the analyses, and counted: by category, phase or impact, by
quarter, the open actions and their follow-through per owner, and the practices that went well.
"""

from __future__ import annotations

from collections import Counter

import pandas as pd

from pmo_analysis.analyses.lessons import text as T
from pmo_analysis.analyses.lessons.text import tokenize
from pmo_analysis.core.config import OWNER_ALIASES

__all__ = [
    "prepare",
    "normalise_owners",
    "lessons_by_category",
    "overview",
    "quarterly_trend",
    "open_actions",
    "action_followthrough",
    "high_impact_done_share",
    "went_well",
]


def prepare(
    lessons: pd.DataFrame, projects: pd.DataFrame | None = None, *, owner_aliases: dict[str, str] | None = None
) -> pd.DataFrame:
    """Lessons with ``text`` (title + description), ``department`` and ``project_name`` (from the
    project), ``quarter``, owners normalised (:func:`normalise_owners`) and the optional columns
    filled with empty values. Rows come in ``lesson_id`` order, so themes and ties never depend on
    the order a file or a database gave them in.
    """
    df = lessons.sort_values("lesson_id", kind="stable").reset_index(drop=True)
    for c in ("phase", "recommendation", "action_status", "owner"):
        if c not in df.columns:
            df[c] = pd.NA
    df["owner"] = normalise_owners(df["owner"], aliases=owner_aliases)
    df["description"] = df["description"].fillna("")
    df["text"] = df["title"].fillna("") + ". " + df["description"]
    if projects is not None:
        by_id = projects.drop_duplicates("project_id").set_index("project_id")
        df["department"] = df["project_id"].map(by_id["department"])
        df["project_name"] = df["project_id"].map(by_id["name"]).fillna(df["project_id"])
    else:
        df["department"] = pd.NA
        df["project_name"] = df["project_id"]
    df["quarter"] = df["date"].dt.to_period("Q").astype(str)
    return df


def normalise_owners(owner: pd.Series, *, aliases: dict[str, str] | None = None) -> pd.Series:
    """Owner names with spaces trimmed and every alias replaced by its one name.

    ``aliases`` maps an alias to the name it stands for (default: :data:`config.OWNER_ALIASES`);
    matching ignores case and surrounding spaces. Empty names become missing.

    Examples
    --------
    >>> normalise_owners(pd.Series(["PMO", " 项目管理办公室 ", "project management office", "QA", ""])).tolist()
    ['PMO', 'PMO', 'PMO', 'QA', <NA>]
    """
    aliases = OWNER_ALIASES if aliases is None else aliases
    s = owner.astype("string").str.strip().replace({"": pd.NA})
    lookup = {v.strip().casefold(): v for v in aliases.values()}  # the one name, however written
    lookup.update({k.strip().casefold(): v for k, v in aliases.items()})
    mapped = s.str.casefold().map(lookup)
    return mapped.fillna(s).astype("string")


# --------------------------------------------------------------------------- counting
def lessons_by_category(prepared: pd.DataFrame) -> pd.DataFrame:
    """category, kind, lessons, high_impact, projects (distinct), sorted by lessons."""
    g = prepared.assign(high=prepared["impact"] == "high").groupby(["category", "kind"], observed=True)
    out = g.agg(
        lessons=("lesson_id", "size"), high_impact=("high", "sum"), projects=("project_id", "nunique")
    ).reset_index()
    return out.sort_values(["lessons", "category"], ascending=[False, True]).reset_index(drop=True)


def overview(prepared: pd.DataFrame, *, by: str) -> pd.DataFrame:
    """Lessons per value of ``by`` (phase, impact, kind...) and kind, empty values as "(none)"."""
    col = prepared[by].astype("string").fillna("(none)")
    return (
        prepared.assign(**{by: col})
        .groupby([by, "kind"], observed=True)
        .size()
        .unstack("kind", fill_value=0)
        .reset_index()
    )


def quarterly_trend(prepared: pd.DataFrame) -> pd.DataFrame:
    """Lessons per quarter and kind (every quarter between the first and last lesson)."""
    t = prepared.groupby(["quarter", "kind"]).size().unstack("kind", fill_value=0)
    if prepared.empty:  # a register exported with its header only: no quarter
        return t.rename_axis("quarter").reset_index()
    q = pd.period_range(prepared["date"].min(), prepared["date"].max(), freq="Q").astype(str)
    return t.reindex(q, fill_value=0).rename_axis("quarter").reset_index()


# --------------------------------------------------------------------------- actions
_OPEN = ("open", "in_progress")


def open_actions(prepared: pd.DataFrame, *, as_of) -> pd.DataFrame:
    """Recommendations still open or in progress, oldest first, with their age in days."""
    d = prepared.loc[prepared["action_status"].isin(_OPEN) & prepared["recommendation"].notna()].copy()
    d["age_days"] = (pd.Timestamp(as_of) - d["date"]).dt.days
    d["owner"] = d["owner"].fillna("(no owner)")
    cols = [
        "lesson_id",
        "project_id",
        "date",
        "age_days",
        "owner",
        "impact",
        "category",
        "title",
        "recommendation",
        "action_status",
    ]
    return d.sort_values(["age_days"], ascending=False)[cols].reset_index(drop=True)


def action_followthrough(prepared: pd.DataFrame, *, as_of) -> pd.DataFrame:
    """Per owner: open actions, of which high impact, oldest age, and median age in days."""
    o = open_actions(prepared, as_of=as_of)
    g = o.assign(high=o["impact"] == "high").groupby("owner")
    out = g.agg(
        open_actions=("lesson_id", "size"),
        high_impact=("high", "sum"),
        oldest_days=("age_days", "max"),
        median_age_days=("age_days", "median"),
    ).reset_index()
    return out.sort_values(["open_actions", "oldest_days"], ascending=False).reset_index(drop=True)


def high_impact_done_share(prepared: pd.DataFrame) -> float:
    """Share of high-impact ``to_improve`` lessons whose action is done (count / count)."""
    high = prepared.loc[(prepared["impact"] == "high") & (prepared["kind"] == "to_improve")]
    return float((high["action_status"] == "done").sum() / len(high)) if len(high) else float("nan")


# --------------------------------------------------------------------------- what went well
def went_well(prepared: pd.DataFrame) -> pd.DataFrame:
    """Practices most often reported as working: per category of ``went_well`` lessons, how many
    lessons and projects, the most common terms and an example title.
    """
    good = prepared.loc[prepared["kind"] == "went_well"].sort_values(
        ["date", "lesson_id"], ascending=False, kind="stable"
    )
    if good.empty:
        return pd.DataFrame(columns=["practice", "lessons", "projects", "top_terms", "example_title"])
    g = good.groupby("category")
    out = (
        g.agg(lessons=("lesson_id", "size"), projects=("project_id", "nunique"), example_title=("title", "first"))
        .reset_index()
        .rename(columns={"category": "practice"})
    )
    forms, _ = T.surface_forms(good["text"])
    out["top_terms"] = out["practice"].map(g["text"].apply(list)).map(lambda t: _common_terms(t, forms))
    cols = ["practice", "lessons", "projects", "top_terms", "example_title"]
    return out.sort_values(["projects", "lessons"], ascending=False)[cols].reset_index(drop=True)


def _common_terms(texts, forms: dict[str, str], k: int = 6) -> str:
    """The ``k`` terms found in most of ``texts``, as readable words."""
    counts = Counter(t for text in texts for t in set(tokenize(text, phrases=False)))
    # ties in term order: a set's order changes from one process to the next, the report must not
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:k]
    return ", ".join(forms.get(t, t) for t, _ in top)
