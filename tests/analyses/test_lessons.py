"""Lessons learned: tokenization in two languages, counting rules, themes, actions, search."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pmo_analysis import load_portfolio
from pmo_analysis.analyses import lessons as L
from pmo_analysis.analyses.lessons import evaluation as E
from pmo_analysis.analyses.lessons import text as T
from pmo_analysis.analyses.lessons.problems import PROBLEMS
from pmo_analysis.analyses.lessons.themes import _cohesion, _dangling
from pmo_analysis.reporting.display import table
from tests.helpers import REAL_DATA


def _lessons(rows):
    df = pd.DataFrame(
        rows,
        columns=[
            "lesson_id",
            "project_id",
            "date",
            "category",
            "kind",
            "impact",
            "title",
            "description",
            "recommendation",
            "action_status",
            "owner",
        ],
    )
    df["date"] = pd.to_datetime(df["date"])
    return df


PROJECTS = pd.DataFrame(
    {
        "project_id": ["A", "B", "C", "D"],
        "name": ["Alpha", "Beta", "Gamma", "Delta"],
        "department": ["IT", "IT", "Ops", "Ops"],
        "status": ["completed", "completed", "active", "active"],
    }
)
SMALL = _lessons(
    [
        (
            "1",
            "A",
            "2025-01-10",
            "Vendor",
            "to_improve",
            "high",
            "Vendor delivered late",
            "The vendor was late.",
            "Add penalties",
            "done",
            "PMO",
        ),
        (
            "2",
            "B",
            "2025-03-10",
            "Vendor",
            "to_improve",
            "medium",
            "供应商交付延迟",
            "供应商未按时交付。",
            "每周检查",
            "open",
            "采购部",
        ),
        (
            "3",
            "C",
            "2025-05-10",
            "Vendor",
            "to_improve",
            "high",
            "Supplier delay again",
            "Supplier delays hit go-live.",
            "Track vendors",
            "in_progress",
            None,
        ),
        ("4", "C", "2025-06-10", "Testing", "went_well", "low", "Automated tests helped", "", None, "n/a", None),
        (
            "5",
            "D",
            "2025-06-20",
            "Testing",
            "to_improve",
            "high",
            "No test environment",
            "Testers were idle.",
            "Book environments",
            "open",
            "QA",
        ),
    ]
)


def test_chinese_segmentation_known_sentence():
    # glossary terms, then CC-CEDICT senses (频繁 "frequently", 影响 "influence"), a negation kept
    assert L.tokenize("需求变更频繁导致返工", phrases=False) == ["requir", "chang", "frequent", "rework"]
    assert L.tokenize("测试环境不稳定影响进度", phrases=False) == ["test", "environ", "unstabl", "influenc", "schedul"]


def test_chinese_reaches_the_english_terms_through_the_dictionary():
    assert T.translate("迁移") == ("migrat",) == tuple(L.tokenize("migrate", phrases=False))
    assert T.translate("频繁") == ("frequent",)  # "frequently", not in the glossary
    assert T.translate("低估") == tuple(L.tokenize("underestimated", phrases=False))
    assert T.translate("时间") == ()  # "time": a stop word in either language
    assert T.translate("龘龘") == ("龘龘",)  # not in the dictionary: kept as written
    same = set(L.tokenize("数据迁移质量差", phrases=False)) & set(
        L.tokenize("Data migration quality was poor", phrases=False)
    )
    assert same == {"data", "migrat", "qualiti"}


def test_field_labels_and_names_come_from_the_data():
    texts = pd.Series([f"[Abstract] part {i} [Driving event] x" for i in range(10)] + ["[y] z"])
    assert T.field_labels(texts) == ["Abstract", "Driving event"]
    assert T.strip_labels(texts, ["Abstract"]).iloc[0] == "  part 0 [Driving event] x"
    # capitalised inside sentences: a name; capitalised only at a sentence start: not a name
    d = pd.Series([f"The orbiter at KSC lost power {i}. Software failed." for i in range(6)])
    names = T.name_terms(d, pd.Series(list("abcabc")))
    assert "ksc" in names and "softwar" not in names and "orbit" not in names


def test_english_stop_words_and_word_forms():
    assert L.tokenize("The vendors delayed the delivery", phrases=False) == ["vendor", "delay", "deliveri"]
    assert L.tokenize("Supplier was late", phrases=False) == ["vendor", "delay"]  # synonyms merged


def test_mixed_language_text_and_phrases():
    terms = L.tokenize("Vendor 供应商 delay 延迟")
    assert terms[:4] == ["vendor", "vendor", "delay", "delay"]
    assert "vendor delay" in terms
    assert L.tokenize("") == [] and L.tokenize(None) == []


def test_counting_rules():
    d = L.prepare(SMALL, PROJECTS)
    c = L.lessons_by_category(d).set_index(["category", "kind"])
    assert c.loc[("Vendor", "to_improve")].tolist() == [3, 2, 3]  # lessons, high impact, distinct projects
    assert c.loc[("Testing", "went_well")].tolist() == [1, 0, 1]
    assert d.loc[d["lesson_id"] == "3", "department"].item() == "Ops"
    assert d.loc[d["lesson_id"] == "4", "text"].item() == "Automated tests helped. "  # empty description


def test_recurring_threshold():
    d = L.prepare(SMALL, PROJECTS)
    r3 = L.recurring_themes(d, min_projects=3, n_themes=2)
    cats = r3.loc[r3["source"] == "category"]
    assert cats["theme"].tolist() == ["Vendor"] and cats["projects"].item() == 3 and cats["lessons"].item() == 3
    assert cats["departments"].item() == "IT, Ops" and cats["name"].item() == "Vendor"
    assert cats["project_names"].item() == "Alpha, Beta, Gamma"
    assert set(cats["example_lesson_ids"].item().split(";")) == {"1", "2", "3"}
    r4 = L.recurring_themes(d, min_projects=4, n_themes=2)
    assert r4.empty
    with pytest.raises(ValueError, match="min_projects must be >= 1, got 0"):
        L.recurring_themes(d, min_projects=0)


def test_single_lesson_and_empty_text():
    one = L.prepare(SMALL.iloc[[0]], PROJECTS)
    assert L.recurring_themes(one, min_projects=1).empty  # one lesson is no theme
    empty = L.prepare(SMALL.assign(title="", description="").iloc[:2], PROJECTS)
    theme, terms = L.assign_themes(empty)
    assert theme.isna().all() and terms.empty


def test_actions():
    d = L.prepare(SMALL, PROJECTS)
    o = L.open_actions(d, as_of="2025-07-01")
    assert o["lesson_id"].tolist() == ["2", "3", "5"]  # oldest first
    assert o.loc[o["lesson_id"] == "3", "owner"].item() == "(no owner)"
    assert o["age_days"].tolist() == [
        (pd.Timestamp("2025-07-01") - pd.Timestamp(x)).days for x in ("2025-03-10", "2025-05-10", "2025-06-20")
    ]
    assert L.high_impact_done_share(d) == pytest.approx(1 / 3)  # lessons 1 (done), 3, 5
    by = L.action_followthrough(d, as_of="2025-07-01").set_index("owner")
    assert by.loc["Procurement", "open_actions"] == 1  # 采购部, through the owner alias map


def test_fix_that_did_not_stick():
    d = L.prepare(SMALL, PROJECTS)
    theme = pd.Series(["T1", "T1", "T1", pd.NA, "T2"], index=d.index, dtype="string")
    stuck = L.fixes_that_did_not_stick(d, theme)
    assert stuck["lesson_id"].tolist() == ["1"] and stuck["recurrences"].item() == 2
    assert stuck["projects"].item() == 2  # B and C


def test_lessons_for_active_projects():
    d = L.prepare(SMALL, PROJECTS)
    r = L.lessons_for_projects(d, PROJECTS, as_of="2025-07-01", top_n=2)
    assert set(r["project_id"]) == {"C", "D"}
    assert not ((r["project_id"] == "C") & r["lesson_id"].isin(["3", "4"])).any()  # never its own lessons
    c = r.loc[r["project_id"] == "C"]
    # C has its own Vendor and Testing lessons; D's testing lesson shares C's department and is high impact
    assert c["lesson_id"].tolist()[0] == "5"
    assert c["reason"].iloc[0].startswith("same category 'Testing'; same department; text similarity")
    assert c["reason"].iloc[0].endswith("high impact")
    assert c["lesson_id"].tolist()[1] in ("1", "2") and "same category 'Vendor'" in c["reason"].iloc[1]
    # the reasons are codes worded in the report's language (core/wording.py)
    from pmo_analysis.core.i18n import language

    with language("zh"):
        zh = L.lessons_for_projects(d, PROJECTS, as_of="2025-07-01", top_n=2)
    assert zh["reason"].iloc[0].startswith("同属类别“Testing”；同一部门；文本相似度 ")
    assert zh["reason"].iloc[0].endswith("；高影响")


def test_search_in_both_languages():
    hits = L.search_lessons(SMALL, "vendor delay")
    assert set(hits["lesson_id"].head(3)) == {"1", "2", "3"}
    assert L.search_lessons(SMALL, "供应商")["lesson_id"].iloc[0] in {"1", "2", "3"}
    assert L.search_lessons(SMALL, "zzz").empty
    with pytest.raises(ValueError, match="query must be a non-empty string"):
        L.search_lessons(SMALL, "  ")


def test_html_in_lesson_text_is_escaped():
    evil = SMALL.assign(
        title=["<script>alert(1)</script>", "**bold** _x_", "<img src=x onerror=alert(2)>", "a & b", "`code`"]
    )
    html = table(evil[["lesson_id", "title"]]).to_html()
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(2)&gt;" in html
    assert "a &amp; b" in html and "**bold** _x_" in html


def test_owner_aliases_count_one_owner_once():
    d = L.prepare(SMALL.assign(owner=["PMO", "项目管理办公室", " pmo ", "", "Project Management Office"]), PROJECTS)
    assert d["owner"].tolist()[:3] == ["PMO", "PMO", "PMO"] and pd.isna(d["owner"].iloc[3])
    own = L.prepare(SMALL.assign(owner="X"), PROJECTS, owner_aliases={"x": "Y"})
    assert set(own["owner"]) == {"Y"}


def test_text_themes_inside_a_category_are_listed_once_on_it():
    """Two problems written under one category in both languages ("Requirements"), a third spread
    over two categories: the first two are the category again and listed once, the third stays."""
    rows = []
    problems = {
        "Requirements": [
            ("Ambiguous acceptance rules in the specification", "The specification left acceptance rules ambiguous."),
            ("验收规则含糊不清", "规格说明中的验收规则含糊不清。"),
        ],
        "Requirements ": [
            ("Requirement churn during build", "Requirement churn during build forced redesign of the screens."),
            ("构建期间需求反复变化", "构建期间需求反复变化，界面被迫重新设计。"),
        ],
        "Ops|Infra": [
            ("Backup restore never rehearsed", "The backup restore was never rehearsed before cutover."),
            ("备份恢复从未演练", "切换前从未演练备份恢复。"),
        ],
    }
    i = 0
    for cat, texts in problems.items():
        for n in range(8):  # 8 lessons per problem over 4 projects, alternating languages
            title, desc = texts[n % 2]
            category = cat.strip() if "|" not in cat else cat.split("|")[n % 2]
            i += 1
            rows.append(
                (f"L{i:02d}", "ABCD"[n % 4], "2025-01-10", category, "to_improve", "high", title, desc, "", "open", "")
            )
    d = L.prepare(_lessons(rows), PROJECTS)
    r = L.lesson_themes(d, n_themes=3, min_projects=3)
    rec = r.recurring.set_index(["source", "theme"])
    req = rec.loc[("category", "Requirements")]
    assert req["lessons"] == 16 and len(req["text_theme"].split("; ")) == 2
    text = r.recurring.loc[r.recurring["source"] == "text"]
    assert len(text) == 1 and text["lessons"].iloc[0] == 8  # the backup problem, in neither category wholly
    # named after its problem of the problem list, its top terms from its own words
    assert text["projects"].iloc[0] == 4 and text["name"].iloc[0] == "Infrastructure outages"
    assert "backup" in text["top_terms"].iloc[0].lower()


def test_top_terms_and_names_are_words_not_stems(sample):
    """A register written in Chinese only reaches its English terms through the glossary, whose terms
    are stems (进度 -> schedul): each is shown as the English word it stands for."""
    d = L.prepare(sample.lessons, sample.projects)
    zh = d.loc[d["text"].str.count(T._HAN) * 2 > d["text"].str.len()].reset_index(drop=True)
    r = L.lesson_themes(zh)
    shown = set()
    for col in (r.themes["top_terms"], r.recurring["top_terms"]):
        shown |= {w for terms in col for term in terms.split(", ") for w in term.split(" ")}
    shown |= {w.lower() for name in r.themes["name"] for w in name.split(" ")}
    english = {w for w in shown if not T._CJK.fullmatch(w)}
    # every word is one a reader knows: the dictionary's own sense of a word in the text, or the
    # glossary's word, never a stem such as schedul, requir, environ or legaci
    words = {e for run in T._CJK.findall(" ".join(zh["text"])) for w in T._chinese_words(run) for _, e in T._sense(w)}
    words |= {T._word_of_stem(t) for ts in T.GLOSSARY.values() for t in ts} | set(T._SHOWN.values())
    words |= {w.lower() for p in PROBLEMS for w in p.name.split()}  # a theme of one problem bears its name
    stems = {t for ts in T.GLOSSARY.values() for t in ts} - words
    assert english and english <= words and not english & stems
    assert {"schedule", "requirements", "environment"} <= english
    # the law behind it: the word shown for each glossary term is written with that term's stem
    assert all(T._stem(T._word_of_stem(t)) == t for ts in T.GLOSSARY.values() for t in ts)


def test_acronyms_and_document_numbers_in_names_and_terms():
    """NASA writes BOSC (a contract) and IRN (a notice) in capitals and cites reliability practices by
    number (PT-TE-1437): a theme shows "Contract BOSC", never "Contract bosc" or "Pt te"."""
    texts = pd.Series(
        ["The BOSC contract was late", "BOSC contract renewal slipped", "IRN issued late for the chassis ground"]
        + ["Practice PT-TE-1437 was not applied", "Practice PT-TE-1429 was not applied"]
        + ["the contract team was not told"] * 5
    )
    forms, _ = T.surface_forms(texts)
    assert forms["bosc"] == "BOSC" and forms["irn"] == "IRN" and forms["contract"] == "contract"
    assert not {"pt", "te"} & {t for text in texts for t in T.tokenize(text, phrases=False)}
    # a register typed in capitals has no acronyms to tell apart
    assert T.surface_forms(texts.str.upper())[0]["contract"] == "contract"


def test_placeholder_categories_are_never_a_recurring_problem():
    d = L.prepare(SMALL.assign(category=["Uncategorized", " other", "None", "n/a", "Testing"]), PROJECTS)
    r = L.recurring_themes(d, min_projects=1)
    assert set(r.loc[r["source"] == "category", "theme"]) == {"Testing"}


def test_every_planted_family_is_one_theme_in_both_languages(sample):
    d = L.prepare(sample.lessons, sample.projects)
    r = L.lesson_themes(d, n_themes=12)
    fam = E.sample_families(d)
    assert fam.notna().sum() == (d["kind"] == "to_improve").sum()  # every problem lesson is labelled
    text = d["title"] + d["description"]
    overall, by = E.purity(
        r.theme, fam, text.str.count(T._HAN) * 2 > text.str.len(), r.themes.set_index("theme")["name"]
    )
    by = by.set_index("family")
    assert overall == 1.0 and (by["cohesion"] == 1.0).all()
    bilingual = by.loc[by["chinese"] > 0]
    assert len(bilingual) == 6  # the six problems the sample writes in both languages
    assert (bilingual["chinese_in_theme"] == bilingual["chinese"]).all()
    assert (bilingual["english_in_theme"] == bilingual["english"]).all()
    # one theme per problem, each named in words
    assert by["theme"].is_unique and len(r.themes) == len(by)
    names = by["name"].str.lower()
    assert "vendor" in names["vendor delay"] and "migration" in names["data migration"]
    assert "requirements" in names["unclear requirements"] and "environment" in names["test environment"]
    assert not r.themes["name"].str.fullmatch(r"T\d+").any()
    assert r.themes["name"].str.split().str.len().between(2, 4).all()


def test_themes_show_their_most_representative_lessons(sample):
    d = L.prepare(sample.lessons, sample.projects)
    r = L.lesson_themes(d)
    fam = E.sample_families(d)
    for _, t in r.themes.iterrows():  # themes, not lessons
        ids = t["example_lesson_ids"].split(";")
        family = fam[d.index[d["theme"] == t["theme"]] if "theme" in d else r.theme.index[r.theme == t["theme"]]]
        assert set(fam[d["lesson_id"].isin(ids).to_numpy()]) == {family.mode().iloc[0]}
        assert t["projects"] >= 1 and t["project_names"]


def test_recurring_problems_by_category_and_text_without_duplicates(sample):
    d = L.prepare(sample.lessons, sample.projects)
    rec = L.recurring_themes(d, min_projects=3)
    cats = rec.loc[rec["source"] == "category"].set_index("theme")
    text = rec.loc[rec["source"] == "text"]
    # a text theme that is a category again is named on the category's row, not listed twice
    assert "vendor" in cats.loc["Vendor management", "text_theme"].lower()
    assert "migration" in cats.loc["Data", "text_theme"].lower()
    assert not text["name"].str.lower().str.contains("vendor").any()
    # "Requirements", "Unclear requirements" and "Requirement changes" are one problem: the two text
    # themes make up the category (28 + 17 of its 45 lessons), so it is listed once, naming them
    parts = cats.loc["Requirements", "text_theme"].lower().split("; ")
    assert parts == ["unclear requirements", "requirement changes"]
    assert cats.loc["Requirements", "lessons"] == 45
    assert cats.loc["Resourcing", "text_theme"].lower() == "resource over-allocation; staff turnover"
    assert text.empty and len(rec) == 6  # was 10 rows for 6 problems
    assert rec["projects"].ge(3).all()
    vendor = L.search_lessons(sample.lessons, "vendor delay", top=20)
    assert vendor["title"].str.contains("供应商").any() and vendor["title"].str.contains("endor|upplier").any()


#: Words a noun phrase does not end on, derived from the names the themes had before they were read
#: as noun phrases ("Members allocated", "Testing environment unstable", "Key developer left",
#: "Surprised go-live changes") and the verbs lessons are written with.
_VERB_FORMS = {
    "allocated",
    "unstable",
    "left",
    "surprised",
    "delivered",
    "caused",
    "changed",
    "failed",
    "slipped",
    "underestimated",
    "booked",
    "told",
    "knew",
    "hit",
    "went",
    "made",
    "found",
    "introduced",
    "occurred",
}


def _assert_noun_phrases(themes: pd.DataFrame) -> None:
    """Every theme name reads like a PMO lead's 2-4 words; every Chinese name is short, no term twice."""
    for name in themes["name"]:  # themes, not lessons
        words = name.lower().split()
        assert 2 <= len(words) <= 4, name
        assert len(set(words)) == len(words), name  # no repeated word
        for w in (words[0], words[-1]):
            assert w not in _VERB_FORMS and not (len(w) > 4 and w.endswith(("ed", "ly"))), name
        assert not _dangling(words[-1]), name
    for zh in themes["name_zh"].loc[themes["name_zh"] != ""]:
        assert 2 <= len(zh) <= 12 and not T._CJK.sub("", zh), zh  # Chinese only, short
        pairs = [zh[i : i + 2] for i in range(len(zh) - 1)]
        assert len(set(pairs)) == len(pairs), zh  # no term twice


@pytest.mark.parametrize("language", ["en", "zh"])
def test_theme_names_are_noun_phrases_on_the_sample(language):
    from pmo_analysis.core.config import SAMPLE_AS_OF, SAMPLE_DATA_DIR
    from pmo_analysis.model import build_model

    m = build_model(
        load_portfolio(SAMPLE_DATA_DIR, as_of=SAMPLE_AS_OF), as_of=SAMPLE_AS_OF, params={"language": language}
    )
    _assert_noun_phrases(m.themes)
    names = set(m.themes["name"])
    # each planted problem is a problem of the problem list and bears its name in both languages
    # ("End users were not told about process changes until go-live; adoption was slow", whose
    # recommendation is change management, reads as low user adoption)
    assert {"Staff turnover", "Low user adoption", "Test environments", "Unclear requirements"} <= names
    assert (m.themes["name_zh"] != "").all() and {"需求不明确", "人员流失"} <= set(m.themes["name_zh"])


@pytest.fixture(scope="module")
def nasa():
    """The NASA lessons register, prepared, and its themes (12, recurring across 3 projects): read
    and computed once for every test of it."""
    if not REAL_DATA.exists():
        pytest.skip("../shared/real-data not present")
    p = load_portfolio(REAL_DATA / "nasa-llis")
    d = L.prepare(p.lessons, p.projects)
    return p, d, L.lesson_themes(d, min_projects=3, n_themes=12)


@pytest.mark.slow
def test_real_nasa_lessons(nasa):
    p, d, r = nasa
    rec = r.recurring
    assert len(rec) >= 5 and rec["projects"].max() >= 5
    # "Uncategorized" (980 lessons) is a data gap, not a recurring problem; field labels are no terms
    assert "Uncategorized" not in set(rec["theme"])
    terms = " ".join(rec["top_terms"]).lower()
    assert not {"abstract", "driving", "event"} & set(terms.replace(",", " ").split())
    # programme and centre names are no themes
    assert not r.themes["name"].str.contains(r"\b(?:Shuttle|ISS|JPL|Mars|KSC)\b").any()
    _assert_noun_phrases(r.themes)
    overall, fam = E.purity(
        r.theme, E.title_families(d), pd.Series(False, index=d.index), r.themes.set_index("theme")["name"]
    )
    fam = fam.set_index("family")
    named = r.themes.set_index("theme")
    # software: one theme named after it holds most of the lessons whose titles name software
    sw = fam.loc["software"]
    assert "software" in sw["name"].lower() and sw["cohesion"] >= 0.6 and sw["theme_purity"] >= 0.9
    # test and verification: the theme holding most of them is about testing (test failures of wires
    # and connectors: 39 of 121), and the two testing problems of the list hold about as many more
    tv = fam.loc["test and verification"]
    assert tv["theme_purity"] >= 0.85 and "test" in named.loc[tv["theme"], "top_terms"]
    testing = named.index[named["name"].isin(["Insufficient testing", "Test environments"])]
    tested = E.title_families(d).eq("test and verification")
    # measured: 32 of 121 in the two testing problems, 71 with the test theme
    assert r.theme[tested].isin(testing).mean() >= 0.25
    assert r.theme[tested].isin([*testing, tv["theme"]]).mean() >= 0.55
    assert overall >= 0.8
    assert L.lessons_for_projects(d, p.projects, as_of="2025-12-31").empty  # no active "projects"
    hits = L.search_lessons(p.lessons, "software configuration change", top=5)
    assert len(hits) == 5 and hits["score"].iloc[0] > 0.1


@pytest.mark.slow
def test_real_nasa_procedure_problems_form_a_theme(nasa):
    _, d, r = nasa
    named = r.themes.set_index("theme")
    breaches = named.index[named["name"] == "Breaches of procedure"]
    assert len(breaches) == 1 and "procedures" in named.loc[breaches[0], "top_terms"]
    # a procedure not followed or deviated from is a breach, however the title words it
    deviated = d["title"].str.contains(r"not followed|deviation from|procedural control", case=False)
    assert deviated.sum() >= 3 and r.theme[deviated].eq(breaches[0]).all()
    # the lessons whose titles name a procedure: 8 of 24 there (measured; README, "Evaluation"); the
    # others are about writing procedures or investigations, not breaches
    procedure = E.title_families(d).eq("procedure")
    assert r.theme[procedure].eq(breaches[0]).mean() >= 0.3


def test_cohesion_against_hand_computed_values():
    from types import SimpleNamespace

    from scipy import sparse

    # a, b point one way, c, d another: 6 pairs, 2 of similarity 1 -> the register's mean is 1/3
    space = SimpleNamespace(X=sparse.csr_matrix([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.0, 1.0]]))
    coh = _cohesion(space, [0, 0, 1, 1], 2)
    assert coh.tolist() == pytest.approx([3.0, 3.0])  # each pair is alike: 1 / (1/3)
    mixed = _cohesion(space, [0, 1, 0, 1], 2)
    assert mixed.tolist() == pytest.approx([0.0, 0.0])  # each group mixes the two: a miscellany
    assert _cohesion(space, [0, 1, 1, 1], 2)[0] == float("inf")  # one lesson mixes nothing


def _assert_no_miscellany_is_a_recurring_problem(r: L.LessonThemes, to_improve: int) -> None:
    """No recurring problem holds over 30% of the lessons unless it is cohesive; every text theme
    is cohesive except the remainder, which is labelled as such, with its size, and never recurs."""
    rec = r.recurring
    big = rec.loc[rec["lessons"] > 0.3 * to_improve]
    assert (big["cohesion"] >= L.MIN_COHESION).all(), big[["name", "lessons", "cohesion"]]
    text = rec.loc[rec["source"] == "text"]
    assert (text["cohesion"] >= L.MIN_COHESION).all() and L.OTHER_THEME not in set(text["theme"])
    themes = r.themes.set_index("theme")
    assert (themes.drop(index=L.OTHER_THEME, errors="ignore")["cohesion"] >= L.MIN_COHESION).all()
    if L.OTHER_THEME in themes.index:
        other = themes.loc[L.OTHER_THEME]
        assert (other["name"], other["name_zh"]) == ("Other lessons", "其他经验教训")
        assert other["lessons"] == (r.theme == L.OTHER_THEME).sum() and other["cohesion"] < L.MIN_COHESION
        assert themes.index[-1] == L.OTHER_THEME  # listed last, after the problems


def test_no_miscellany_recurs_on_the_sample(sample):
    d = L.prepare(sample.lessons, sample.projects)
    r = L.lesson_themes(d, n_themes=12)
    _assert_no_miscellany_is_a_recurring_problem(r, (d["kind"] == "to_improve").sum())
    assert L.OTHER_THEME not in set(r.themes["theme"])  # every planted problem is cohesive: no remainder


@pytest.mark.slow
def test_real_nasa_miscellany_is_split_and_the_rest_labelled(nasa):
    _, d, r = nasa
    n = (d["kind"] == "to_improve").sum()
    _assert_no_miscellany_is_a_recurring_problem(r, n)
    # the lessons sharing no problem (once 626 in one theme named "Main engineering", ranked first)
    # are labelled as such; what they held that is a problem shared by projects is a theme of its own
    other = r.themes.set_index("theme").loc[L.OTHER_THEME]
    assert other["lessons"] < 0.4 * n
    # a theme grouped by its words holds under 10% of the lessons; one problem of the problem list may
    # hold more (procedures: 14%), and its lessons are alike by that problem
    problems = {p.name for p in PROBLEMS}
    words = r.recurring.loc[~r.recurring["name"].isin(problems)]
    assert words["lessons"].max() < 0.1 * n and r.recurring["lessons"].max() < 0.15 * n
    assert r.recurring["name"].str.contains("Wire|Electrical|High pressure", case=False).any()
    assert r.recurring.loc[r.recurring["name"].str.contains("Main engineering"), "lessons"].sum() < 0.02 * n


def test_a_text_read_before_is_read_back_exactly_and_a_bad_store_is_passed_by(tmp_path, monkeypatch):
    import sqlite3

    from pmo_analysis.analyses.lessons import meaning as M

    texts = ["The vendor shipped the firmware three weeks late", "供应商固件晚交三周", "Backup restore never rehearsed"]
    monkeypatch.setenv(M.VECTOR_CACHE_ENV, "off")
    M._embed.cache_clear()
    fresh = {e: M.embed(texts, encoder=e) for e in ("use", "e5")}
    store = tmp_path / "v.sqlite"
    monkeypatch.setenv(M.VECTOR_CACHE_ENV, str(store))
    M._embed.cache_clear()
    first = {e: M.embed(texts, encoder=e) for e in ("use", "e5")}
    with sqlite3.connect(store) as con:
        kept = con.execute("SELECT encoder, count(*) FROM vectors GROUP BY encoder ORDER BY encoder").fetchall()
    assert [(e.split(":")[0], n) for e, n in kept] == [("e5", 3), ("use", 3)]
    keys = [hashlib.sha256(t.encode()).digest() for t in texts]
    for e in ("use", "e5"):  # the encoders, not lessons
        back = M._stored(e, keys, 512 if e == "use" else 384)
        assert np.array_equal(np.stack([back[k] for k in keys]), fresh[e]) and np.array_equal(first[e], fresh[e])
    # a store that is no database is passed by: the texts are encoded and the run goes on
    store.write_bytes(b"not a database" * 100)
    M._embed.cache_clear()
    assert np.array_equal(M.embed(texts), fresh["use"]) and M._stored("use", keys, 512) == {}
    M._embed.cache_clear()


def test_lessons_tables_do_not_depend_on_the_process(tmp_path):
    """Two processes with different string hashing (PYTHONHASHSEED) give the same lessons tables:
    no figure, name or term list depends on the order of a set."""
    import os
    import subprocess
    import sys

    from pmo_analysis.core.config import PROJ_ROOT

    code = (
        "import sys, pandas as pd\n"
        "from pmo_analysis import load_portfolio\n"
        "from pmo_analysis.model import _lessons\n"
        "from pmo_analysis.inputs.params import validate_model_params\n"
        "p = load_portfolio('data/sample')\n"
        "tables, _ = _lessons(p.lessons, p.projects, pd.Timestamp('2026-06-30'), validate_model_params({}))\n"
        "for k, v in tables.items(): v.to_pickle(f'{sys.argv[1]}/{k}.pkl')\n"
    )
    for seed in ("1", "2"):
        out = tmp_path / seed
        out.mkdir()
        subprocess.run(
            [sys.executable, "-c", code, str(out)],
            check=True,
            cwd=PROJ_ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
    for f in sorted((tmp_path / "1").glob("*.pkl")):
        pd.testing.assert_frame_equal(pd.read_pickle(f), pd.read_pickle(tmp_path / "2" / f.name), obj=f.stem)


EVAL = Path(__file__).resolve().parents[1] / "data" / "lessons_eval"
#: Share of each family's English and Chinese lessons in the family's theme, and the share of that
#: theme's lessons from the family (its purity), as measured with the method's fixed seeds (README,
#: "Evaluation"): development families (the settings were chosen on them), held-out families
#: (heldout.csv, written before the method) and the issue's six problems written again by a second
#: writer who never saw the method (heldout3.csv).
MEASURED = {
    "dev": {
        "vendor lock-in": (12 / 12, 12 / 12, 0.86),
        "scope creep": (10 / 12, 10 / 12, 0.91),
        "training gaps": (12 / 12, 12 / 12, 0.96),
        "infrastructure outages": (12 / 12, 12 / 12, 0.53),
        "budget overruns": (11 / 12, 12 / 12, 0.96),
        "communication breakdown": (11 / 12, 10 / 12, 0.81),
    },
    "heldout": {
        "staff turnover": (10 / 13, 10 / 13, 0.86),
        "system performance": (13 / 13, 13 / 13, 0.90),
        "procurement delays": (9 / 12, 9 / 12, 0.78),
        "security weaknesses": (12 / 12, 12 / 12, 0.92),
        "data quality": (11 / 12, 10 / 12, 1.00),
        "stakeholder conflict": (10 / 12, 10 / 12, 0.87),
    },
    "heldout3": {
        "staff turnover": (8 / 13, 10 / 12, 0.91),
        "system performance": (11 / 12, 13 / 13, 0.92),
        "procurement delays": (12 / 13, 12 / 12, 0.92),
        "security weaknesses": (11 / 12, 11 / 13, 1.00),
        "data quality": (9 / 13, 8 / 12, 0.94),
        "stakeholder conflict": (7 / 12, 8 / 13, 0.83),
    },
}


@pytest.fixture(scope="module")
def families():
    """Each family set mixed into the sample and 300 NASA lessons, themed once: family -> en, zh."""
    out = {}
    for which in MEASURED:
        d, themes = E.family_register(EVAL / f"{which}.csv")
        out[which] = E.family_cohesion(d, themes).set_index("family")
    return out


@pytest.mark.slow
@pytest.mark.parametrize("which", ["dev", "heldout", "heldout3"])
def test_family_sets_share_of_one_theme_per_language(families, which):
    got = families[which]
    assert set(got.index) == set(MEASURED[which])
    for family, (en, zh, purity) in MEASURED[which].items():  # families, not lessons
        # within one lesson of the measured figures: a change of method shows here, either way
        assert abs(got.loc[family, "en"] - en) <= 1 / 12 + 1e-9, family
        assert abs(got.loc[family, "zh"] - zh) <= 1 / 12 + 1e-9, family
        # and the family's theme is its problem of the problem list
        assert got.loc[family, "name"] in {p.name for p in PROBLEMS}, family
        assert abs(got.loc[family, "purity"] - purity) <= 0.1, family
    # the family's theme is a theme, never "Other lessons"
    assert not got["theme"].eq(L.OTHER_THEME).any()


def test_one_theme_holding_every_family_merges_none():
    # six families, each all in theme T1 in both languages, beside 40 other lessons in T1 and T2:
    # 100% of each language in "its" theme, but the theme (80 lessons) is 10 / 80 = 12.5% the family's own
    fams = [f"f{i}" for i in range(6)]
    d = pd.DataFrame(
        {
            "family": [f for f in fams for _ in range(10)] + [""] * 40,
            "language": ["en", "zh"] * 30 + [""] * 40,
            "theme": ["T1"] * 60 + ["T1"] * 40,
        }
    ).assign(theme=lambda x: x["theme"].where(x.index < 80, "T2"))
    got = E.family_cohesion(d, pd.DataFrame({"theme": ["T1", "T2"], "name": ["All", "Rest"]})).set_index("family")
    assert got["worst"].eq(1.0).all()
    assert got["purity"].tolist() == pytest.approx([10 / 80] * 6)
    assert not got["merged"].any()
    # split into their own themes, each family merges
    d["theme"] = d["family"].where(d["family"] != "", "T2")
    got = E.family_cohesion(d, pd.DataFrame({"theme": [*fams, "T2"], "name": [*fams, "Rest"]}))
    assert got["merged"].all() and got["purity"].eq(1.0).all()


@pytest.mark.slow
def test_development_and_held_out_families_land_in_one_theme_in_both_languages(families):
    # each language at 70% in one theme, and that theme the family's own (purity 50%): every
    # development family, every held-out one (staff turnover, 9 of 13 in each language before the
    # reference lessons' n-grams were read, now 10 of 13), three of six written again by a writer who
    # never saw the method
    assert families["dev"]["merged"].all()
    assert families["heldout"]["merged"].all()
    assert families["heldout3"]["merged"].sum() == 3


def test_every_problem_is_named_as_a_noun_phrase_in_both_languages_and_has_reference_lessons():
    from pmo_analysis.analyses.lessons import meaning as M

    ids = [p.id for p in PROBLEMS]
    assert len(ids) == len(set(ids)) == 31
    _assert_noun_phrases(pd.DataFrame({"name": [p.name for p in PROBLEMS], "name_zh": [p.name_zh for p in PROBLEMS]}))
    ref = pd.read_csv(Path(M.__file__).with_name("reference_lessons.csv"), dtype=str)
    per = ref.groupby(["problem", "language"]).size().unstack()
    assert set(per.index) == set(ids) and (per[["en", "zh"]] >= 80).all().all()
    # the shipped vectors were computed from this CSV: no reader waits 2 minutes for them
    import hashlib

    with np.load(Path(M.__file__).with_name("reference_vectors.npz")) as z:
        assert str(z["digest"]) == hashlib.sha256(M.reference_csv()).hexdigest()
        assert z["use"].shape == (len(ref), 512) and z["e5"].shape == (len(ref), 384)


@given(
    st.lists(
        st.sampled_from(
            [
                "the",
                "lead",
                "resigned",
                "left",
                "company",
                "data",
                "migration",
                "migrated",
                "quite",
                "quit",
                "scope",
                "creep",
                "test",
                "environment",
                "not",
                "ready",
                "数据迁移",
                "离职",
                "供应商",
                "交付延迟",
                "x",
            ]
        ),
        max_size=12,
    )
)
@settings(max_examples=200, deadline=None)
def test_cues_found_through_the_index_are_the_cues_every_pattern_finds(words):
    """The law behind the fast cue reader: looking up the cues a word can start finds exactly the
    cues that trying every cue's regex (and every Chinese cue) on the text finds."""
    from pmo_analysis.analyses.lessons import problems as P

    text = " ".join(words)
    c = P._cues()
    slow = set()
    for i, p in enumerate(PROBLEMS):
        pats = P.cue_pattern(p.en)
        keys = [n for n in range(len(c.owner)) if c.owner[n] == i]
        for n in keys:
            k = c.key[n]
            hit = (
                (k in text)
                if c.chinese[n]
                else any(re.search(pats[k], src) for src in (P._words(text), P._gloss(text)) if src)
            )
            if hit:
                slow.add(n)
    # of a problem's cues found, one inside a longer one counts once: compare before that rule
    fast = set(P._hits(text))
    assert fast <= slow
    for n in slow - fast:  # each left out is inside another found cue of its problem
        sep = "" if c.chinese[n] else " "
        assert any(
            m != n and c.owner[m] == c.owner[n] and f"{sep}{c.key[n]}{sep}" in f"{sep}{c.key[m]}{sep}" for m in slow
        )


def test_label_spreading_passes_a_problem_to_lessons_of_like_meaning():
    from pmo_analysis.analyses.lessons.problems import spread

    # two clusters of meaning; one seed in each; the unseeded lessons take their cluster's problem
    m = np.array([[1.0, 0.0], [0.99, 0.1], [0.98, 0.15], [0.0, 1.0], [0.1, 0.99], [0.15, 0.98]])
    m /= np.linalg.norm(m, axis=1, keepdims=True)
    seeds = np.zeros((6, 2))
    seeds[0, 0] = seeds[3, 1] = 1.0
    F = spread(seeds, m, neighbours=2, alpha=0.5)
    assert F.argmax(axis=1).tolist() == [0, 0, 0, 1, 1, 1]
    # a lesson linked to none (its neighbours are under ``least`` alike) keeps its evidence whole
    alone = spread(np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([[1.0, 0.0], [0.0, 1.0]]), neighbours=1)
    assert alone.tolist() == [[1.0, 0.0], [0.0, 1.0]]
    # the fixed point of the iteration: F = (1 - alpha) (I - alpha S)^-1 Y, within alpha^steps
    assert (F >= 0).all() and F[0, 0] > F[1, 0] > 0 and F[0, 1] < 1e-9


def test_a_tiny_register_keeps_each_lesson_on_its_own_problem():
    """Two lessons of different problems, each the other's only neighbour but unlike it in meaning: a
    neighbour that means something else passes nothing on, so neither takes the other's problem."""
    rows = [
        ("L1", "A", "2025-01-01", "X", "to_improve", "high", "Lead dev resigned", "She quit.", "", "open", ""),
        ("L2", "B", "2025-01-01", "X", "to_improve", "high", "数据质量差", "重复记录很多。", "", "open", ""),
    ]
    r = L.lesson_themes(L.prepare(_lessons(rows), PROJECTS), min_projects=1)
    assert sorted(zip(r.themes["name"], r.themes["name_zh"], r.themes["lessons"], strict=True)) == [
        ("Data quality", "数据质量问题", 1),
        ("Staff turnover", "人员流失", 1),
    ]


def test_a_title_naming_a_problem_decides_it_over_a_description_reading_like_another():
    """The sample's "Unclear requirements caused rework" lessons also say the requirements "changed
    late": their titles name the problem, in English or Chinese, and that is the problem they get."""
    rows = [
        ("L1", "A", "2025-01-01", "X", "to_improve", "high", "Unclear requirements caused rework on the portal",
         "The requirements changed late and the team rebuilt two modules.", "", "open", ""),
        ("L2", "B", "2025-01-01", "X", "to_improve", "high", "需求不明确导致返工",
         "业务方在开发阶段多次提出需求变更，模块返工两次。", "", "open", ""),
        ("L3", "C", "2025-01-01", "X", "to_improve", "high", "Late requirement changes without control",
         "The change requests were never assessed and the build was redone twice.", "", "open", ""),
    ]  # fmt: skip
    r = L.lesson_themes(L.prepare(_lessons(rows), PROJECTS), min_projects=1)
    names = dict(zip(r.theme, r.themes.set_index("theme").loc[r.theme, "name"], strict=True))
    assert [names[t] for t in r.theme] == ["Unclear requirements", "Unclear requirements", "Requirement changes"]


def test_a_family_shares_its_theme_rightly_with_the_samples_lessons_of_its_problem():
    # a family of 4 in T1 beside 4 planted sample lessons of its own problem and 1 other lesson:
    # its purity is 8 / 9, not 4 / 9; without the problem column, 4 / 9
    d = pd.DataFrame(
        {
            "family": ["f"] * 4 + [""] * 5,
            "language": ["en", "en", "zh", "zh"] + [""] * 5,
            "theme": ["T1"] * 9,
            "problem": ["staff_turnover"] * 8 + [None],
        }
    )
    themes = pd.DataFrame({"theme": ["T1"], "name": ["Staff turnover"]})
    assert E.family_cohesion(d, themes)["purity"].tolist() == pytest.approx([8 / 9])
    assert E.family_cohesion(d.drop(columns="problem"), themes)["purity"].tolist() == pytest.approx([4 / 9])


def test_shipped_ngram_model_was_fitted_from_the_reference_lessons_with_these_settings():
    from pmo_analysis.analyses.lessons import meaning as M
    from pmo_analysis.analyses.lessons import ngrams as W

    with np.load(Path(W.__file__).with_name("reference_ngrams.npz")) as z:
        assert str(z["digest"]) == W._digest(M.reference_csv())
        assert z["coef"].shape == (len(PROBLEMS), len(z["ngrams"])) == (len(PROBLEMS), len(z["idf"]))


def test_ngram_model_read_from_its_arrays_equals_scikit_learns_model():
    """The model written as arrays (n-grams, idf, coefficients) gives scikit-learn's probabilities,
    and a problem without reference lessons is never likely."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    from pmo_analysis.analyses.lessons import meaning as M
    from pmo_analysis.analyses.lessons import ngrams as W

    ref = M.reference_table()
    keep = (np.arange(len(ref)) % 8 == 0) & (M.reference_problems() != 3)  # problem 3 left out
    texts, problem = ref["text"][keep].tolist(), M.reference_problems()[keep]
    m = W.fit(texts, problem)
    pipe = make_pipeline(W._vectorizer(), LogisticRegression(C=W.REGULARISATION, max_iter=3000)).fit(texts, problem)
    probe = ["The vendor shipped late", "两名核心开发跳槽到竞争对手", "", "Budget overran by 30%"]
    ours = W._probabilities(W._from_arrays(m), probe)
    theirs = pipe.predict_proba(probe)
    assert np.allclose(np.delete(ours, 3, axis=1), theirs, atol=1e-5)
    assert ours[:, 3].max() < 1e-15 and np.allclose(ours.sum(axis=1), 1)


def test_ngram_odds_weigh_a_lessons_words_and_reads_each_text_once():
    from pmo_analysis.analyses.lessons.ngrams import problem_probabilities

    ids = [p.id for p in PROBLEMS]
    t = pd.Series(
        [
            "The lead developer resigned during the build",
            "测试环境不稳定，联调一再推迟",
            None,
            "The lead developer resigned during the build",
        ]
    )
    p = problem_probabilities(t)
    assert p.shape == (4, len(PROBLEMS)) and (p[0] == p[3]).all()
    assert ids[p[0].argmax()] == "staff_turnover" and ids[p[1].argmax()] == "test_environment"
    assert problem_probabilities(pd.Series([], dtype=object)).shape == (0, len(PROBLEMS))


def test_likeness_to_reference_lessons_by_blocks_equals_the_whole_matrix():
    from pmo_analysis.analyses.lessons import meaning as M

    rng = np.random.default_rng(5)
    V, R = rng.normal(size=(2500, 8)), rng.normal(size=(40, 8))
    problem = np.repeat(np.arange(4), 10)
    S = V @ R.T  # the whole matrix at once: each problem's 3 highest similarities, averaged
    want = np.stack([np.sort(S[:, problem == p], axis=1)[:, -M.REFERENCE_TOP :].mean(axis=1) for p in range(4)], 1)
    assert M._likeness(V, R, problem, 4) == pytest.approx(want)
