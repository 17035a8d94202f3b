"""The problems a PMO's lessons are about, how each is written in English and Chinese, and which
one each lesson is about.

Lessons of one problem are written in words that share little: staff *resign*, *quit*, *hand in
their notice*, are *poached*, *roll off*; 离职, 跳槽, 人员流失. No grouping by shared words gathers
them, and a dictionary translates words, not problems. The **problem list** (:data:`PROBLEMS`, in
``problems.yml``) is what a PMO already knows: 31 recurring causes of project trouble, each with a
name in both languages and the words and phrases lessons use for it (its **cues**). A lesson's
problem is decided from three kinds of evidence
(:func:`pmo_analysis.analyses.lessons.themes._problems`):

* its cues (:func:`problem_scores`), a cue in the title counting :data:`TITLE_CUE_WEIGHT` times
  one in the description, and a cue many lessons use less than a rare one;
* how much it reads like each problem's reference lessons, by meaning
  (:mod:`pmo_analysis.analyses.lessons.meaning`);
* the problems of the lessons that mean what it means (:func:`spread`).

The list follows published catalogues of project risk factors, so that it names the problems a
register holds rather than the ones a sample was written with:

* Schmidt, Lyytinen, Keil and Cule, "Identifying software project risks: an international Delphi
  study", *Journal of Management Information Systems* 17(4), 2001: 53 risk factors in 14 groups
  (sponsorship, relationship management, project management, scope, requirements, funding,
  scheduling, development process, personnel, staffing, technology, external dependencies,
  planning, corporate environment);
* Carr, Konda, Monarch, Ulrich and Walker, *Taxonomy-Based Risk Identification*, SEI
  CMU/SEI-93-TR-6, 1993 (product engineering, development environment, programme constraints);
* the knowledge areas of PMI's *PMBOK Guide* (scope, schedule, cost, quality, resources,
  communications, risk, procurement, stakeholders) and ITIL's service transition and operation
  (release, deployment, incidents, capacity, availability, security).

Cue syntax: English cues are phrases separated by ``;``, matched on the lower-cased words of the
text; a word takes its plurals and past forms (``resign``: resigned, resigns), a word ending in
``*`` any ending (``migrat*``: migrate, migration), and the words of a phrase come in order with at
most :data:`GAP` other words between them (``left the company`` finds "left the whole company").
A Chinese lesson meets the English cues too, through the English words its Chinese words mean
(:func:`_gloss`). Chinese cues are separated by spaces and found as written (离职 in 她离职了).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

import numpy as np
import pandas as pd

from pmo_analysis.analyses.lessons import text as T

__all__ = ["GAP", "TITLE_CUE_WEIGHT", "Problem", "PROBLEMS", "problem_scores", "problem_of", "cue_pattern"]

#: Words allowed between two words of an English cue phrase ("left the company", "handed in her notice").
GAP = 2
#: A cue in the title counts this many times one in the description: the title states the problem.
TITLE_CUE_WEIGHT = 4.0


@dataclass(frozen=True)
class Problem:
    """One problem of the list: its id, its names and its cues in English and Chinese."""

    id: str
    name: str
    name_zh: str
    en: str
    zh: str


def _load() -> tuple[Problem, ...]:
    """The problem list shipped in ``problems.yml``."""
    import yaml

    rows = yaml.safe_load((files("pmo_analysis.analyses.lessons") / "problems.yml").read_text(encoding="utf-8"))
    return tuple(Problem(r["id"], r["name"], r["name_zh"], r["en"], r["zh"]) for r in rows)


#: The problem list (``problems.yml``), in its order.
PROBLEMS: tuple[Problem, ...] = _load()


#: Endings a cue word takes without a ``*``: plurals, past forms and participles (quit -> quitting).
_INFLECTED = r"(?:s|es|ed|d|ing|'s|[bdgklmnprt](?:ed|ing))?"


def _word(w: str) -> str:
    """Regex of one cue word: a prefix when it ends in ``*`` (``migrat*``: migrate, migration),
    else the word and its inflections (``resign``: resigned, resigns; not ``resignation``).
    """
    return re.escape(w[:-1]) + r"[a-z0-9]*" if w.endswith("*") else re.escape(w) + _INFLECTED


def _phrase(words: list[str]) -> str:
    """Regex of one English cue phrase over the words of a text joined by spaces."""
    gap = rf"(?: \S+){{0,{GAP}}}"
    return r"(?<!\S)" + (gap + " ").join(_word(w) for w in words) + r"(?!\S)"


_EN_WORD = re.compile(r"[a-z0-9]+")
_CUE_WORD = re.compile(r"[a-z0-9]+\*?")


def _words(text: str) -> str:
    """The words of an English text, lower-cased and joined by single spaces (every word kept: the
    gaps count).
    """
    return " ".join(_EN_WORD.findall(text.lower()))


def cue_pattern(cues: str) -> dict[str, str]:
    """Each ``;``-separated English cue phrase -> its regex over a text's words.

    >>> pats = cue_pattern("left company; resign*; quit")
    >>> [bool(re.search(pats["left company"], _words(t))) for t in ["She left the company", "left the big old company"]]
    [True, False]
    >>> [bool(re.search(pats["quit"], _words(t))) for t in ["He quit", "quitting", "quite"]]
    [True, True, False]
    >>> bool(re.search(pats["resign*"], "resignation"))
    True
    """
    out = {}
    for cue in cues.split(";"):
        words = _CUE_WORD.findall(cue.lower())
        if words:
            out[" ".join(words)] = _phrase(words)
    return out


@dataclass(frozen=True)
class _Cues:
    """The cues of the list, indexed for reading many texts: each cue's problem, key (its words or
    Chinese characters) and language; the cues each English word can start (by its written forms
    and by its prefixes); the regex of each cue of more than one word; the Chinese cues.
    """

    owner: np.ndarray
    key: list[str]
    chinese: np.ndarray
    by_form: dict[str, list[int]]
    by_prefix: dict[str, list[int]]
    phrase: dict[int, re.Pattern]
    zh: list[int]


#: The endings :data:`_INFLECTED` allows, spelled out: the forms an English cue word is written in.
_ENDINGS = ("", "s", "es", "ed", "d", "ing", *(c + e for c in "bdgklmnprt" for e in ("ed", "ing")))


@lru_cache(maxsize=1)
def _cues() -> _Cues:
    """:class:`_Cues` of :data:`PROBLEMS`."""
    owner: list[int] = []
    key: list[str] = []
    chinese: list[bool] = []
    by_form: dict[str, list[int]] = {}
    by_prefix: dict[str, list[int]] = {}
    phrase: dict[int, re.Pattern] = {}
    for i, p in enumerate(PROBLEMS):  # the list, not rows
        for k, pattern in cue_pattern(p.en).items():
            n = len(owner)
            owner.append(i)
            key.append(k)
            chinese.append(False)
            first = k.split(" ")[0]
            if first.endswith("*"):
                by_prefix.setdefault(first[:-1], []).append(n)
            else:
                for e in _ENDINGS:
                    by_form.setdefault(first + e, []).append(n)
            if " " in k:
                phrase[n] = re.compile(pattern)
        for k in dict.fromkeys(p.zh.split()):
            owner.append(i)
            key.append(k)
            chinese.append(True)
    zh = [n for n, c in enumerate(chinese) if c]
    return _Cues(np.array(owner), key, np.array(chinese), by_form, by_prefix, phrase, zh)


def _gloss(text: str) -> str:
    """The English words the Chinese words of ``text`` mean (the glossary's, else CC-CEDICT's first
    short sense, :func:`pmo_analysis.analyses.lessons.text.translate`), joined by spaces: a Chinese
    lesson meets the English cues too (辞职 -> resign, 采购 -> procure).

    >>> _gloss("关键人员辞职"), _gloss("no Chinese")
    ('key staff resign', '')
    """
    runs = T._CJK.findall(text)
    out = []
    for run in runs:
        for w in T._chinese_words(run):
            if w in T.GLOSSARY:
                out += [T._word_of_stem(t) for t in T.GLOSSARY[w]]
            elif w not in T._CN_STOP:
                out += [e for _, e in T._sense(w) if e.isascii()]
    return " ".join(out)


def _hits(text: str) -> list[int]:
    """Numbers of the cues found in ``text``; of a problem's cues found, one inside a longer one
    ("migration" in "data migration", 迁移 in 数据迁移) is left out: the phrase counts once.

    Only the cues a word of the text can start are tried (:class:`_Cues`): a register of 1,300 lessons
    is read in about a second, not the minute that trying each cue on each text takes.
    """
    c = _cues()
    found: dict[int, list[int]] = {}
    for source in (_words(text), _gloss(text)):
        start: set[int] = set()
        for w in set(source.split()):  # the text's distinct words
            start.update(c.by_form.get(w, ()))
            for k in range(1, len(w) + 1):
                start.update(c.by_prefix.get(w[:k], ()))
        for n in start:
            if n not in c.phrase or c.phrase[n].search(source):
                found.setdefault(int(c.owner[n]), []).append(n)
    if T._CJK.search(text):
        for n in c.zh:
            if c.key[n] in text:
                found.setdefault(int(c.owner[n]), []).append(n)
    out: list[int] = []
    for numbers in found.values():  # problems found, not rows
        ns = sorted(set(numbers))
        for n in ns:
            sep = "" if c.chinese[n] else " "
            inside = f"{sep}{c.key[n]}{sep}"
            if not any(m != n and c.chinese[m] == c.chinese[n] and inside in f"{sep}{c.key[m]}{sep}" for m in ns):
                out.append(n)
    return sorted(out)


def problem_scores(titles: pd.Series, descriptions: pd.Series) -> np.ndarray:
    """Lessons x problems: the weights of the cues of each problem found in the lesson's title
    (x :data:`TITLE_CUE_WEIGHT`) and description. A cue weighs its inverse document frequency in
    the register, ``ln((1 + n) / (1 + lessons using it)) + 1`` as in TF-IDF: a cue many lessons
    use says less about which problem a lesson has. Each distinct text is read once (registers
    copy lessons).

    >>> s = problem_scores(pd.Series(["Lead architect resigned", "关键开发人员离职"]), pd.Series(["", "交接不充分"]))
    >>> [PROBLEMS[i].id for i in s.argmax(axis=1)]
    ['staff_turnover', 'staff_turnover']
    """
    from scipy import sparse  # here: scipy.sparse takes 0.2 s to import

    owner = _cues().owner
    n = len(titles)

    def found(texts: pd.Series):
        codes, uniq = pd.factorize(texts.astype("string").fillna(""))
        rows = [_hits(str(t)) for t in uniq]  # distinct texts, not lessons
        m = sparse.csr_matrix(
            (
                np.ones(sum(map(len, rows))),
                (np.repeat(np.arange(len(rows)), list(map(len, rows))), np.concatenate([[], *rows]).astype(int)),
            ),
            shape=(len(uniq), len(owner)),
        )
        return m[codes] if n else sparse.csr_matrix((0, len(owner)))

    t, d = found(titles), found(descriptions)
    used = np.asarray(((t + d) > 0).sum(axis=0)).ravel()
    idf = np.log((1 + n) / (1 + used)) + 1
    to_problem = sparse.csr_matrix((idf, (np.arange(len(owner)), owner)), shape=(len(owner), len(PROBLEMS)))
    return np.asarray(((TITLE_CUE_WEIGHT * t + d) @ to_problem).todense())


@lru_cache(maxsize=1)
def _name_patterns() -> tuple[tuple[re.Pattern, str], ...]:
    """Each problem's English name as a pattern over a title's words (a plural's final s left to
    the inflections), and its Chinese name.
    """
    out = []
    for p in PROBLEMS:
        words = [w[:-1] if w.endswith("s") and len(w) > 3 else w for w in _CUE_WORD.findall(p.name.lower())]
        out.append((re.compile(_phrase(words)), p.name_zh))
    return tuple(out)


def named(titles: pd.Series) -> np.ndarray:
    """Lessons x problems: whether the lesson's title names the problem, by its English name (its
    words in that order, each with its inflections, :data:`GAP` words between them at most) or its
    Chinese name. A writer who titles a lesson "Unclear requirements caused rework" has said which
    problem it is about, whatever its description goes on to say.

    >>> m = named(pd.Series(["Unclear business requirements caused rework", "需求变更频繁导致返工", "Late delivery"]))
    >>> [[PROBLEMS[j].id for j in np.flatnonzero(row)] for row in m]
    [['requirements_unclear'], ['requirements_change'], []]
    """
    codes, uniq = pd.factorize(titles.astype("string").fillna(""))
    names = _name_patterns()
    rows = np.array(
        [[bool(en.search(_words(str(t)))) or zh in str(t) for en, zh in names] for t in uniq],  # distinct titles
        dtype=bool,
    ).reshape(len(uniq), len(names))
    return rows[codes]


def spread(
    scores: np.ndarray,
    meaning: np.ndarray,
    *,
    neighbours: int = 10,
    alpha: float = 0.8,
    steps: int = 30,
    least: float = 0.2,
) -> np.ndarray:
    """Each lesson's problem evidence after it has spread along the lessons of like meaning: label
    spreading (Zhou, Bousquet, Lal, Weston and Schölkopf, "Learning with local and global
    consistency", NIPS 2003) on the graph linking each lesson to its ``neighbours`` nearest in
    ``meaning`` (unit rows; weight: cosine similarity, when at least ``least``: a lesson whose nearest
    lessons mean something else keeps its own evidence). ``scores`` (lessons x
    problems) are the seeds; ``alpha`` is the share of a lesson's
    evidence that comes from its neighbours; ``steps`` iterations of
    ``F <- alpha S F + (1 - alpha) Y`` (``alpha ** steps`` of the seeds' weight is left out).

    A lesson whose cues are few or shared by several problems takes the problem of the lessons that
    mean what it means; one with no cue at all takes it when they agree. Memory is linear in the
    lessons: the graph is sparse and built in blocks.

    >>> m = np.array([[1.0, 0.0], [0.98, 0.2], [0.0, 1.0], [0.1, 0.99]])
    >>> m /= np.linalg.norm(m, axis=1, keepdims=True)
    >>> s = np.array([[1.0, 0.0], [0.0, 0.0], [0.0, 1.0], [0.5, 0.5]])
    >>> spread(s, m, neighbours=1).argmax(axis=1).tolist()
    [0, 0, 1, 1]
    """
    from scipy import sparse  # here: scipy.sparse takes 0.2 s to import

    Y = np.asarray(scores, dtype=float)
    n = Y.shape[0]
    if n < 2:
        return Y
    k = min(neighbours, n - 1)
    M = np.asarray(meaning, dtype=np.float32)
    rows, cols, vals = [], [], []
    for start in range(0, n, 500):  # blocks of lessons, not lessons
        S = M[start : start + 500] @ M.T
        r = np.arange(S.shape[0])
        S[r, r + start] = -np.inf
        near = np.argpartition(-S, k - 1, axis=1)[:, :k]
        rows.append(np.repeat(r + start, k))
        cols.append(near.ravel())
        w = S[r[:, None], near]
        vals.append(np.where(w >= least, w, 0.0).ravel())
    W = sparse.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n, n))
    W = W.maximum(W.T)
    alone = np.asarray(W.sum(axis=1)).ravel() == 0
    W = W + sparse.diags(alone.astype(float))  # a lesson linked to none keeps its evidence whole
    d = np.asarray(W.sum(axis=1)).ravel()
    inv = sparse.diags(1 / np.sqrt(np.maximum(d, 1e-12)))
    S = inv @ W @ inv
    F = Y.copy()
    for _ in range(steps):  # iterations, not rows
        F = alpha * (S @ F) + (1 - alpha) * Y
    return F


def problem_of(scores: np.ndarray) -> np.ndarray:
    """Index in :data:`PROBLEMS` of each lesson's problem, -1 for none: the problem with the highest
    score. A tie goes to the tied problem most lessons have as their clear problem (the register's
    more common one); a tie that leaves undecided, and a lesson with no cue, have none.

    >>> problem_of(np.array([[0, 3, 1], [2, 2, 0], [0, 1, 0], [0, 0, 0], [1, 0, 1]])).tolist()
    [1, 1, 1, -1, -1]
    """
    scores = np.asarray(scores, dtype=float)
    if scores.size == 0:
        return np.full(scores.shape[0], -1)
    top = scores.max(axis=1, keepdims=True)
    tied = (scores == top) & (top > 0)
    clear = tied.sum(axis=1) == 1
    common = (
        np.bincount(scores[clear].argmax(axis=1), minlength=scores.shape[1])
        if clear.any()
        else np.zeros(scores.shape[1])
    )
    rank = np.where(tied, common[None, :] + 1, 0)
    best = rank.argmax(axis=1)
    unique_best = (rank == rank.max(axis=1, keepdims=True)).sum(axis=1) == 1
    return np.where(tied.any(axis=1) & (clear | unique_best), best, -1)
