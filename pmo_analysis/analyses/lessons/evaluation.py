"""How well the lessons themes find the problems: purity figures you can rerun.

    python -m pmo_analysis.analyses.lessons.evaluation                       # the bundled sample
    python -m pmo_analysis.analyses.lessons.evaluation ../shared/real-data/nasa-llis

The sample plants problem families, each written in English and/or Chinese (vendor delay, unclear
requirements, ...): :func:`sample_families` labels each lesson with its family from the title it
was generated from. NASA LLIS has no such labels: :func:`title_families` labels the lessons whose
title names a problem (software, test or verification, procedure).

Figures (:func:`purity`):

* **purity** of a theme: share of its labelled lessons that come from its largest family; overall,
  weighted by the theme's labelled lessons.
* **cohesion** of a family: share of its lessons in the one theme holding most of them, with that
  theme's name, and whether that theme holds both languages of the family. (A *theme's* cohesion,
  printed with the themes, is :func:`pmo_analysis.analyses.lessons.themes._cohesion`: how much more alike its
  lessons are than the register's.)
"""

from __future__ import annotations

import sys

import pandas as pd

from pmo_analysis.analyses import lessons as L
from pmo_analysis.analyses.lessons.text import _HAN
from pmo_analysis.core.config import SAMPLE_DATA_DIR
from pmo_analysis.inputs.portfolio import load_portfolio

__all__ = ["SAMPLE_FAMILIES", "TITLE_FAMILIES", "sample_families", "title_families", "purity", "evaluate"]

#: Problem families planted in the sample (pmo_analysis/inputs/sample.py), by the start of their titles.
SAMPLE_FAMILIES = {
    "vendor delay": r"^(?:Vendor delivered|Supplier delay|供应商交付延迟)",
    "unclear requirements": r"^(?:Unclear requirements|需求不明确)",
    "requirement changes": r"^(?:Late requirement changes|需求变更频繁)",
    "test environment": r"^(?:Test environment not ready|测试环境不稳定)",
    "resource conflict": r"^(?:Team members over-allocated|关键人员被多个项目同时占用)",
    "data migration": r"^(?:Data migration underestimated|数据迁移质量问题)",
    "key person left": r"^Key developer left",
    "stakeholder communication": r"^Stakeholders surprised",
}
#: Problems named in a lesson's title (NASA LLIS): family -> pattern (case-insensitive).
TITLE_FAMILIES = {
    "software": r"\bsoftware\b",
    "test and verification": r"\b(?:test\w*|verif\w*)\b",
    "procedure": r"\bprocedur\w*\b",
}


def _label(titles: pd.Series, families: dict[str, str], *, case: bool) -> pd.Series:
    out = pd.Series(pd.NA, index=titles.index, dtype="string")
    for family, pattern in families.items():  # families, not rows; the first that matches wins
        hit = titles.str.contains(pattern, case=case, regex=True, na=False) & out.isna()
        out[hit] = family
    return out


def sample_families(lessons: pd.DataFrame) -> pd.Series:
    """The planted family of each sample lesson (empty for ``went_well`` lessons)."""
    return _label(lessons["title"].astype("string"), SAMPLE_FAMILIES, case=True)


def title_families(lessons: pd.DataFrame) -> pd.Series:
    """The problem a lesson's title names, from :data:`TITLE_FAMILIES`, or empty."""
    return _label(lessons["title"].astype("string"), TITLE_FAMILIES, case=False)


def purity(
    theme: pd.Series, family: pd.Series, chinese: pd.Series, names: pd.Series | None = None
) -> tuple[float, pd.DataFrame]:
    """Overall purity of the themes, and one row per family: lessons, the theme holding most of
    them (``theme``, ``name``), ``cohesion`` (share in that theme), ``theme_purity`` (share of that
    theme's labelled lessons from this family), and the family's English and Chinese lessons in
    that theme.
    """
    d = pd.DataFrame({"theme": theme, "family": family, "zh": chinese}).dropna(subset=["theme", "family"])
    if d.empty:
        return float("nan"), pd.DataFrame()
    counts = pd.crosstab(d["theme"], d["family"])
    overall = float(counts.max(axis=1).sum() / counts.to_numpy().sum())
    best = counts.idxmax(axis=0)
    fam = pd.DataFrame(
        {"lessons": counts.sum(axis=0), "theme": best, "cohesion": counts.max(axis=0) / counts.sum(axis=0)}
    )
    fam["theme_purity"] = [counts[f].loc[t] / counts.loc[t].sum() for f, t in best.items()]
    inside = d.merge(fam[["theme"]], left_on="family", right_index=True, suffixes=("", "_best"))
    inside = inside.loc[inside["theme"] == inside["theme_best"]]
    fam["english_in_theme"] = inside.loc[~inside["zh"]].groupby("family").size().reindex(fam.index, fill_value=0)
    fam["chinese_in_theme"] = inside.loc[inside["zh"]].groupby("family").size().reindex(fam.index, fill_value=0)
    fam["english"] = d.loc[~d["zh"]].groupby("family").size().reindex(fam.index, fill_value=0)
    fam["chinese"] = d.loc[d["zh"]].groupby("family").size().reindex(fam.index, fill_value=0)
    if names is not None:
        fam.insert(2, "name", fam["theme"].map(names))
    return overall, fam.rename_axis("family").reset_index()


def evaluate(data_dir, *, n_themes: int = 12, with_themes: bool = False):
    """Purity of the text themes of the lessons in ``data_dir``: planted families when it is the
    bundled sample (titles match :data:`SAMPLE_FAMILIES`), else the problems titles name; with
    ``with_themes``, the themes (lessons, projects, cohesion) as a third item.
    """
    p = load_portfolio(data_dir)
    d = L.prepare(p.table("lessons"), p.projects)
    r = L.lesson_themes(d, n_themes=n_themes)
    fam = sample_families(d)
    if fam.notna().sum() < 0.5 * (d["kind"] == "to_improve").sum():
        fam = title_families(d)
    text = d["title"].fillna("") + d["description"]
    chinese = text.str.count(_HAN) * 2 > text.str.len()
    overall, by = purity(r.theme, fam, chinese, r.themes.set_index("theme")["name"])
    return (overall, by, r.themes) if with_themes else (overall, by)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    overall, fam, themes = evaluate(args[0] if args else SAMPLE_DATA_DIR, with_themes=True)
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(fam.to_string(index=False, float_format="{:.0%}".format))
        print(themes[["theme", "name", "lessons", "projects", "cohesion"]].to_string(index=False))
    print(f"overall purity of the themes: {overall:.0%}")
    print(
        f"largest theme: {themes['name'].iloc[themes['lessons'].argmax()]!r}, {themes['lessons'].max()} lessons"
        f" ({themes['lessons'].max() / themes['lessons'].sum():.0%}); cohesion: how many times more alike"
        f" two of its lessons are than two lessons of the register (a theme is cohesive at {L.MIN_COHESION:g})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
