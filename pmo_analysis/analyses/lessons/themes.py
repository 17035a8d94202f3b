"""Themes of the ``to_improve`` lessons: text themes found by clustering in the concept space and
named, category themes, the recurring problems, and the fixes that did not stick.

The rules are written in :mod:`pmo_analysis.analyses.lessons` and docs/definitions.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from pmo_analysis.analyses.lessons import meaning as M
from pmo_analysis.analyses.lessons import problems as P
from pmo_analysis.analyses.lessons import text as T
from pmo_analysis.analyses.lessons.text import _fit_distinct
from pmo_analysis.core.wording import listing

__all__ = [
    "MISSING_CATEGORIES",
    "TITLE_WEIGHT",
    "CONCEPT_WEIGHT",
    "CROSS_LANGUAGE_MERGE",
    "MIXED_LANGUAGE_MERGE",
    "SAME_LANGUAGE_MERGE",
    "MIN_COHESION",
    "MIN_SPLIT_SHARE",
    "NEIGHBOURS",
    "OTHER_THEME",
    "OTHER_NAME",
    "OTHER_NAME_ZH",
    "DUPLICATE_SHARE",
    "LessonThemes",
    "lesson_themes",
    "assign_themes",
    "recurring_themes",
    "fixes_that_did_not_stick",
    "in_language",
]


#: Category values that say the lesson was not categorised: never reported as a recurring problem.
MISSING_CATEGORIES = frozenset(
    {
        "",
        "uncategorized",
        "uncategorised",
        "none",
        "n/a",
        "na",
        "null",
        "unknown",
        "other",
        "others",
        "misc",
        "miscellaneous",
        "general",
        "(none)",
        "未分类",
        "其他",
        "无",
    }
)
#: Weight of the title in a lesson's theme vector (the description has the rest): the title is the
#: lesson's problem statement, the description mostly its story.
TITLE_WEIGHT = 0.7
#: Weight of a PMO concept (:func:`pmo_analysis.analyses.lessons.text.pmo_concepts`, and a phrase of two) in a
#: lesson's theme vector, against 1 for other terms. Without it, lessons group by the things they
#: concern (NASA LLIS: orbiter, tank, crane) and a problem spread over many things (procedures not
#: followed, on a crane, a valve or a circuit) is no theme: 1 puts 25% of the NASA lessons whose
#: titles name procedures in one theme (named after contamination control), 2.5 puts 96% there, in a
#: theme named after procedures (measured with ``python -m pmo_analysis.analyses.lessons.evaluation``).
CONCEPT_WEIGHT = 2.5
#: Weight of a lesson's problem in its theme vector, against 1 for all its words together: two
#: lessons of one problem written in no common word are 0.5 alike (w^2 / (1 + w^2)).
PROBLEM_WEIGHT = 1.0
#: A lesson's cues (:func:`pmo_analysis.analyses.lessons.problems.problem_scores`) become evidence
#: ``score / (total + CUE_PRIOR)``: one cue in a description (a weight of 2 to 7) is weak evidence,
#: a title naming the problem strong (chosen on the development families and the sample).
CUE_PRIOR = 5.0
#: Weight of a lesson's likeness to the reference lessons (a softmax of the standardised likeness
#: at :data:`MEANING_TEMPERATURE`) against its cues' evidence. Cues were chosen on the development
#: families; meaning generalises to lessons written otherwise, so it weighs twice (measured on the
#: families written apart from the method, heldout2-4: 1 to 3 points more lessons in their problem
#: than at equal weight).
MEANING_WEIGHT = 2.0
MEANING_TEMPERATURE = 0.5
#: Weight of a lesson's n-grams (:func:`pmo_analysis.analyses.lessons.ngrams.problem_probabilities`,
#: the probability of each problem by the character n-grams of the reference lessons) against its cues' evidence,
#: gated like meaning (:data:`MEANING_FLOOR`). Chosen on the five earlier family sets among 2, 3, 4
#: and 6: at 4, 86.6% of their lessons are in their problem (82% without them), and 80% of
#: the blind sets' (73% without).
NGRAM_WEIGHT = 4.0
#: A lesson whose best likeness to a reference lesson is below ``MEANING_FLOOR`` (cosine, first
#: encoder) reads like no project problem: meaning gives it no evidence and its cues count
#: ``CUE_FLOOR`` of their weight; the full weights are reached at ``MEANING_FULL``. Measured with
#: 216 reference lessons per problem: NASA LLIS engineering findings have a median of 0.356 (90th
#: percentile 0.42), the lessons of the family sets 0.51 (5th percentile 0.415). With 160 they were
#: 0.345 and 0.50, and the bounds 0.34 and 0.44: the bounds follow the medians as references are added.
#: The floor is where the second encoder starts reading (:data:`~pmo_analysis.analyses.lessons.meaning.E5_FROM`).
MEANING_FLOOR = M.E5_FROM
MEANING_FULL, CUE_FLOOR = 0.455, 0.5
#: Lessons whose words are at least this alike (cosine of the theme vectors) are one lesson copied
#: with a name changed: they share their evidence and their problem (:func:`_near_copies`).
NEAR_COPY = 0.8
#: A theme grouped by its words is named by a problem of the list when at least this share of its
#: lessons have that problem (the lessons of a problem too rare for a theme of its own group together).
PROBLEM_NAME_SHARE = 0.8
#: Label spreading (:func:`pmo_analysis.analyses.lessons.problems.spread`): each lesson linked to its
#: this many nearest in meaning, and the share of its evidence that comes from them.
NEIGHBOURS_MEANING, SPREAD = 10, 0.5
#: A lesson has the problem with the most evidence when that evidence reaches this. With the
#: n-grams' evidence (:data:`NGRAM_WEIGHT`) a lesson has more evidence in all: at 0.4 as many
#: lessons of the family sets have their problem as at 0.25, and fewer of the background's NASA
#: engineering findings have a problem of the list (29%, against 46% at 0.25; 34% before the
#: n-grams).
MIN_PROBLEM_EVIDENCE = 0.4
#: A lesson whose title names a problem of the list (:func:`~pmo_analysis.analyses.lessons.problems.named`)
#: is about that problem: its seed is this much evidence for it (shared when it names several), in
#: place of its cues and meaning, and its problem is one its title names.
NAMED_WEIGHT = 2.0
#: Two themes written mostly in different languages are one theme when each is the other's closest
#: theme in the other language and their centroids' cosine similarity is at least this.
CROSS_LANGUAGE_MERGE = 0.1
#: A theme written in one language and a theme written in both are one theme when each is the other's
#: closest theme of the other make-up and their cosine similarity is at least this (the one-language
#: half of a bilingual problem split off: "Supplier delay hit the critical path").
MIXED_LANGUAGE_MERGE = 0.25
#: Two themes in the same language are one theme when their centroids' cosine similarity is at
#: least this (the clustering split one problem in two).
SAME_LANGUAGE_MERGE = 0.7
#: A text theme is **cohesive** when the mean cosine similarity between two of its lessons is at least
#: this many times the mean between any two ``to_improve`` lessons of the register (its ``cohesion``,
#: :func:`_cohesion`). A miscellany -- the lessons that share no problem with others -- is no more
#: alike than the register (NASA LLIS: 0.7), the problems are far more alike (NASA LLIS: 2.3 to 20,
#: the sample and the generated registers: 4.5 to 9). See :func:`_split_miscellany`.
MIN_COHESION = 2.0
#: A theme split off a miscellany holds at least this share of the ``to_improve`` lessons: below it,
#: bisecting finds a handful of near-copies that look cohesive because they were picked to be (NASA
#: LLIS, 1,292 lessons: 26).
MIN_SPLIT_SHARE = 0.02
#: Neighbours of each lesson in the graph whose communities are the problems a miscellany still holds
#: (:func:`_miscellany_communities`): a lesson is linked to its this many most similar lessons.
NEIGHBOURS = 10
#: Theme id and names of the lessons left in no cohesive theme: never a recurring problem.
OTHER_THEME = "Other"
OTHER_NAME, OTHER_NAME_ZH = "Other lessons", "其他经验教训"
#: Text themes are a category again when each has at least this share of its lessons in the category
#: and together they hold at least this share of the category's lessons (:func:`_category_parts`): they
#: are shown once, on the category.
DUPLICATE_SHARE = 0.8


@dataclass
class _Space:
    """The ``to_improve`` lessons as unit vectors in the shared concept space, built once."""

    bad: pd.DataFrame
    X: Any  # lessons x terms, rows of unit length
    vocab: np.ndarray
    forms: dict[str, str]
    forms_zh: dict[str, str]
    chinese: np.ndarray  # lesson written (mostly) in Chinese
    in_title: Any  # lessons x terms, 1 where the title uses the term
    problem: np.ndarray  # index in problems.PROBLEMS of each lesson's problem, -1 for none
    base: float = float("nan")  # mean similarity of two lessons of the whole register

    @property
    def terms(self):
        """Lessons x terms (the columns of ``X`` before the problems')."""
        return self.X[:, : len(self.vocab)]

    def subset(self, rows: np.ndarray) -> _Space:
        """The lessons ``rows`` (a mask or positions), measured against the whole register."""
        return _Space(
            self.bad.iloc[np.flatnonzero(rows) if np.asarray(rows).dtype == bool else rows],
            self.X[rows],
            self.vocab,
            self.forms,
            self.forms_zh,
            self.chinese[rows],
            self.in_title[rows],
            self.problem[rows],
            self.base,
        )

    @classmethod
    def build(cls, prepared: pd.DataFrame) -> _Space | None:
        from scipy import sparse  # here: scipy.sparse takes 0.2 s to import
        from sklearn.preprocessing import normalize  # here: scikit-learn takes over 1 s to import

        bad = prepared.loc[prepared["kind"] == "to_improve"]
        if len(bad) < 2:
            return None
        labels = T.field_labels(bad["description"])
        title = T.strip_labels(bad["title"].fillna("").astype(str), labels)
        desc = T.strip_labels(bad["description"].fillna("").astype(str), labels)
        names = T.name_terms(desc, bad["project_id"])
        try:
            vec, df, _, _ = _fit_distinct(title + ". " + desc)
        except ValueError:  # no terms at all
            return None
        vocab = vec.get_feature_names_out()
        parts = pd.Series(vocab).str.split(" ")
        # names and Chinese words the dictionary could not translate say nothing across lessons;
        # in 20 lessons or more, a term must be in 2 lessons and in at most half of them
        keep = ~parts.map(lambda ws: any(w in names or T._CJK.match(w) for w in ws)).to_numpy()
        if len(bad) >= 20:
            keep &= (df >= 2) & (df <= 0.5 * len(bad))
        if not keep.any():
            return None
        concepts = T.pmo_concepts()
        weight = sparse.diags(
            np.where(parts[keep].map(lambda ws: all(w in concepts for w in ws)).to_numpy(), CONCEPT_WEIGHT, 1.0)
        )
        Xt = _unique_rows(vec, title)[:, keep]
        X = normalize(
            TITLE_WEIGHT * normalize(Xt @ weight)
            + (1 - TITLE_WEIGHT) * normalize(_unique_rows(vec, desc)[:, keep] @ weight)
        )
        chinese = T.mostly_chinese(title + desc).to_numpy()
        problem = _problems(title, desc, chinese, X)
        has = problem >= 0
        one_hot = sparse.csr_matrix(
            (np.full(has.sum(), PROBLEM_WEIGHT), (np.flatnonzero(has), problem[has])), shape=(len(bad), len(P.PROBLEMS))
        )
        X = normalize(sparse.hstack([X, one_hot]).tocsr())
        forms, forms_zh = T.surface_forms(title + ". " + desc)
        space = cls(bad, X, vocab[keep], forms, forms_zh, chinese, (Xt > 0).astype(float).tocsr(), problem)
        pair, _ = _pair_similarity(X, np.zeros(len(bad), dtype=int), 1)
        space.base = float(pair[0])
        return space

    def centroids(self, groups: np.ndarray, n: int) -> np.ndarray:
        """Mean vector of each group 0..n-1 (dense, n x terms)."""
        from scipy import sparse  # here: scipy.sparse takes 0.2 s to import

        ok = groups >= 0
        member = sparse.csr_matrix((np.ones(ok.sum()), (groups[ok], np.flatnonzero(ok))), shape=(n, len(groups)))
        size = np.asarray(member.sum(axis=1)).ravel()
        return np.asarray((member @ self.X).todense()) / np.maximum(size, 1)[:, None]


def _near_copies(X) -> np.ndarray:
    """Group number of each row of ``X`` (unit rows): rows at least :data:`NEAR_COPY` alike in their
    words are one group, and so are the rows linked through such pairs (a lesson copied from project
    to project with the system's name changed: "Unclear requirements caused rework on the ERP
    module", "... on the mobile app").
    """
    from scipy import sparse  # here: scipy.sparse takes 0.2 s to import
    from scipy.sparse.csgraph import connected_components  # here: scipy.sparse takes 0.2 s to import

    n = X.shape[0]
    pairs = []
    for start in range(0, n, 1000):  # blocks of lessons, not lessons
        S = (X[start : start + 1000] @ X.T).tocoo()
        keep = S.data >= NEAR_COPY
        pairs.append((S.row[keep] + start, S.col[keep]))
    rows = np.concatenate([p[0] for p in pairs]) if pairs else np.zeros(0, dtype=int)
    cols = np.concatenate([p[1] for p in pairs]) if pairs else np.zeros(0, dtype=int)
    graph = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    return connected_components(graph, directed=False)[1]


def _problems(title: pd.Series, desc: pd.Series, chinese: np.ndarray, X) -> np.ndarray:
    """Index in :data:`~pmo_analysis.analyses.lessons.problems.PROBLEMS` of each lesson's problem, -1
    for none (``X``: the lessons' theme vectors of words). Identical lessons count once.

    Three kinds of evidence seed each lesson: its cues
    (:func:`~pmo_analysis.analyses.lessons.problems.problem_scores`, as ``score / (total +``
    :data:`CUE_PRIOR` ``)``), how much it reads like each problem's reference lessons
    (:func:`~pmo_analysis.analyses.lessons.meaning.reference_likeness`, a softmax at
    :data:`MEANING_TEMPERATURE`, weighted by :data:`MEANING_WEIGHT`) and what the reference lessons'
    n-grams say of its words (:func:`~pmo_analysis.analyses.lessons.ngrams.problem_probabilities`, weighted by
    :data:`NGRAM_WEIGHT`). A lesson unlike any reference
    lesson (an engineering finding rather than a project problem) gets less: see
    :data:`MEANING_FLOOR`. A lesson whose title names a problem has that problem
    (:data:`NAMED_WEIGHT`). Near copies (:data:`NEAR_COPY`) share their evidence. The evidence then
    spreads along the lessons of like meaning (:func:`~pmo_analysis.analyses.lessons.problems.spread`),
    and the problem with the most is kept when it reaches :data:`MIN_PROBLEM_EVIDENCE`.
    """
    from pmo_analysis.analyses.lessons import ngrams as N

    codes, _ = pd.factorize(title.astype(str) + "\0" + desc.astype(str))
    first = pd.Series(np.arange(len(codes))).groupby(codes).first().to_numpy()
    t, d = title.iloc[first], desc.iloc[first]
    cues = P.problem_scores(t, d)
    cues = cues / (cues.sum(axis=1, keepdims=True) + CUE_PRIOR)
    top, like = M.reference_likeness(t, d)
    near = np.clip((top - MEANING_FLOOR) / (MEANING_FULL - MEANING_FLOOR), 0, 1)[:, None]
    soft = np.exp((like - like.max(axis=1, keepdims=True)) / MEANING_TEMPERATURE)
    soft /= soft.sum(axis=1, keepdims=True)
    words = N.problem_probabilities(M.text(t, d))
    seeds = (CUE_FLOOR + (1 - CUE_FLOOR) * near) * cues + near * (MEANING_WEIGHT * soft + NGRAM_WEIGHT * words)
    name = P.named(t)
    by_name = name.any(axis=1)
    seeds[by_name] = NAMED_WEIGHT * name[by_name] / name[by_name].sum(axis=1, keepdims=True)
    group = _near_copies(X[first])
    seeds = pd.DataFrame(seeds).groupby(group).transform("mean").to_numpy()
    F = P.spread(seeds, M.meaning(t, d, chinese[first]), neighbours=NEIGHBOURS_MEANING, alpha=SPREAD)
    F = pd.DataFrame(F).groupby(group).transform("mean").to_numpy(copy=True)
    F[by_name] = np.where(name[by_name], F[by_name], 0)
    strong = F.max(axis=1, initial=0) >= MIN_PROBLEM_EVIDENCE
    return np.where(strong, P.problem_of(F), -1)[codes]


def _unique_rows(vec, texts: pd.Series):
    """``vec.transform(texts)``, each distinct text transformed once (registers copy lessons)."""
    codes, uniq = pd.factorize(texts)
    return vec.transform(pd.Series(uniq, dtype=object))[codes]


def _cluster(space: _Space, n_themes: int, random_state: int) -> np.ndarray:
    """Theme number per lesson: spherical k-means on the unit vectors (identical lessons counted
    once, with their weight), then themes that are one problem merged (see the merge constants).
    """
    from sklearn.cluster import KMeans  # here: scikit-learn takes over 1 s to import

    X = space.X
    # identical lessons (copies, templates) clustered once, weighted by their count
    text = space.bad["title"].fillna("").astype(str) + "\0" + space.bad["description"].fillna("").astype(str)
    codes, _ = pd.factorize(text)
    first = pd.Series(np.arange(len(codes))).groupby(codes).first().to_numpy()
    weight = np.bincount(codes)
    U = X[first]
    k = int(max(1, min(n_themes, U.shape[0])))
    if k == 1:
        return np.zeros(X.shape[0], dtype=int)
    km = KMeans(n_clusters=k, n_init=3, random_state=random_state).fit(U, sample_weight=weight)
    label = km.labels_[codes]
    return _merge(space, label, k)


def _merge(space: _Space, label: np.ndarray, k: int) -> np.ndarray:
    """Merge themes that are one problem: mutual closest themes across languages (cosine >=
    CROSS_LANGUAGE_MERGE), a one-language theme and its mutual closest bilingual theme (cosine >=
    MIXED_LANGUAGE_MERGE, once the other rules merge nothing, so that it joins whole themes, not the
    halves of one), and themes of one language closer than SAME_LANGUAGE_MERGE.
    Repeated until nothing merges; themes are then numbered by size, largest first.
    """
    from scipy.cluster.hierarchy import DisjointSet  # here: scipy.cluster takes 0.3 s to import

    label = label.copy()
    mixed = False  # the one-language/bilingual rule only once the others merge nothing
    while True:
        ids = np.unique(label)
        C = space.centroids(np.searchsorted(ids, label), len(ids))
        C /= np.maximum(np.linalg.norm(C, axis=1, keepdims=True), 1e-12)
        S = C @ C.T
        np.fill_diagonal(S, -1)
        zh = pd.Series(space.chinese).groupby(label).mean().reindex(ids).to_numpy()
        lang = np.where(zh >= 0.8, 1, np.where(zh <= 0.2, 0, -1))
        ds = DisjointSet(range(len(ids)))
        same = (lang[:, None] == lang[None, :]) & (S >= SAME_LANGUAGE_MERGE)
        for i, j in zip(*np.nonzero(np.triu(same, 1)), strict=True):
            ds.merge(i, j)
        one = lang >= 0
        rules = [((lang[:, None] == 1 - lang[None, :]) & one[:, None], CROSS_LANGUAGE_MERGE)]
        if mixed:
            rules.append((one[:, None] != one[None, :], MIXED_LANGUAGE_MERGE))
        for pair, least in rules:
            cross = np.where(pair, S, -1)
            best = cross.argmax(axis=1)
            for i in range(len(ids)):  # themes, not lessons
                j = best[i]
                if cross[i, j] >= least and best[j] == i and i < j:
                    ds.merge(i, j)
        root = np.array([ds[i] for i in range(len(ids))])
        if len(np.unique(root)) == len(ids):
            if mixed:
                break
            mixed = True
            continue
        label = root[np.searchsorted(ids, label)]
    sizes = pd.Series(label).value_counts()
    order = {t: n for n, t in enumerate(sizes.index)}
    return pd.Series(label).map(order).to_numpy()


def _pair_similarity(X, groups: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean cosine similarity between two distinct lessons of each group 0..n-1, and group sizes.

    Rows have unit length, so the squared length of a group's sum is its size plus the sum of the
    similarities of its pairs: no pair is formed (O(lessons), not O(lessons^2)). NaN below 2 lessons.
    """
    from scipy import sparse  # here: scipy.sparse takes 0.2 s to import

    groups = np.asarray(groups)
    ok = groups >= 0
    member = sparse.csr_matrix((np.ones(ok.sum()), (groups[ok], np.flatnonzero(ok))), shape=(n, len(groups)))
    sums = member @ X
    sq = np.asarray(sums.multiply(sums).sum(axis=1)).ravel()
    size = np.asarray(member.sum(axis=1)).ravel()
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(size >= 2, (sq - size) / (size * (size - 1)), np.nan), size


def _cohesion(space: _Space, groups: np.ndarray, n: int) -> np.ndarray:
    """Cohesion of each group 0..n-1: the mean cosine similarity between two of its lessons divided
    by the mean between any two ``to_improve`` lessons of the register (1: no more alike than the
    register; a group of one lesson: infinite, it mixes nothing). A theme is cohesive at
    :data:`MIN_COHESION` or more.
    """
    pair, _ = _pair_similarity(space.X, groups, n)
    base = getattr(space, "base", float("nan"))
    if np.isnan(base):
        base = float(_pair_similarity(space.X, np.zeros(space.X.shape[0], dtype=int), 1)[0][0])
    with np.errstate(invalid="ignore", divide="ignore"):
        out = pair / max(base, 1e-12)
    return np.where(np.isnan(pair), np.inf, out)


def _bisect(space: _Space, idx: np.ndarray, random_state: int) -> list[np.ndarray] | None:
    """The lessons ``idx`` in two groups by spherical 2-means (identical lessons once, weighted), or
    None when they cannot be split.
    """
    from sklearn.cluster import KMeans  # here: scikit-learn takes over 1 s to import

    sub = space.bad.iloc[idx]
    codes, _ = pd.factorize(sub["title"].fillna("").astype(str) + "\0" + sub["description"].fillna("").astype(str))
    if codes.max() < 1:
        return None
    first = pd.Series(np.arange(len(codes))).groupby(codes).first().to_numpy()
    km = KMeans(n_clusters=2, n_init=3, random_state=random_state).fit(
        space.X[idx[first]], sample_weight=np.bincount(codes)
    )
    half = km.labels_[codes]
    return [idx[half == 0], idx[half == 1]]


def _split_miscellany(space: _Space, label: np.ndarray, *, min_projects: int, random_state: int) -> np.ndarray:
    """Themes per lesson with every theme cohesive (:data:`MIN_COHESION`); -1 for the rest.

    A theme that is not cohesive is a miscellany: it is bisected (:func:`_bisect`); a half that
    holds at least :data:`MIN_SPLIT_SHARE` of the lessons and spans at least ``min_projects``
    projects is a theme when it is cohesive, and is bisected again when it is not; smaller halves and
    what splits into no cohesive part are left in no theme (-1, "Other lessons").
    Themes are then numbered by size, largest first. With fewer than two themes there is nothing to
    compare a theme with, and the themes are kept.
    """
    n = int(label.max()) + 1
    if n < 2:
        return label
    coh = _cohesion(space, label, n)
    out = np.where(coh[label] >= MIN_COHESION, label, -1)
    project = pd.factorize(space.bad["project_id"])[0]
    todo = [np.flatnonzero(label == t) for t in np.flatnonzero(coh < MIN_COHESION)]
    least = max(2, MIN_SPLIT_SHARE * len(label))
    while todo:  # groups, not lessons: each bisection halves a group
        halves = _bisect(space, todo.pop(), random_state)
        for h in halves or []:
            if len(h) < least or len(np.unique(project[h])) < min_projects:
                continue  # too small to be a recurring problem found by splitting: stays "other"
            if _group_cohesion(space, h) >= MIN_COHESION:
                out[h] = n
                n += 1
            else:
                todo.append(h)
    kept = out[out >= 0]
    if kept.size == 0:
        return out
    order = pd.Series(kept).value_counts().index
    rank = pd.Series(np.arange(len(order)), index=order)
    return np.where(out >= 0, rank.reindex(out).to_numpy(), -1).astype(int)


def _neighbour_communities(X, *, neighbours: int, random_state: int) -> np.ndarray:
    """Community of each row of ``X`` (unit rows): the rows linked to their ``neighbours`` most
    similar rows (cosine, either way), communities found by Louvain modularity (networkx, seeded),
    numbered largest first.
    """
    import networkx as nx  # here: networkx takes 0.2 s to import

    n = X.shape[0]
    k = min(neighbours, n - 1)
    g = nx.Graph()
    g.add_nodes_from(range(n))
    for start in range(0, n, 1000):  # rows in blocks: memory stays linear in the lessons
        S = np.asarray((X[start : start + 1000] @ X.T).todense(), dtype=np.float32)
        rows = np.arange(S.shape[0])
        S[rows, rows + start] = 0
        near = np.argpartition(-S, k - 1, axis=1)[:, :k]
        w = S[rows[:, None], near]
        i, j = np.nonzero(w > 0)
        g.add_weighted_edges_from(
            zip((i + start).tolist(), near[i, j].tolist(), w[i, j].astype(float).tolist(), strict=True)
        )
    found = nx.community.louvain_communities(g, weight="weight", seed=random_state)
    out = np.full(n, -1)
    for c, members in enumerate(sorted(found, key=lambda m: (-len(m), min(m)))):
        out[sorted(members)] = c
    return out


def _miscellany_communities(space: _Space, label: np.ndarray, *, min_projects: int, random_state: int) -> np.ndarray:
    """Themes per lesson, with the problems still held by the lessons in no theme (-1) found as
    communities of their similarity graph (:func:`_neighbour_communities`).

    K-means and bisection look for a few large groups; a problem written by a few percent of the
    lessons in words of their own (staff who resign, quit or are poached) is no such group, but its
    lessons are each other's neighbours. A community is a theme under the rules of a split-off
    theme (at least :data:`MIN_SPLIT_SHARE` of the lessons, ``min_projects`` projects, cohesive);
    then themes that are one problem merge (:func:`_merge`), and themes are numbered by size.
    """
    rest = np.flatnonzero(label < 0)
    least = max(3, MIN_SPLIT_SHARE * len(label))
    if len(rest) < 2 * least:
        return label
    found = _neighbour_communities(space.X[rest], neighbours=NEIGHBOURS, random_state=random_state)
    out = label.copy()
    n = int(label.max()) + 1
    project = pd.factorize(space.bad["project_id"])[0]
    for c in range(int(found.max()) + 1):  # communities, not lessons
        h = rest[found == c]
        if len(h) >= least and len(np.unique(project[h])) >= min_projects and _group_cohesion(space, h) >= MIN_COHESION:
            out[h] = n
            n += 1
    kept = out >= 0
    if n == int(label.max()) + 1 or not kept.any():
        return label
    out[kept] = _merge(space.subset(kept), out[kept], n)
    return out


def _group_cohesion(space: _Space, idx: np.ndarray) -> float:
    """:func:`_cohesion` of the one group of lessons ``idx``."""
    groups = np.full(space.X.shape[0], -1)
    groups[idx] = 0
    return float(_cohesion(space, groups, 1)[0])


def _theme_terms(space: _Space, groups: np.ndarray, n: int, *, titles: bool = False) -> np.ndarray:
    """How well each term marks each group: p_in x log(p_in / p_out), where p_in is the share of
    the group's lessons using the term and p_out the share of the other lessons -- terms most of the
    group uses and few others do. In the lessons' text, or in their titles only (``titles``).
    """
    from scipy import sparse  # here: scipy.sparse takes 0.2 s to import

    B = space.in_title if titles else (space.terms > 0).astype(float)
    ok = groups >= 0
    member = sparse.csr_matrix((np.ones(ok.sum()), (groups[ok], np.flatnonzero(ok))), shape=(n, len(groups)))
    size = np.asarray(member.sum(axis=1)).ravel()
    inside = np.asarray((member @ B).todense())
    total = np.asarray(B.sum(axis=0)).ravel()
    p_in = inside / np.maximum(size, 1)[:, None]
    p_out = (total[None, :] - inside + 0.5) / (np.maximum(len(groups) - size, 0) + 1)[:, None]
    return p_in * np.log(np.maximum(p_in, 1e-12) / p_out).clip(min=0)


def _readable(term: str, forms: dict[str, str]) -> str:
    return " ".join(forms.get(p, p) for p in term.split(" "))


#: Words a theme's name (a noun phrase) neither starts nor ends on: prepositions and adverbs of time,
#: and the irregular past forms of verbs lessons are written with ("Key developer left").
_DANGLING = frozenset(
    {
        "mid",
        "due",
        "without",
        "after",
        "before",
        "late",
        "early",
        "across",
        "left",
        "lost",
        "went",
        "made",
        "told",
        "knew",
        "hit",
        "took",
        "gave",
        "found",
        "got",
        "ran",
        "kept",
        "began",
        "broke",
        "held",
        "came",
        "caught",
        "brought",
        "slipped",
        "overran",
    }
)
#: Endings of the past participles, adverbs and predicate adjectives that leave a name hanging
#: ("Members allocated", "Environment unstable", "Delivered frequently").
_DANGLING_ENDINGS = ("ed", "ly", "able", "ible")


def _dangling(word: str) -> bool:
    """True for a word a name should not end on: a past participle, adverb or "-able" adjective
    ("caused", "frequently", "unstable") or a word of :data:`_DANGLING`.

    >>> [w for w in ["caused", "frequently", "mid", "left", "unstable", "delay", "quality", "need"]
    ...  if _dangling(w)]
    ['caused', 'frequently', 'mid', 'left', 'unstable']
    """
    w = word.lower()
    return w in _DANGLING or (len(w) > 4 and w.endswith(_DANGLING_ENDINGS))


def _leading_dangling(word: str) -> bool:
    """True for a word a name should not start on: a past participle or adverb ("Surprised go-live
    changes"), but an "-able" adjective may lead ("Reusable solid rocket motor").

    >>> [w for w in ["surprised", "reusable", "unclear", "quickly", "left"] if _leading_dangling(w)]
    ['surprised', 'quickly', 'left']
    """
    return _dangling(word) and not word.lower().endswith(("able", "ible"))


def _noun_phrase(parts: list[str], forms: dict[str, str]) -> list[str] | None:
    """``parts`` (terms) as a noun phrase of 2-4 words: repeated words dropped, then dangling words
    at either end; None when fewer than two words are left.
    """
    seen: set[str] = set()
    out = []
    for p in parts:
        w = _readable(p, forms).lower()
        if p not in seen and w not in seen:
            out.append(p)
            seen |= {p, w}
    while out and _dangling(_readable(out[-1], forms)):
        out = out[:-1]
    while out and _leading_dangling(_readable(out[0], forms)):
        out = out[1:]
    return out[:4] if len(out) >= 2 else None


def _name(
    weights: np.ndarray, text_weights: np.ndarray, vocab: np.ndarray, forms: dict[str, str], forms_zh: dict[str, str]
) -> tuple[str, str, str]:
    """(name in 2-4 words, Chinese name or "", the 6 top terms) of a theme from its term weights.

    The name is a noun phrase: the strongest two-word phrase of the theme's titles (``weights``),
    extended by a phrase that continues it with one of its strongest words ("Vendor delivery" +
    "delivery delay" -> "Vendor delivery delay"), with no repeated word and no participle, adverb or
    predicate adjective at either end (:func:`_noun_phrase`); when that leaves one word, the next
    strongest phrase that is a noun phrase ("Members allocated" -> "Key staff"). The top terms are
    the strongest of its whole text (``text_weights``).
    """
    order = np.argsort(weights)[::-1][:60]
    top = [t for t in vocab[order[weights[order] > 0]]]
    words = [t for t in top if " " not in t]
    phrases = [t.split(" ") for t in top if " " in t]
    parts: list[str] = phrases[0] if phrases else words[:2]
    strong = set(words[:8])
    for p in phrases[1:5]:  # chain a phrase that continues or precedes it: vendor delivery + delivery delay
        if len(parts) < 4 and p[0] == parts[-1] and p[1] not in parts and p[1] in strong:
            parts = [*parts, p[1]]
        elif len(parts) < 4 and p[1] == parts[0] and p[0] not in parts and p[0] in strong:
            parts = [p[0], *parts]
    candidates = [parts, *phrases[1:20], [w for w in words if not _dangling(_readable(w, forms))][:2]]
    shaped = next((c for c in map(lambda c: _noun_phrase(c, forms), candidates) if c), None)
    parts = shaped or parts[:2]
    name = _readable(" ".join(parts), forms)
    zh_words = list(dict.fromkeys(forms_zh.get(p, "") for p in parts))  # one Chinese word once
    # a negated word is a predicate in Chinese and follows its noun: 需求不明确, not 不明确需求
    negated = [w for w in zh_words if w[:1] in ("不", "未", "无", "没")]
    zh_words = [w for w in zh_words if w not in negated] + negated
    zh = "".join(zh_words) if all(p in forms_zh for p in parts) else ""
    shown: list[str] = []
    order = np.argsort(text_weights)[::-1][:60]
    for t in vocab[order[text_weights[order] > 0]]:
        w = _readable(t, forms)
        if w not in shown and not any(w in s.split(" ") for s in shown):
            shown.append(w)
        if len(shown) == 6:
            break
    return name[:1].upper() + name[1:], zh, ", ".join(shown)


def _describe(space: _Space, key: pd.Series, ids: list) -> pd.DataFrame:
    """Per theme: name, name_zh, top_terms, lessons, projects, departments, project_names and the
    three most representative lessons (closest to the theme's centroid, distinct titles).
    """
    from sklearn.preprocessing import normalize  # here: scikit-learn takes over 1 s to import

    bad = space.bad
    g = pd.Series(pd.Index(ids).get_indexer(key), index=bad.index)
    groups = g.to_numpy()
    C = normalize(space.centroids(groups, len(ids)))
    closeness = np.zeros(len(bad))
    ok = groups >= 0
    # each lesson's cosine to its own theme's centroid: (lessons x themes) products, one column kept
    closeness[ok] = np.asarray(space.X[ok] @ C.T)[np.arange(int(ok.sum())), groups[ok]]
    d = bad.assign(_g=groups, _close=closeness).loc[ok]
    ex = (
        d.sort_values(["_g", "_close"], ascending=[True, False])
        .drop_duplicates(["_g", "title"])
        .groupby("_g")
        .head(3)
        .groupby("_g")
    )
    per_project = (
        d.groupby(["_g", "project_name"], observed=True)
        .size()
        .rename("n")
        .reset_index()
        .sort_values(["_g", "n", "project_name"], ascending=[True, False, True])
    )
    agg = d.groupby("_g").agg(
        lessons=("lesson_id", "size"),
        projects=("project_id", "nunique"),
        departments=("department", lambda s: ", ".join(sorted(s.dropna().astype(str).unique()))),
    )
    in_text = _theme_terms(space, groups, len(ids))
    in_titles = _theme_terms(space, groups, len(ids), titles=True)
    named = [
        _name(in_titles[i] + in_text[i], in_text[i], space.vocab, space.forms, space.forms_zh) for i in range(len(ids))
    ]
    out = pd.DataFrame(
        {
            "theme": ids,
            "name": [n[0] for n in named],
            "name_zh": [n[1] for n in named],
            "top_terms": [n[2] for n in named],
        }
    )
    out = out.join(agg, how="left")
    out["project_names"] = per_project.groupby("_g")["project_name"].agg(_first_names)
    out["example_lesson_ids"] = ex["lesson_id"].agg(";".join)
    out["example_titles"] = ex["title"].agg(" | ".join)
    out["cohesion"] = _cohesion(space, groups, len(ids)).round(2)
    out[["lessons", "projects"]] = out[["lessons", "projects"]].fillna(0).astype(int)
    text = ["departments", "project_names", "example_lesson_ids", "example_titles"]
    out[text] = out[text].astype(object).fillna("")
    return out


def _first_names(s: pd.Series, k: int = 5) -> str:
    """The ``k`` projects with most lessons in the theme, then how many more."""
    return listing(s.astype(str), limit=k)  # "A, B and 3 more" in the report's language


@dataclass
class LessonThemes:
    """Text themes and recurring problems of a lessons register, computed once.

    ``theme``: text theme id per lesson (empty for ``went_well`` lessons and lessons with no usable
    text); ``themes``: one row per text theme; ``recurring``: the recurring problems (see
    :func:`lesson_themes`).
    """

    theme: pd.Series
    themes: pd.DataFrame
    recurring: pd.DataFrame


_THEME_COLS = [
    "theme",
    "name",
    "name_zh",
    "top_terms",
    "lessons",
    "projects",
    "departments",
    "project_names",
    "example_lesson_ids",
    "example_titles",
    "cohesion",
]
_RECURRING_COLS = [
    "theme",
    "source",
    "top_terms",
    "lessons",
    "projects",
    "departments",
    "name",
    "name_zh",
    "project_names",
    "example_lesson_ids",
    "example_titles",
    "text_theme",
    "cohesion",
    "text_theme_zh",
]


def lesson_themes(
    prepared: pd.DataFrame, *, n_themes: int = 12, min_projects: int = 3, random_state: int = 0
) -> LessonThemes:
    """Text themes and recurring problems of the ``to_improve`` lessons (see docs/definitions.md,
    "Lessons learned").

    Text themes: first the lessons of one problem of the problem list (:func:`_problems`,
    :func:`_themes`), named by the problem in both languages; then the other lessons, each a unit
    vector in the shared concept space (title and description weighted by :data:`TITLE_WEIGHT`,
    names and template labels left out): spherical k-means finds at most ``n_themes`` groups;
    groups that are one problem are merged (the same problem written in Chinese and in English; see
    :data:`CROSS_LANGUAGE_MERGE`). Category themes: the lesson's
    category, except values in :data:`MISSING_CATEGORIES`. A text theme that is a category again
    (:data:`DUPLICATE_SHARE` both ways), or several text themes that together are it
    (:func:`_category_parts`: "Unclear requirements" and "Requirement changes" make up
    "Requirements"), is shown once, on the category row (``text_theme``; ``text_theme_zh`` with the
    Chinese names, :func:`in_language`).

    Every text theme is cohesive (:data:`MIN_COHESION`, ``cohesion`` column): a miscellany is split
    into the cohesive problems it holds (:func:`_split_miscellany`, then the communities of the
    left-over lessons' similarity graph, :func:`_miscellany_communities`), the rest is the theme
    :data:`OTHER_THEME`, named "Other lessons" (其他经验教训) and listed last.

    A theme is **recurring** when its lessons come from at least ``min_projects`` projects; "Other
    lessons" never is. Each is named in 2-4 words from its top phrases (``name``; ``name_zh`` in Chinese where the
    register has Chinese words for each of them), with its three most representative lessons
    (closest to the theme's centroid) and the projects and departments it spans.

    Examples
    --------
    >>> from pmo_analysis import load_portfolio
    >>> from pmo_analysis.core.config import SAMPLE_DATA_DIR
    >>> from pmo_analysis.analyses.lessons import prepare
    >>> p = load_portfolio(SAMPLE_DATA_DIR)
    >>> r = lesson_themes(prepare(p.lessons, p.projects))
    >>> r.recurring.loc[r.recurring["name"].str.contains("endor"), ["name", "text_theme"]].iloc[0].tolist()
    ['Vendor management', 'Vendor delivery delays']
    """
    if min_projects < 1:
        raise ValueError(f"min_projects must be >= 1, got {min_projects!r}")
    theme = pd.Series(pd.NA, index=prepared.index, dtype="string")
    space = _Space.build(prepared)
    if space is None:
        themes = pd.DataFrame(columns=_THEME_COLS)
        return LessonThemes(theme, themes, _recurring(prepared, None, None, themes, min_projects))
    label, problem_of_theme = _themes(space, n_themes=n_themes, min_projects=min_projects, random_state=random_state)
    n = int(label.max()) + 1
    ids = [f"T{i + 1:02d}" for i in range(n)] + ([OTHER_THEME] if (label < 0).any() else [])
    key = pd.Series(np.array(ids)[label], index=space.bad.index)  # -1: the last id, OTHER_THEME
    theme.loc[space.bad.index] = key
    themes = _describe(space, key, ids)[_THEME_COLS]
    # a theme is named by the problem of the list its lessons are about: a theme of one problem, and a
    # theme grouped by words whose lessons are mostly (PROBLEM_NAME_SHARE) of one problem
    share = pd.crosstab(label, space.problem, normalize="index") if (label >= 0).any() else pd.DataFrame()
    for t in range(n):  # themes, not lessons
        i = problem_of_theme.get(t)
        if i is None and t in share.index and len(share.columns):
            top = share.loc[t].drop(index=-1, errors="ignore")
            v = top.to_numpy()
            i = int(np.asarray(top.index)[v.argmax()]) if v.size and v.max() >= PROBLEM_NAME_SHARE else None
        if i is not None:
            themes.loc[t, ["name", "name_zh"]] = P.PROBLEMS[i].name, P.PROBLEMS[i].name_zh
    other = themes["theme"] == OTHER_THEME
    themes.loc[other, "name"], themes.loc[other, "name_zh"] = OTHER_NAME, OTHER_NAME_ZH
    return LessonThemes(theme, themes, _recurring(prepared, space, key, themes, min_projects))


def _themes(space: _Space, *, n_themes: int, min_projects: int, random_state: int) -> tuple[np.ndarray, dict[int, int]]:
    """Theme number per lesson (-1: "Other lessons"), numbered by size, and theme number -> index of
    its problem in the problem list, for the themes that are one.

    The lessons of one problem of the list are a theme when they are at least
    :data:`MIN_SPLIT_SHARE` of the lessons (and 3) from at least ``min_projects`` projects; the
    other lessons are grouped by their words: k-means, merges, the miscellany split and the
    communities of what is left (:func:`_cluster`, :func:`_split_miscellany`,
    :func:`_miscellany_communities`).
    """
    project = pd.factorize(space.bad["project_id"])[0]
    least = max(3, MIN_SPLIT_SHARE * len(space.problem))
    label = np.full(len(space.problem), -1)
    problems: list[int] = []
    for i in np.unique(space.problem[space.problem >= 0]):  # problems, not lessons
        h = np.flatnonzero(space.problem == i)
        if len(h) >= least and len(np.unique(project[h])) >= min_projects:
            label[h] = len(problems)
            problems.append(int(i))
    rest = label < 0
    if rest.sum() >= 2:
        sub = space.subset(rest)
        found = _split_miscellany(
            sub, _cluster(sub, n_themes, random_state), min_projects=min_projects, random_state=random_state
        )
        found = _miscellany_communities(sub, found, min_projects=min_projects, random_state=random_state)
        label[rest] = np.where(found >= 0, found + len(problems), -1)
    kept = label[label >= 0]
    if kept.size == 0:
        return label, {}
    order = pd.Series(kept).value_counts().index  # largest first
    rank = pd.Series(np.arange(len(order)), index=order)
    out = np.where(label >= 0, rank.reindex(label).to_numpy(), -1).astype(int)
    return out, {int(rank[k]): i for k, i in enumerate(problems)}


def _recurring(
    prepared: pd.DataFrame, space: _Space | None, key: pd.Series | None, themes: pd.DataFrame, min_projects: int
) -> pd.DataFrame:
    if space is None or key is None:  # the key of the themes comes with their space
        return pd.DataFrame(columns=_RECURRING_COLS)
    bad = space.bad
    cat = bad["category"].astype("string")
    real = ~cat.str.strip().str.casefold().isin(MISSING_CATEGORIES) & cat.notna()
    cats = sorted(cat[real].unique())
    cat_key = cat.where(real)
    by_cat = _describe(space, cat_key, cats) if cats else pd.DataFrame(columns=_THEME_COLS)
    by_cat["name"], by_cat["name_zh"] = by_cat["theme"], ""
    by_cat["source"], themes = "category", themes.assign(source="text")
    # text themes that together are a category again are shown once, on the category's row
    parts = _category_parts(key, cat_key)
    named = themes.set_index("theme")["name"]
    named_zh = themes.set_index("theme")["name_zh"].where(lambda z: z.fillna("") != "", named)
    by_cat["text_theme"] = by_cat["theme"].map(
        lambda c: "; ".join(named[t] for t in parts.get(c, []))  # categories, not lessons
    )
    by_cat["text_theme_zh"] = by_cat["theme"].map(lambda c: "; ".join(named_zh[t] for t in parts.get(c, [])))
    themes = themes.loc[~themes["theme"].isin([t for ts in parts.values() for t in ts])].assign(
        text_theme="", text_theme_zh=""
    )
    out = pd.concat([by_cat, themes], ignore_index=True)
    # the lessons that share no problem are no recurring problem, however many projects wrote them
    out = out.loc[(out["projects"] >= min_projects) & ~((out["source"] == "text") & (out["theme"] == OTHER_THEME))]
    return out.sort_values(["projects", "lessons"], ascending=False)[_RECURRING_COLS].reset_index(drop=True)


def _category_parts(key: pd.Series, cat_key: pd.Series) -> dict[str, list[str]]:
    """Category -> the text themes that are it again, largest first: the text themes with at least
    :data:`DUPLICATE_SHARE` of their lessons in the category, when together they hold at least
    :data:`DUPLICATE_SHARE` of the category's lessons ("Unclear requirements" and "Requirement
    changes" make up "Requirements": one problem, shown once on the category's row).

    >>> key = pd.Series(["T1"] * 5 + ["T2"] * 4 + ["T3"] * 3)
    >>> cat = pd.Series(["Req"] * 9 + ["Ops", "Ops", None])
    >>> _category_parts(key, cat)
    {'Req': ['T1', 'T2']}
    """
    both = pd.crosstab(key, cat_key)
    if both.empty:
        return {}
    inside = both.div(key.value_counts().reindex(both.index), axis=0) >= DUPLICATE_SHARE
    size = cat_key.value_counts()
    out: dict[str, list[str]] = {}
    for cat in both.columns:  # categories, not lessons
        members = both.index[inside[cat].to_numpy()]
        covered = both.loc[members, cat].sum()
        if len(members) and covered >= DUPLICATE_SHARE * size[cat]:
            out[str(cat)] = [str(t) for t in both.loc[members, cat].sort_values(ascending=False, kind="stable").index]
    return out


def in_language(themes: pd.DataFrame, language: str) -> pd.DataFrame:
    """``themes`` (text themes or recurring problems) with ``name`` (and ``text_theme``) in
    ``language``: in Chinese, the Chinese name where the theme has one (a theme of one problem of the
    problem list always has; a category is named as the register writes it).

    >>> t = pd.DataFrame({"name": ["Staff turnover", "Wire harness"], "name_zh": ["人员流失", ""]})
    >>> in_language(t, "zh")["name"].tolist(), in_language(t, "en")["name"].tolist()
    (['人员流失', 'Wire harness'], ['Staff turnover', 'Wire harness'])
    """
    if language == "en":
        return themes
    out = themes.copy()
    out["name"] = out["name_zh"].where(out["name_zh"].fillna("") != "", out["name"])
    if "text_theme_zh" in out:
        out["text_theme"] = out["text_theme_zh"]
    return out


def assign_themes(
    prepared: pd.DataFrame, *, n_themes: int = 12, random_state: int = 0
) -> tuple[pd.Series, pd.DataFrame]:
    """Text theme per lesson and one row per text theme (:func:`lesson_themes`)."""
    r = lesson_themes(prepared, n_themes=n_themes, random_state=random_state)
    return r.theme, r.themes


def recurring_themes(prepared: pd.DataFrame, *, min_projects: int = 3, n_themes: int = 12) -> pd.DataFrame:
    """Recurring problems, by category and from the text (:func:`lesson_themes`), sorted by
    projects then lessons.
    """
    return lesson_themes(prepared, n_themes=n_themes, min_projects=min_projects).recurring


def fixes_that_did_not_stick(prepared: pd.DataFrame, theme: pd.Series) -> pd.DataFrame:
    """Lessons whose action is done but whose theme came back: later ``to_improve`` lessons on the
    same text theme from other projects. The register has no completion date, so the lesson date
    is used as the earliest date the action could have been done.

    Returns lesson_id, project_id, date, theme, title, recurrences (later lessons from other
    projects) and projects (distinct other projects with a later lesson), most recurrences first.
    Counted with ranks within each theme, so memory stays linear in the number of lessons.
    """
    d = prepared.assign(theme=theme.where(theme != OTHER_THEME)).dropna(subset=["theme"])  # "other": no theme
    d = d.loc[d["kind"] == "to_improve", ["lesson_id", "project_id", "date", "theme", "title", "action_status"]].copy()
    cols = ["lesson_id", "project_id", "date", "theme", "title", "recurrences", "projects"]
    if d.empty:
        return pd.DataFrame(columns=cols)
    # later lessons in the theme, minus later lessons of the same project
    d["later_theme"] = d.groupby("theme")["date"].transform("size") - d.groupby("theme")["date"].rank(method="max")
    d["later_own"] = d.groupby(["theme", "project_id"])["date"].transform("size") - d.groupby(["theme", "project_id"])[
        "date"
    ].rank(method="max")
    d["recurrences"] = (d["later_theme"] - d["later_own"]).astype(int)
    # projects whose last lesson in the theme is later than this lesson, minus its own project
    last = d.groupby(["theme", "project_id"], as_index=False)["date"].max()
    q = d.loc[d["action_status"] == "done"]
    ev = pd.concat(
        [last.assign(is_q=0, idx=-1), q[["theme", "project_id", "date"]].assign(is_q=1, idx=np.arange(len(q)))],
        ignore_index=True,
    )
    ev = ev.sort_values(["theme", "date", "is_q"], kind="stable")  # on a tie the project counts first
    ev["pairs_upto"] = (1 - ev["is_q"]).groupby(ev["theme"]).cumsum()
    ev["pairs_total"] = (1 - ev["is_q"]).groupby(ev["theme"]).transform("sum")
    qe = ev.loc[ev["is_q"] == 1].sort_values("idx")
    later_projects = (qe["pairs_total"] - qe["pairs_upto"]).to_numpy()
    own_last = q.merge(last, on=["theme", "project_id"], how="left", suffixes=("", "_last"))["date_last"]
    own_later = (own_last.to_numpy() > q["date"].to_numpy()).astype(int)
    out = q.assign(projects=later_projects - own_later)
    out = out.loc[out["recurrences"] > 0, cols]
    return out.sort_values(["recurrences", "date"], ascending=[False, True]).reset_index(drop=True)
