"""Lessons learned: recurring problems, follow-through of actions, lessons for running projects.

Text handling, for English and Chinese in the same file:

* English: lower-cased words, stop words removed (scikit-learn's list plus PMO filler words),
  word forms merged with the Snowball stemmer (``delays``, ``delayed`` -> ``delay``).
* Chinese: segmented into words with jieba (``需求变更频繁导致返工`` -> 需求 / 变更 / 频繁 / 导致 / 返工),
  Chinese stop words removed.
* A small PMO glossary maps common Chinese terms onto the same stems as their English
  counterparts (供应商 -> vendor, 延迟 -> delay, 需求 -> requir), so a theme written in both
  languages is found as one theme.
* Adjacent terms also form two-word phrases (``vendor delay``).

Themes
    Category themes: the lesson's category. Text themes: NMF topics of the TF-IDF matrix of the
    ``to_improve`` lessons; each lesson belongs to its strongest topic. A theme is **recurring**
    when ``to_improve`` lessons about it come from at least ``min_projects`` distinct projects.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from .config import RUNNING_STATUSES

__all__ = [
    "tokenize",
    "prepare",
    "lessons_by_category",
    "overview",
    "quarterly_trend",
    "recurring_themes",
    "assign_themes",
    "open_actions",
    "action_followthrough",
    "fixes_that_did_not_stick",
    "lessons_for_projects",
    "went_well",
    "search_lessons",
]

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[a-z][a-z0-9]+(?:'[a-z]+)?")
_SEGMENTS = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[A-Za-z][A-Za-z0-9']*")

_EXTRA_EN_STOP = {"project", "projects", "team", "teams", "work", "weeks", "week", "month", "months",
                  "did", "didn", "got", "use", "used", "make", "new", "two", "three", "day", "days",
                  "time", "lesson", "lessons", "learned", "also", "would", "could", "should"}
_CN_STOP = {"的", "了", "和", "与", "及", "在", "是", "对", "被", "将", "并", "或", "等", "中", "后",
            "前", "时", "上", "下", "也", "都", "就", "而", "由", "为", "以", "从", "到", "把", "给",
            "没有", "导致", "进行", "相关", "一次", "两次", "多次", "问题", "项目", "工作", "需要",
            "情况", "方面", "一个", "这个", "我们", "他们", "可以", "已经", "明显", "严重", "之后",
            "经过", "大量", "出现"}
#: Chinese PMO terms -> the English stems of their usual translation.
GLOSSARY = {
    "供应商": ["vendor"], "厂商": ["vendor"], "外包": ["vendor"], "交付": ["deliveri"],
    "延迟": ["delay"], "延期": ["delay"], "推迟": ["delay"], "拖期": ["delay"],
    "需求": ["requir"], "变更": ["chang"], "需求变更": ["requir", "chang"], "返工": ["rework"],
    "不明确": ["unclear"], "验收": ["accept"], "验收标准": ["accept", "criteria"],
    "测试": ["test"], "测试环境": ["test", "environ"], "环境": ["environ"],
    "测试数据": ["test", "data"], "自动化": ["autom"], "自动化测试": ["autom", "test"],
    "回归": ["regress"], "数据": ["data"], "迁移": ["migrat"], "数据迁移": ["data", "migrat"],
    "历史数据": ["legaci", "data"], "质量": ["qualiti"], "资源": ["resourc"], "人员": ["staff"],
    "关键": ["key"], "冲突": ["conflict"], "占用": ["alloc"], "分配": ["alloc"],
    "合同": ["contract"], "里程碑": ["mileston"], "进度": ["schedul"], "预算": ["budget"],
    "成本": ["cost"], "沟通": ["communic"], "用户": ["user"], "业务": ["busi"],
    "上线": ["go-liv"], "评审": ["review"], "风险": ["risk"], "培训": ["train"],
    "发布": ["releas"], "缺陷": ["defect"], "迭代": ["iter"], "发起人": ["sponsor"],
}


#: English synonyms merged onto one stem, as the glossary does across languages.
SYNONYMS = {"supplier": "vendor", "contractor": "vendor", "late": "delay", "slip": "delay",
            "postpon": "delay"}


@lru_cache(maxsize=1)
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    for word in GLOSSARY:
        jieba.add_word(word)
    return jieba


@lru_cache(maxsize=1)
def _stemmer():
    import snowballstemmer

    return snowballstemmer.stemmer("english")


@lru_cache(maxsize=1)
def _en_stop() -> frozenset:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS | _EXTRA_EN_STOP)


@lru_cache(maxsize=500_000)
def _raw_stem(word: str) -> str:
    """Snowball stem (cached: the stemmer is pure Python and words repeat)."""
    return _stemmer().stemWord(word)


def _stem(word: str) -> str:
    """Snowball stem with English synonyms merged."""
    t = _raw_stem(word)
    return SYNONYMS.get(t, t)


def tokenize(text: str, *, phrases: bool = True) -> list[str]:
    """Terms of a text in English and/or Chinese (see the module docstring).

    Examples
    --------
    >>> tokenize("Vendor delays pushed go-live", phrases=False)
    ['vendor', 'delay', 'push', 'live']
    >>> tokenize("需求变更频繁导致返工", phrases=False)
    ['requir', 'chang', '频繁', 'rework']
    """
    if not isinstance(text, str) or not text:
        return []
    return list(_tokenize(text, phrases))


@lru_cache(maxsize=200_000)
def _tokenize(text: str, phrases: bool) -> tuple[str, ...]:
    stop = _en_stop()
    terms: list[str] = []
    for seg in _SEGMENTS.findall(text):
        if _CJK.match(seg):
            for w in _jieba().lcut(seg):
                if w in GLOSSARY:
                    terms.extend(GLOSSARY[w])
                elif len(w) >= 2 and w not in _CN_STOP:
                    terms.append(w)
        else:
            w = seg.lower()
            if len(w) >= 2 and w not in stop and _WORD.fullmatch(w):
                terms.append(_stem(w))
    if phrases:
        terms += [f"{a} {b}" for a, b in zip(terms, terms[1:], strict=False) if a != b]
    return tuple(terms)


def _vectorizer(**kw):
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(analyzer=tokenize, sublinear_tf=True, **kw)


def prepare(lessons: pd.DataFrame, projects: pd.DataFrame | None = None) -> pd.DataFrame:
    """Lessons with ``text`` (title + description), ``department`` (from the project), ``quarter``
    and the optional columns filled with empty values.
    """
    df = lessons.copy()
    for c in ("phase", "recommendation", "action_status", "owner"):
        if c not in df.columns:
            df[c] = pd.NA
    df["description"] = df["description"].fillna("")
    df["text"] = df["title"].fillna("") + ". " + df["description"]
    if projects is not None:
        df["department"] = df["project_id"].map(projects.drop_duplicates("project_id")
                                                .set_index("project_id")["department"])
    else:
        df["department"] = pd.NA
    df["quarter"] = df["date"].dt.to_period("Q").astype(str)
    return df


# --------------------------------------------------------------------------- counting
def lessons_by_category(prepared: pd.DataFrame) -> pd.DataFrame:
    """category, kind, lessons, high_impact, projects (distinct), sorted by lessons."""
    g = prepared.assign(high=prepared["impact"] == "high").groupby(["category", "kind"], observed=True)
    out = g.agg(lessons=("lesson_id", "size"), high_impact=("high", "sum"),
                projects=("project_id", "nunique")).reset_index()
    return out.sort_values(["lessons", "category"], ascending=[False, True]).reset_index(drop=True)


def overview(prepared: pd.DataFrame, *, by: str) -> pd.DataFrame:
    """Lessons per value of ``by`` (phase, impact, kind...) and kind, empty values as "(none)"."""
    col = prepared[by].astype("string").fillna("(none)")
    return (prepared.assign(**{by: col}).groupby([by, "kind"], observed=True).size()
            .unstack("kind", fill_value=0).reset_index())


def quarterly_trend(prepared: pd.DataFrame) -> pd.DataFrame:
    """Lessons per quarter and kind (every quarter between the first and last lesson)."""
    t = prepared.groupby(["quarter", "kind"]).size().unstack("kind", fill_value=0)
    q = pd.period_range(prepared["date"].min(), prepared["date"].max(), freq="Q").astype(str)
    return t.reindex(q, fill_value=0).rename_axis("quarter").reset_index()


# --------------------------------------------------------------------------- themes
def _display_terms(vocab: np.ndarray, weights: np.ndarray, forms: dict[str, str], k: int = 6) -> str:
    """Top terms of a topic, shown as readable words (a stem is shown as its most common form)."""
    top = vocab[np.argsort(weights)[::-1][: k * 2]]
    shown: list[str] = []
    for t in top:
        word = " ".join(forms.get(p, p) for p in t.split(" "))
        if word not in shown and not any(word in s.split(" ") for s in shown):
            shown.append(word)
        if len(shown) == k:
            break
    return ", ".join(shown)


def _surface_forms(texts) -> dict[str, str]:
    """Stem -> the word most often written for it (a synonym only when the word itself is never
    written; a Chinese glossary term when no English word has that stem).
    """
    from collections import Counter

    words = Counter(w for text in texts for w in _WORD.findall(str(text).lower()))
    direct: dict[str, tuple[int, str]] = {}
    via_synonym: dict[str, tuple[int, str]] = {}
    for w, n in words.items():
        raw = _raw_stem(w) if w not in _en_stop() else None
        if raw is None:
            continue
        target = direct if raw not in SYNONYMS else via_synonym
        key = SYNONYMS.get(raw, raw)
        if n > target.get(key, (0, ""))[0]:
            target[key] = (n, w)
    out = {s: w for s, (_, w) in via_synonym.items()}
    out.update({s: w for s, (_, w) in direct.items()})
    for cn, stems in GLOSSARY.items():
        for s in stems:
            out.setdefault(s, cn)
    return out


def assign_themes(prepared: pd.DataFrame, *, n_themes: int = 12, random_state: int = 0,
                  forms: dict[str, str] | None = None) -> tuple[pd.Series, pd.DataFrame]:
    """Text themes of the ``to_improve`` lessons (NMF on TF-IDF).

    Returns (theme id per lesson, empty for other lessons or lessons with no usable text;
    a frame of theme id -> top_terms).
    """
    from sklearn.decomposition import NMF

    bad = prepared.loc[prepared["kind"] == "to_improve"]
    theme = pd.Series(pd.NA, index=prepared.index, dtype="string")
    if len(bad) < 2:
        return theme, pd.DataFrame(columns=["theme", "top_terms"])
    vec = _vectorizer(min_df=2 if len(bad) >= 20 else 1, max_df=0.6 if len(bad) >= 20 else 1.0)
    try:
        X = vec.fit_transform(bad["text"])
    except ValueError:  # no terms at all
        return theme, pd.DataFrame(columns=["theme", "top_terms"])
    k = int(max(1, min(n_themes, X.shape[0] - 1, X.shape[1])))
    model = NMF(n_components=k, init="nndsvda", random_state=random_state, max_iter=500)
    W = model.fit_transform(X)
    vocab = vec.get_feature_names_out()
    has = W.max(axis=1) > 1e-9
    ids = np.array([f"T{i + 1:02d}" for i in range(k)])
    theme.loc[bad.index[has]] = ids[W[has].argmax(axis=1)]
    forms = forms if forms is not None else _surface_forms(bad["text"])
    terms = pd.DataFrame({"theme": ids, "top_terms": [
        _display_terms(vocab, model.components_[i], forms) for i in range(k)]})
    return theme, terms


def recurring_themes(prepared: pd.DataFrame, *, min_projects: int = 3, n_themes: int = 12,
                     themes: tuple[pd.Series, pd.DataFrame] | None = None) -> pd.DataFrame:
    """Themes (from the category and from the text) whose ``to_improve`` lessons come from at
    least ``min_projects`` distinct projects.

    Returns theme, source (category or text), top_terms, lessons, projects, departments,
    example_lesson_ids and example_titles (three most recent), sorted by projects then lessons.
    """
    if min_projects < 1:
        raise ValueError(f"min_projects must be >= 1, got {min_projects!r}")
    bad = prepared.loc[prepared["kind"] == "to_improve"]
    forms = _surface_forms(bad["text"])
    theme, terms = themes if themes is not None else assign_themes(prepared, n_themes=n_themes,
                                                                   forms=forms)
    bad = bad.assign(text_theme=theme)
    rows = []
    for source, key in (("category", "category"), ("text", "text_theme")):
        d = bad.dropna(subset=[key]).sort_values("date", ascending=False)
        if d.empty:
            continue
        g = d.groupby(key, observed=True)
        agg = g.agg(lessons=("lesson_id", "size"), projects=("project_id", "nunique"),
                    departments=("department", lambda s: ", ".join(sorted(s.dropna().astype(str).unique()))),
                    example_lesson_ids=("lesson_id", lambda s: ";".join(s.head(3))),
                    example_titles=("title", lambda s: " | ".join(s.head(3)))).reset_index()
        agg = agg.rename(columns={key: "theme"})
        agg["source"] = source
        if source == "text":
            agg = agg.merge(terms, on="theme", how="left")
        else:
            d_terms = d.groupby("category")["text"].apply(list)
            agg["top_terms"] = [_category_terms(d_terms.get(c, []), forms) for c in agg["theme"]]
        rows.append(agg)
    if not rows:
        return pd.DataFrame(columns=["theme", "source", "top_terms", "lessons", "projects", "departments",
                                     "example_lesson_ids", "example_titles"])
    out = pd.concat(rows, ignore_index=True)
    out = out.loc[out["projects"] >= min_projects]
    cols = ["theme", "source", "top_terms", "lessons", "projects", "departments", "example_lesson_ids",
            "example_titles"]
    return out.sort_values(["projects", "lessons"], ascending=False)[cols].reset_index(drop=True)


def _category_terms(texts, forms: dict[str, str], k: int = 6) -> str:
    """The ``k`` terms found in most of ``texts``, as readable words."""
    if len(texts) == 0:
        return ""
    from collections import Counter

    counts = Counter(t for text in texts for t in set(tokenize(text, phrases=False)))
    return ", ".join(forms.get(t, t) for t, _ in counts.most_common(k))


# --------------------------------------------------------------------------- actions
_OPEN = ("open", "in_progress")


def open_actions(prepared: pd.DataFrame, *, as_of) -> pd.DataFrame:
    """Recommendations still open or in progress, oldest first, with their age in days."""
    d = prepared.loc[prepared["action_status"].isin(_OPEN) & prepared["recommendation"].notna()].copy()
    d["age_days"] = (pd.Timestamp(as_of) - d["date"]).dt.days
    d["owner"] = d["owner"].fillna("(no owner)")
    cols = ["lesson_id", "project_id", "date", "age_days", "owner", "impact", "category", "title",
            "recommendation", "action_status"]
    return d.sort_values(["age_days"], ascending=False)[cols].reset_index(drop=True)


def action_followthrough(prepared: pd.DataFrame, *, as_of) -> pd.DataFrame:
    """Per owner: open actions, of which high impact, oldest age, and median age in days."""
    o = open_actions(prepared, as_of=as_of)
    g = o.assign(high=o["impact"] == "high").groupby("owner")
    out = g.agg(open_actions=("lesson_id", "size"), high_impact=("high", "sum"),
                oldest_days=("age_days", "max"), median_age_days=("age_days", "median")).reset_index()
    return out.sort_values(["open_actions", "oldest_days"], ascending=False).reset_index(drop=True)


def high_impact_done_share(prepared: pd.DataFrame) -> float:
    """Share of high-impact ``to_improve`` lessons whose action is done (count / count)."""
    high = prepared.loc[(prepared["impact"] == "high") & (prepared["kind"] == "to_improve")]
    return float((high["action_status"] == "done").sum() / len(high)) if len(high) else float("nan")


def fixes_that_did_not_stick(prepared: pd.DataFrame, theme: pd.Series) -> pd.DataFrame:
    """Lessons whose action is done but whose theme came back: later ``to_improve`` lessons on the
    same text theme from other projects. The register has no completion date, so the lesson date
    is used as the earliest date the action could have been done.

    Returns lesson_id, project_id, date, theme, title, recurrences (later lessons from other
    projects) and projects (distinct other projects with a later lesson), most recurrences first.
    Counted with ranks within each theme, so memory stays linear in the number of lessons.
    """
    d = prepared.assign(theme=theme).dropna(subset=["theme"])
    d = d.loc[d["kind"] == "to_improve", ["lesson_id", "project_id", "date", "theme", "title",
                                          "action_status"]].copy()
    cols = ["lesson_id", "project_id", "date", "theme", "title", "recurrences", "projects"]
    if d.empty:
        return pd.DataFrame(columns=cols)
    # later lessons in the theme, minus later lessons of the same project
    d["later_theme"] = d.groupby("theme")["date"].transform("size") - \
        d.groupby("theme")["date"].rank(method="max")
    d["later_own"] = d.groupby(["theme", "project_id"])["date"].transform("size") - \
        d.groupby(["theme", "project_id"])["date"].rank(method="max")
    d["recurrences"] = (d["later_theme"] - d["later_own"]).astype(int)
    # projects whose last lesson in the theme is later than this lesson, minus its own project
    last = d.groupby(["theme", "project_id"], as_index=False)["date"].max()
    q = d.loc[d["action_status"] == "done"]
    ev = pd.concat([last.assign(is_q=0, idx=-1), q[["theme", "project_id", "date"]].assign(
        is_q=1, idx=np.arange(len(q)))], ignore_index=True)
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


# --------------------------------------------------------------------------- running projects
def lessons_for_projects(prepared: pd.DataFrame, projects: pd.DataFrame, *, as_of, top_n: int = 5,
                         theme: pd.Series | None = None, chunk: int = 256) -> pd.DataFrame:
    """For each running project (active or on hold), the most relevant past lessons from other
    projects.

    score = 0.5 x text similarity (TF-IDF cosine between the lesson and the project's profile: its
    name plus the sum of its own lessons' vectors) + 0.2 if same department + 0.2 if the lesson's
    category or theme already appears in the project's own lessons + 0.1 if high impact.
    Returns project_id, lesson_id, score, reason.
    Projects are scored ``chunk`` at a time, so memory stays bounded for large registers.
    """
    cols = ["project_id", "lesson_id", "score", "reason"]
    active = projects.loc[projects["status"].isin(RUNNING_STATUSES)].reset_index(drop=True)
    past = prepared.loc[prepared["date"] <= pd.Timestamp(as_of)].reset_index(drop=True)
    if active.empty or past.empty:
        return pd.DataFrame(columns=cols)
    th = (theme.reindex(prepared.index)[prepared["date"] <= pd.Timestamp(as_of)].reset_index(drop=True)
          if theme is not None else pd.Series(pd.NA, index=past.index))
    past["theme"] = th.astype("string").fillna("")
    features = _MatchFeatures.build(past, active)
    k = min(top_n, len(past))
    out = [features.best(lo, min(lo + chunk, len(active)), k) for lo in range(0, len(active), chunk)]
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame(columns=cols)


@dataclass
class _MatchFeatures:
    """What :func:`lessons_for_projects` compares, built once: text vectors of past lessons and of
    project profiles, category/theme indicators, departments and impact, as arrays.
    """

    past: pd.DataFrame
    active: pd.DataFrame
    L_text: Any
    P_text: Any
    L_cat: Any
    P_cat: Any
    L_theme: Any
    P_theme: Any
    dept: np.ndarray
    active_dept: np.ndarray
    high: np.ndarray
    lesson_proj: np.ndarray  # position of the lesson's project among the running ones, -1 if none

    @classmethod
    def build(cls, past: pd.DataFrame, active: pd.DataFrame) -> _MatchFeatures:
        from scipy import sparse
        from sklearn.preprocessing import normalize

        vec = _vectorizer()
        L_text = vec.fit_transform(past["text"])
        # category and theme membership as sparse indicators (lesson x key), summed per project
        pidx = pd.Index(active["project_id"]).get_indexer(past["project_id"])
        mine = pidx >= 0
        own = sparse.csr_matrix((np.ones(mine.sum()), (pidx[mine], np.flatnonzero(mine))),
                                shape=(len(active), len(past)))

        def indicator(values: pd.Series):
            codes, _ = pd.factorize(values.where(values != "", None), use_na_sentinel=True)
            ok = codes >= 0
            m = sparse.csr_matrix((np.ones(ok.sum()), (np.flatnonzero(ok), codes[ok])),
                                  shape=(len(past), max(codes.max() + 1, 1)))
            return m, own @ m

        # a project's text profile: its name plus the sum of its own lessons' vectors
        P_text = normalize(vec.transform(active["name"].astype(str)) + own @ L_text)
        L_cat, P_cat = indicator(past["category"].astype(str))
        L_theme, P_theme = indicator(past["theme"])
        # integer codes: comparing millions of strings per chunk would dominate the run time
        dept_codes, _ = pd.factorize(pd.concat([past["department"].astype(str), active["department"].astype(str)]))
        return cls(past, active, L_text, P_text, L_cat, P_cat, L_theme, P_theme, dept_codes[: len(past)],
                   dept_codes[len(past):], (past["impact"] == "high").to_numpy(), pidx)

    def best(self, lo: int, hi: int, k: int) -> pd.DataFrame:
        """The ``k`` best lessons of running projects ``lo`` to ``hi`` (one chunk), with reasons."""
        from sklearn.metrics.pairwise import cosine_similarity

        sim = cosine_similarity(self.P_text[lo:hi], self.L_text)
        same_dept = self.dept[None, :] == self.active_dept[lo:hi, None]
        same_cat = (self.P_cat[lo:hi] @ self.L_cat.T).toarray() > 0
        same_theme = (self.P_theme[lo:hi] @ self.L_theme.T).toarray() > 0
        score = 0.5 * sim + 0.2 * same_dept + 0.2 * (same_cat | same_theme) + 0.1 * self.high[None, :]
        score[self.lesson_proj[None, :] == np.arange(lo, hi)[:, None]] = -1  # never its own lessons
        best = np.argpartition(-score, k - 1, axis=1)[:, :k]
        order = np.argsort(-np.take_along_axis(score, best, axis=1), axis=1)
        best = np.take_along_axis(best, order, axis=1)
        r = np.repeat(np.arange(hi - lo), k)
        j = best.ravel()
        sc = score[r, j]
        keep = sc > 0
        r, j, sc = r[keep], j[keep], sc[keep]
        cats = self.past["category"].astype(str).to_numpy()[j]
        why_key = np.where(same_cat[r, j], "same category '" + cats + "'; ",
                           np.where(same_theme[r, j], "same theme; ", ""))
        why_dept = np.where(same_dept[r, j], "same department; ", "")
        why_sim = np.char.mod("text similarity %.2f", sim[r, j])
        why_high = np.where(self.high[j], "; high impact", "")
        reason = np.char.add(np.char.add(np.char.add(why_key.astype(str), why_dept.astype(str)), why_sim),
                             why_high.astype(str))
        return pd.DataFrame({"project_id": self.active["project_id"].to_numpy()[lo:hi][r],
                             "lesson_id": self.past["lesson_id"].to_numpy()[j],
                             "score": np.round(sc, 3), "reason": reason})


def went_well(prepared: pd.DataFrame) -> pd.DataFrame:
    """Practices most often reported as working: per category of ``went_well`` lessons, how many
    lessons and projects, the most common terms and an example title.
    """
    good = prepared.loc[prepared["kind"] == "went_well"].sort_values("date", ascending=False)
    if good.empty:
        return pd.DataFrame(columns=["practice", "lessons", "projects", "top_terms", "example_title"])
    g = good.groupby("category")
    out = g.agg(lessons=("lesson_id", "size"), projects=("project_id", "nunique"),
                example_title=("title", "first")).reset_index().rename(columns={"category": "practice"})
    forms = _surface_forms(good["text"])
    out["top_terms"] = out["practice"].map(g["text"].apply(list)).map(lambda t: _category_terms(t, forms))
    cols = ["practice", "lessons", "projects", "top_terms", "example_title"]
    return out.sort_values(["projects", "lessons"], ascending=False)[cols].reset_index(drop=True)


def search_lessons(lessons: pd.DataFrame, query: str, *, top: int = 10) -> pd.DataFrame:
    """Lessons ranked by relevance to ``query`` (English or Chinese), best first.

    TF-IDF cosine similarity on title + description, with the same tokenization as the themes, so
    "vendor delay" also finds 供应商交付延迟. Lessons with no match are left out.

    Examples
    --------
    >>> from pmo_analysis import load_portfolio
    >>> from pmo_analysis.config import SAMPLE_DATA_DIR
    >>> lessons = load_portfolio(SAMPLE_DATA_DIR).lessons
    >>> hits = search_lessons(lessons, "vendor delay")
    >>> bool(hits["title"].str.contains("endor|upplier|供应商").all())
    True
    >>> bool(search_lessons(lessons, "需求变更")["score"].gt(0).all())
    True
    """
    from sklearn.metrics.pairwise import cosine_similarity

    if not isinstance(query, str) or not query.strip():
        raise ValueError("query must be a non-empty string")
    text = lessons["title"].fillna("") + ". " + lessons["description"].fillna("")
    vec = _vectorizer()
    try:
        X = vec.fit_transform(text)
    except ValueError:
        return lessons.iloc[0:0].assign(score=pd.Series(dtype=float))
    q = vec.transform([query])
    score = cosine_similarity(q, X).ravel()
    order = np.argsort(score)[::-1][:top]
    order = order[score[order] > 0]
    cols = [c for c in ("lesson_id", "project_id", "date", "category", "kind", "impact", "title")
            if c in lessons.columns]
    return lessons.iloc[order][cols].assign(score=score[order].round(3)).reset_index(drop=True)
