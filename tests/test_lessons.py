"""Lessons learned: tokenization in two languages, counting rules, themes, actions, search."""
from __future__ import annotations

import pandas as pd
import pytest

from pmo_analysis import lessons as L
from pmo_analysis.display import table
from tests.conftest import REAL_DATA


def _lessons(rows):
    df = pd.DataFrame(rows, columns=["lesson_id", "project_id", "date", "category", "kind", "impact", "title",
                                     "description", "recommendation", "action_status", "owner"])
    df["date"] = pd.to_datetime(df["date"])
    return df


PROJECTS = pd.DataFrame({"project_id": ["A", "B", "C", "D"], "name": ["Alpha", "Beta", "Gamma", "Delta"],
                         "department": ["IT", "IT", "Ops", "Ops"],
                         "status": ["completed", "completed", "active", "active"]})
SMALL = _lessons([
    ("1", "A", "2025-01-10", "Vendor", "to_improve", "high", "Vendor delivered late", "The vendor was late.",
     "Add penalties", "done", "PMO"),
    ("2", "B", "2025-03-10", "Vendor", "to_improve", "medium", "供应商交付延迟", "供应商未按时交付。", "每周检查",
     "open", "采购部"),
    ("3", "C", "2025-05-10", "Vendor", "to_improve", "high", "Supplier delay again", "Supplier delays hit go-live.",
     "Track vendors", "in_progress", None),
    ("4", "C", "2025-06-10", "Testing", "went_well", "low", "Automated tests helped", "", None, "n/a", None),
    ("5", "D", "2025-06-20", "Testing", "to_improve", "high", "No test environment", "Testers were idle.",
     "Book environments", "open", "QA"),
])


def test_chinese_segmentation_known_sentence():
    assert L.tokenize("需求变更频繁导致返工", phrases=False) == ["requir", "chang", "频繁", "rework"]
    assert L.tokenize("测试环境不稳定影响进度", phrases=False) == ["test", "environ", "稳定", "影响", "schedul"]


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
    assert cats["departments"].item() == "IT, Ops"
    assert cats["example_lesson_ids"].item() == "3;2;1"  # most recent first
    r4 = L.recurring_themes(d, min_projects=4, n_themes=2)
    assert r4.empty
    with pytest.raises(ValueError):
        L.recurring_themes(d, min_projects=0)


def test_single_lesson_and_empty_text():
    one = L.prepare(SMALL.iloc[[0]], PROJECTS)
    assert L.recurring_themes(one, min_projects=1)["theme"].tolist() == ["Vendor"]
    empty = L.prepare(SMALL.assign(title="", description="").iloc[:2], PROJECTS)
    theme, terms = L.assign_themes(empty)
    assert theme.isna().all() and terms.empty


def test_actions():
    d = L.prepare(SMALL, PROJECTS)
    o = L.open_actions(d, as_of="2025-07-01")
    assert o["lesson_id"].tolist() == ["2", "3", "5"]  # oldest first
    assert o.loc[o["lesson_id"] == "3", "owner"].item() == "(no owner)"
    assert o["age_days"].tolist() == [(pd.Timestamp("2025-07-01") - pd.Timestamp(x)).days
                                      for x in ("2025-03-10", "2025-05-10", "2025-06-20")]
    assert L.high_impact_done_share(d) == pytest.approx(1 / 3)  # lessons 1 (done), 3, 5
    by = L.action_followthrough(d, as_of="2025-07-01").set_index("owner")
    assert by.loc["采购部", "open_actions"] == 1


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


def test_search_in_both_languages():
    hits = L.search_lessons(SMALL, "vendor delay")
    assert set(hits["lesson_id"].head(3)) == {"1", "2", "3"}
    assert L.search_lessons(SMALL, "供应商")["lesson_id"].iloc[0] in {"1", "2", "3"}
    assert L.search_lessons(SMALL, "zzz").empty
    with pytest.raises(ValueError):
        L.search_lessons(SMALL, "  ")


def test_html_in_lesson_text_is_escaped():
    evil = SMALL.assign(title=["<script>alert(1)</script>", "**bold** _x_", "<img src=x onerror=alert(2)>",
                               "a & b", "`code`"])
    html = table(evil[["lesson_id", "title"]]).to_html()
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(2)&gt;" in html
    assert "a &amp; b" in html and "**bold** _x_" in html


def test_sample_planted_themes_are_found(sample):
    d = L.prepare(sample.lessons, sample.projects)
    rec = L.recurring_themes(d, min_projects=3)
    text = rec.loc[rec["source"] == "text", "top_terms"].str.cat(sep=" | ")
    assert "vendor" in text and "delay" in text  # vendor delays (and 供应商交付延迟)
    assert "requirements" in text and "changes" in text  # requirement changes (and 需求变更)
    assert "migration" in text and "environment" in text
    cats = set(rec.loc[rec["source"] == "category", "theme"])
    assert {"Vendor management", "Requirements"} <= cats
    vendor = L.search_lessons(sample.lessons, "vendor delay", top=20)
    assert vendor["title"].str.contains("供应商").any() and vendor["title"].str.contains("endor|upplier").any()


@pytest.mark.slow
@pytest.mark.skipif(not REAL_DATA.exists(), reason="../shared/real-data not present")
def test_real_nasa_lessons():
    from pmo_analysis import load_portfolio

    p = load_portfolio(REAL_DATA / "nasa-llis")
    d = L.prepare(p.lessons, p.projects)
    rec = L.recurring_themes(d, min_projects=3, n_themes=10)
    assert len(rec) >= 5 and rec["projects"].max() >= 5
    assert L.lessons_for_projects(d, p.projects, as_of="2025-12-31").empty  # no active "projects"
    hits = L.search_lessons(p.lessons, "software configuration change", top=5)
    assert len(hits) == 5 and hits["score"].iloc[0] > 0.1
