"""Past lessons for the running projects, and lessons found by a search in English or Chinese."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from pmo_analysis.analyses.lessons.text import _fit_distinct
from pmo_analysis.analyses.lessons.themes import OTHER_THEME
from pmo_analysis.core.config import RUNNING_STATUSES
from pmo_analysis.core.wording import Reason, join

__all__ = ["lessons_for_projects", "SEARCH_EXAMPLES", "search_examples", "search_lessons"]


def lessons_for_projects(
    prepared: pd.DataFrame,
    projects: pd.DataFrame,
    *,
    as_of,
    top_n: int = 5,
    theme: pd.Series | None = None,
    chunk: int = 256,
) -> pd.DataFrame:
    """For each running project (active or on hold), the most relevant past lessons from other
    projects.

    score = 0.5 x text similarity (TF-IDF cosine between the lesson and the project's profile: its
    name plus the sum of its own lessons' vectors) + 0.2 if same department + 0.2 if the lesson's
    category or theme already appears in the project's own lessons + 0.1 if high impact.
    Returns project_id, lesson_id, score, reason.
    Projects are scored ``chunk`` at a time, so memory stays bounded for large registers. Lessons
    that score alike for every project (same text, department, category, theme and impact) are
    scored once; among lessons with equal scores, the earlier in the register comes first.
    """
    cols = ["project_id", "lesson_id", "score", "reason"]
    active = projects.loc[projects["status"].isin(RUNNING_STATUSES)].reset_index(drop=True)
    past = prepared.loc[prepared["date"] <= pd.Timestamp(as_of)].reset_index(drop=True)
    if active.empty or past.empty:
        return pd.DataFrame(columns=cols)
    th = (
        theme.reindex(prepared.index)[prepared["date"] <= pd.Timestamp(as_of)].reset_index(drop=True)
        if theme is not None
        else pd.Series(pd.NA, index=past.index)
    )
    past["theme"] = th.astype("string").replace(OTHER_THEME, "").fillna("")  # "other lessons" share no theme
    features = _MatchFeatures.build(past, active)
    k = min(top_n, len(past))
    out = [features.best(lo, min(lo + chunk, len(active)), k) for lo in range(0, len(active), chunk)]
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame(columns=cols)


@dataclass
class _MatchFeatures:
    """What :func:`lessons_for_projects` compares, built once. Lessons are grouped into **kinds**
    that score alike for every project (same distinct text, department, category, theme and
    impact); each kind is scored once, and its lessons are listed in register order.
    """

    past: pd.DataFrame
    active: pd.DataFrame
    U_text: Any  # distinct lesson texts x terms
    P_text: Any  # running project x terms (unit rows)
    kind_text: np.ndarray  # kind -> its row in U_text
    kind_cat: np.ndarray  # kind -> category number
    kind_theme: np.ndarray  # kind -> theme number (-1: none)
    kind_dept: np.ndarray
    kind_high: np.ndarray
    P_cat: np.ndarray  # running project x category: the project has a lesson in it
    P_theme: np.ndarray
    active_dept: np.ndarray
    own_kind: Any  # running project x kind: how many of the kind's lessons are the project's own
    kind_start: np.ndarray  # kind -> first position in ``members``
    kind_size: np.ndarray
    members: np.ndarray  # lesson positions, grouped by kind, in register order
    lesson_proj: np.ndarray  # position of the lesson's project among the running ones, -1 if none
    lesson_ids: np.ndarray = field(init=False)  # set by __post_init__
    lesson_cats: np.ndarray = field(init=False)
    project_ids: np.ndarray = field(init=False)

    def __post_init__(self):
        # as arrays once: converting the string columns per chunk would dominate
        self.lesson_ids = self.past["lesson_id"].to_numpy(dtype=object)
        self.lesson_cats = self.past["category"].astype(str).to_numpy(dtype=object)
        self.project_ids = self.active["project_id"].to_numpy(dtype=object)

    @classmethod
    def build(cls, past: pd.DataFrame, active: pd.DataFrame) -> _MatchFeatures:
        from scipy import sparse  # here: scipy.sparse takes 0.2 s to import
        from sklearn.preprocessing import normalize  # here: scikit-learn takes over 1 s to import

        vec, _, text_code, U_text = _fit_distinct(past["text"])
        pidx = pd.Index(active["project_id"]).get_indexer(past["project_id"])
        mine = pidx >= 0
        own = sparse.csr_matrix(
            (np.ones(mine.sum()), (pidx[mine], np.flatnonzero(mine))), shape=(len(active), len(past))
        )

        def membership(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
            codes, _ = pd.factorize(values.where(values != "", None), use_na_sentinel=True)
            ok = codes >= 0
            m = sparse.csr_matrix(
                (np.ones(ok.sum()), (np.flatnonzero(ok), codes[ok])), shape=(len(past), max(codes.max() + 1, 1))
            )
            return codes, (own @ m).toarray() > 0

        # a project's text profile: its name plus the sum of its own lessons' vectors
        P_text = normalize(vec.transform(active["name"].astype(str)) + own @ U_text[text_code])
        cat_code, P_cat = membership(past["category"].astype(str))
        theme_code, P_theme = membership(past["theme"])
        # integer codes: comparing millions of strings per chunk would dominate the run time
        dept_codes, _ = pd.factorize(pd.concat([past["department"].astype(str), active["department"].astype(str)]))
        high = (past["impact"] == "high").to_numpy()
        keys = pd.DataFrame({"t": text_code, "d": dept_codes[: len(past)], "c": cat_code, "h": theme_code, "i": high})
        kind = keys.groupby(list(keys.columns), sort=False).ngroup().to_numpy()
        k = keys.iloc[pd.Series(np.arange(len(kind))).groupby(kind).first().to_numpy()]
        col = {c: k[c].to_numpy(dtype=int) for c in ("t", "d", "c", "h")}
        members = np.argsort(kind, kind="stable")
        size = np.bincount(kind, minlength=len(k))
        own_kind = own @ sparse.csr_matrix(
            (np.ones(len(kind)), (np.arange(len(kind)), kind)), shape=(len(kind), len(k))
        )
        return cls(
            past,
            active,
            U_text,
            P_text,
            col["t"],
            col["c"],
            col["h"],
            col["d"],
            k["i"].to_numpy(dtype=bool),
            P_cat,
            P_theme,
            dept_codes[len(past) :],
            own_kind.tocsr(),
            np.cumsum(size) - size,
            size,
            members,
            pidx,
        )

    def best(self, lo: int, hi: int, k: int) -> pd.DataFrame:
        """The ``k`` best lessons of running projects ``lo`` to ``hi`` (one chunk), with reasons."""
        n = hi - lo
        # cosine similarity (rows have unit length), against each distinct text once
        sim = (self.P_text[lo:hi] @ self.U_text.T).toarray()[:, self.kind_text]
        same_dept = self.kind_dept[None, :] == self.active_dept[lo:hi, None]
        same_cat = self.P_cat[lo:hi][:, self.kind_cat]
        same_theme = np.where(self.kind_theme >= 0, self.P_theme[lo:hi][:, np.maximum(self.kind_theme, 0)], False)
        score = 0.5 * sim + 0.2 * same_dept + 0.2 * (same_cat | same_theme) + 0.1 * self.kind_high[None, :]
        # lessons a project may be shown: the kind's lessons that are not its own
        avail = self.kind_size[None, :] - self.own_kind[lo:hi].toarray()
        score[avail <= 0] = -1
        # the k best kinds hold the k best lessons (each kind left has at least one)
        m = min(k, score.shape[1])
        top = np.argpartition(-score, m - 1, axis=1)[:, :m]
        order = np.lexsort((top, -np.take_along_axis(score, top, axis=1)), axis=1)
        top = np.take_along_axis(top, order, axis=1)
        # expand each chosen kind into its first lessons (k plus the project's own, to skip them)
        r = np.repeat(np.arange(n), m)
        kd = top.ravel()
        take = np.minimum(self.kind_size[kd], k + np.asarray(self.own_kind[lo:hi][r, kd]).ravel().astype(int))
        rr = np.repeat(r, take)
        kk = np.repeat(kd, take)
        offset = np.arange(take.sum()) - np.repeat(np.cumsum(take) - take, take)
        j = self.members[self.kind_start[kk] + offset]
        ok = (self.lesson_proj[j] != lo + rr) & (score[rr, kk] > 0)
        rr, kk, j = rr[ok], kk[ok], j[ok]
        first_k = pd.Series(rr).groupby(rr).cumcount().to_numpy() < k  # in score order already
        r, kd, j = rr[first_k], kk[first_k], j[first_k]
        sc = score[r, kd]
        index = pd.RangeIndex(len(r))
        cat, theme = same_cat[r, kd], same_theme[r, kd]
        reason = join(
            [
                (cat, Reason("same_category", category=pd.Series(self.lesson_cats[j].astype(str), index=index))),
                (theme & ~cat, Reason("same_theme")),
                (same_dept[r, kd], Reason("same_department")),
                (np.ones(len(r), dtype=bool), Reason("text_similarity", value=pd.Series(sim[r, kd], index=index))),
                (self.kind_high[kd], Reason("high_impact_lesson")),
            ],
            index=index,
        ).to_numpy()
        return pd.DataFrame(
            {
                "project_id": self.project_ids[lo:hi][r],
                "lesson_id": self.lesson_ids[j],
                "score": np.round(sc, 3),
                "reason": reason,
            }
        )


#: The searches the lessons report shows as examples, one per language.
SEARCH_EXAMPLES = ("vendor delay", "需求变更")


def search_examples(lessons: pd.DataFrame, queries=SEARCH_EXAMPLES, *, top: int = 5) -> pd.DataFrame:
    """The best ``top`` lessons of each query (:func:`search_lessons`), with a ``query`` column.

    The portfolio model computes them where the register's words are already read (the lessons
    part), so that the report shows them without reading 100,000 lessons again in its kernel.

    >>> from pmo_analysis import load_portfolio
    >>> from pmo_analysis.core.config import SAMPLE_DATA_DIR
    >>> hits = search_examples(load_portfolio(SAMPLE_DATA_DIR).lessons)
    >>> hits.groupby("query", sort=False).size().to_dict()
    {'vendor delay': 5, '需求变更': 5}
    """
    found = [search_lessons(lessons, q, top=top).assign(query=q) for q in queries]
    return pd.concat(found, ignore_index=True) if found else pd.DataFrame({"query": []})


def search_lessons(lessons: pd.DataFrame, query: str, *, top: int = 10) -> pd.DataFrame:
    """Lessons ranked by relevance to ``query`` (English or Chinese), best first.

    TF-IDF cosine similarity on title + description, with the same tokenization as the themes, so
    "vendor delay" also finds 供应商交付延迟. Lessons with no match are left out.

    Examples
    --------
    >>> from pmo_analysis import load_portfolio
    >>> from pmo_analysis.core.config import SAMPLE_DATA_DIR
    >>> lessons = load_portfolio(SAMPLE_DATA_DIR).lessons
    >>> hits = search_lessons(lessons, "vendor delay")
    >>> bool(hits["title"].str.contains("endor|upplier|供应商").all())
    True
    >>> bool(search_lessons(lessons, "需求变更")["score"].gt(0).all())
    True
    """
    from sklearn.metrics.pairwise import cosine_similarity  # here: scikit-learn takes over 1 s to import

    if not isinstance(query, str) or not query.strip():
        raise ValueError("query must be a non-empty string")
    text = lessons["title"].fillna("") + ". " + lessons["description"].fillna("")
    try:
        vec, _, codes, distinct = _fit_distinct(text)  # as fit_transform, each distinct text once
        X = distinct[codes]
    except ValueError:
        return lessons.iloc[0:0].assign(score=pd.Series(dtype=float))
    q = vec.transform([query])
    score = cosine_similarity(q, X).ravel()
    order = np.argsort(score)[::-1][:top]
    order = order[score[order] > 0]
    cols = [
        c for c in ("lesson_id", "project_id", "date", "category", "kind", "impact", "title") if c in lessons.columns
    ]
    return lessons.iloc[order][cols].assign(score=score[order].round(3)).reset_index(drop=True)
