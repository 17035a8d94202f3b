"""How well the lessons themes find the problems: purity figures you can rerun.

    python -m pmo_analysis.analyses.lessons.evaluation                       # the bundled sample
    python -m pmo_analysis.analyses.lessons.evaluation ../shared/real-data/nasa-llis

The sample plants problem families, each written in English and/or Chinese (vendor delay, unclear
requirements, ...): :func:`sample_families` labels each lesson with its family from the title it
was generated from. NASA LLIS has no such labels: :func:`title_families` labels the lessons whose
title names a problem (software, test or verification, procedure).

Families written apart from the method, in English and Chinese (``tests/data/lessons_eval``):

* ``dev.csv``: the **development** families (vendor lock-in, scope creep, training gaps,
  infrastructure outages, budget overruns, communication breakdown), the ones the method's settings
  were chosen on;
* ``heldout.csv``: the **held-out** families (staff turnover, system performance, procurement delays,
  security weaknesses, data quality, stakeholder conflict), only measured;
* ``heldout3.csv``: the same six problems by a writer who never saw the method; ``heldout2.csv`` and
  ``heldout4.csv``: twelve other problems by such writers (their README says how far each is blind).

:func:`family_register` mixes one of them into a register that is not trivially separable: the
bundled sample's lessons and a fixed subset of 300 NASA LLIS lessons (``background.csv``);
:func:`family_cohesion` gives each family's share of its English and of its Chinese lessons in the one
theme holding most of the family.

    python -m pmo_analysis.analyses.lessons.evaluation tests/data/lessons_eval/dev.csv

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
from pathlib import Path

import numpy as np
import pandas as pd

from pmo_analysis.analyses import lessons as L
from pmo_analysis.analyses.lessons.text import mostly_chinese
from pmo_analysis.core.config import SAMPLE_DATA_DIR
from pmo_analysis.inputs.portfolio import load_portfolio

__all__ = [
    "SAMPLE_FAMILIES",
    "TITLE_FAMILIES",
    "sample_families",
    "title_families",
    "purity",
    "evaluate",
    "family_register",
    "family_cohesion",
    "MERGED_SHARE",
    "OWN_THEME_PURITY",
]

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
#: The problem of the list (:data:`pmo_analysis.analyses.lessons.problems.PROBLEMS`) each planted
#: family is about: a family file's lessons of that problem share their theme with these rightly.
SAMPLE_FAMILY_PROBLEMS = {
    "vendor delay": "vendor_delivery",
    "unclear requirements": "requirements_unclear",
    "requirement changes": "requirements_change",
    "test environment": "test_environment",
    "resource conflict": "resource_overallocation",
    "data migration": "data_migration",
    "key person left": "staff_turnover",
    "stakeholder communication": "communication",
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
    chinese = mostly_chinese(d["title"].fillna("") + d["description"])
    overall, by = purity(r.theme, fam, chinese, r.themes.set_index("theme")["name"])
    return (overall, by, r.themes) if with_themes else (overall, by)


def family_register(families_csv) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The lessons of ``families_csv`` (the lessons contract's columns plus ``family`` and
    ``language``, en or zh, and optionally ``problem``, the id of the family's problem in the list)
    mixed with the bundled sample's lessons and the NASA LLIS lessons of ``background.csv`` (beside
    it, or else in the repository's ``tests/data/lessons_eval``): (prepared lessons with ``family``
    and ``language``, empty for the background, ``theme`` of
    :func:`pmo_analysis.analyses.lessons.lesson_themes` at its defaults, and ``problem``, the
    problem of the family or of the sample's planted family; the themes).
    """
    here = Path(families_csv).parent
    if not (here / "background.csv").exists():
        here = Path(__file__).resolve().parents[3] / "tests" / "data" / "lessons_eval"
    fam = pd.read_csv(families_csv, dtype=str, keep_default_na=False)
    nasa = pd.read_csv(here / "background.csv", dtype=str, keep_default_na=False)
    sample = load_portfolio(SAMPLE_DATA_DIR)
    lessons = pd.concat([sample.table("lessons").astype({"date": str}), nasa, fam], ignore_index=True)
    lessons["date"] = pd.to_datetime(lessons["date"].str[:10])
    projects = pd.concat(
        [
            sample.table("projects")[["project_id", "name", "department"]],
            pd.read_csv(here / "background_projects.csv", dtype=str)[["project_id", "name", "department"]],
            pd.DataFrame({"project_id": sorted(fam["project_id"].unique())}).assign(
                name=lambda d: d["project_id"], department="Evaluation"
            ),
        ],
        ignore_index=True,
    )
    d = L.prepare(lessons, projects)
    r = L.lesson_themes(d)
    kin = sample_families(d).map(SAMPLE_FAMILY_PROBLEMS).where(d["family"].fillna("") == "")
    if "problem" in d:
        kin = kin.fillna(d["problem"].replace("", pd.NA))
    return d.assign(theme=r.theme, problem=kin), r.themes


#: A family **merges** when at least this share of its English and of its Chinese lessons are in
#: one theme (issue 28: 70% of each language)...
MERGED_SHARE = 0.7
#: ...and that theme is the family's own: at least this share of the theme's lessons come from the
#: family. Without it, one theme holding every family (and the register's other lessons) would
#: count as six families merged.
OWN_THEME_PURITY = 0.5


def family_cohesion(d: pd.DataFrame, themes: pd.DataFrame) -> pd.DataFrame:
    """Per family of ``d`` (from :func:`family_register`): the theme holding most of its lessons
    ("Other lessons" never counts as a family's theme), its name, the share of the family's
    English (``en``) and Chinese (``zh``) lessons in it, ``worst`` (the smaller of the two),
    ``purity`` (share of all the theme's lessons, the register's others included, that come from
    the family or, where ``d`` has ``problem``, from other lessons labelled with the family's problem:
    the sample's planted lessons of that problem) and ``merged``: ``worst`` at least
    :data:`MERGED_SHARE` and ``purity`` at least :data:`OWN_THEME_PURITY`.

    >>> d = pd.DataFrame({
    ...     "family": ["a", "a", "a", "a", "b", "b", "", ""],
    ...     "language": ["en", "en", "zh", "zh", "en", "zh", "", ""],
    ...     "theme": ["T1", "T1", "T1", "T2", "T1", "T1", "T1", "T2"],
    ... })
    >>> themes = pd.DataFrame({"theme": ["T1", "T2"], "name": ["One", "Two"]})
    >>> family_cohesion(d, themes)[["family", "theme", "en", "zh", "worst", "purity", "merged"]]
      family theme   en   zh  worst    purity  merged
    0      a    T1  1.0  0.5    0.5  0.500000   False
    1      b    T1  1.0  1.0    1.0  0.333333   False
    """
    f = d.dropna(subset=["family"]).loc[lambda x: x["family"] != ""]
    counts = f.loc[f["theme"] != L.OTHER_THEME].groupby(["family", "theme"]).size()
    best = counts.groupby(level="family").idxmax().str[1].reindex(sorted(f["family"].unique()))
    inside = f["theme"].to_numpy() == f["family"].map(best).to_numpy()
    share = f.assign(inside=inside).groupby(["family", "language"])["inside"].mean().unstack("language")
    out = pd.DataFrame({"theme": best, "name": best.map(themes.set_index("theme")["name"])}).join(share)
    out["worst"] = out[["en", "zh"]].min(axis=1)
    size = d["theme"].value_counts()
    own = counts.reindex(list(zip(best.index, best, strict=True))).to_numpy()
    if "problem" in d:  # the sample's planted lessons of the family's own problem are the family's kin
        problem = f.groupby("family")["problem"].first().reindex(best.index)
        others = d.loc[d["family"].fillna("") == ""].dropna(subset=["problem"])
        kin = others.groupby(["problem", "theme"]).size()
        own = own + np.array(  # families, not lessons
            [kin.get((p, t), 0) if isinstance(p, str) else 0 for p, t in zip(problem, best, strict=True)]
        )
    out["purity"] = own / best.map(size).to_numpy()
    out["merged"] = (out["worst"] >= MERGED_SHARE) & (out["purity"] >= OWN_THEME_PURITY)
    return out.rename_axis("family").reset_index()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args and args[0].endswith(".csv"):
        if not Path(args[0]).is_file():
            print(f"{args[0]}: no such file", file=sys.stderr)
            return 2
        d, themes = family_register(args[0])
        fam = family_cohesion(d, themes)
        with pd.option_context("display.width", 200, "display.max_columns", 20):
            print(fam.to_string(index=False, float_format="{:.0%}".format))
        print(
            f"families merged (each language at {MERGED_SHARE:.0%} or more in one theme, and that theme at least"
            f" {OWN_THEME_PURITY:.0%} the family's): {int(fam['merged'].sum())} of {len(fam)}"
        )
        return 0
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
