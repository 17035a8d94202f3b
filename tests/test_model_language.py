"""The portfolio model's words follow the run's language: health reasons, decision reasons and the
decisions needed read Chinese in a Chinese run, English (unchanged) in an English one, while the
code columns (health, decision, rule) stay codes. Strings hand-checked on the sample at 2026-06-30.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from pmo_analysis.analyses import summary
from pmo_analysis.core import formatting as fmt
from pmo_analysis.core.config import NOTEBOOKS_DIR, SAMPLE_AS_OF
from pmo_analysis.core.exceptions import ParameterError
from pmo_analysis.model import build_model
from pmo_analysis.runs.runner import plan_parameters

#: English words of the catalogue's sources for the model's words: none may survive in Chinese.
ENGLISH = re.compile(
    r"\b(?:below|never pays back|funded|not funded|missed|milestone|delayed|dependency|exposure|"
    r"negative remaining|alignment|priority score|remaining NPV|closed|risk score|overdue|no owner|"
    r"listed in|frees|needs|forecast overrun|earned value|end date)\b"
)
#: English verbs a decision starts with.
VERBS = re.compile(r"^(?:Stop|Reject|Defer|Re-scope|Re-plan|Fund|Collect|Add capacity|Assign an owner|Decide on)\b")


@pytest.fixture(scope="module")
def models(sample):
    out = {}
    for lang, currency in (("en", "USD"), ("zh", "CNY")):
        with fmt.using(language=lang, currency=currency):
            m = build_model(sample, as_of=SAMPLE_AS_OF)
            out[lang] = (m, summary.decisions_needed(m))
    return out


def _health(model):
    return model.projects.dropna(subset=["health"]).set_index("project_id")


def test_health_reasons_read_chinese(models):
    zh, en = _health(models["zh"][0]), _health(models["en"][0])
    assert en.loc["PRJ-007", "health_reason"] == "CPI 0.74 below 0.85"
    assert zh.loc["PRJ-007", "health_reason"] == "CPI 0.74 低于 0.85"
    assert en.loc["PRJ-005", "health_reason"] == "CPI 0.91 below 0.95; SPI 0.93 below 0.95; 1 missed milestone(s)"
    assert zh.loc["PRJ-005", "health_reason"] == "CPI 0.91 低于 0.95；SPI 0.93 低于 0.95；1 个里程碑逾期未达成"
    assert zh.loc["PRJ-010", "health_reason"] == (
        "CPI 0.65 低于 0.85；SPI 0.65 低于 0.85；未关闭风险敞口 ¥7.0万，占预算 15%"
    )
    assert zh.loc["PRJ-017", "health_reason"] == "风险评分 5/5"
    # the same rules fire in both languages; the code column stays a code
    assert (zh["health"] == en["health"]).all()
    parts = zh["health_reason"].str.count("；") - en["health_reason"].str.count("; ")
    assert (parts == 0).all()
    assert not zh["health_reason"].str.contains(ENGLISH).any()


def test_decision_reasons_read_chinese(models):
    zh = models["zh"][0].decisions.set_index("project_id")
    en = models["en"][0].decisions.set_index("project_id")
    assert zh.loc["PRJ-020", "reason"] == (
        "剩余净现值为负（-¥365.1万）；战略契合度低（2/5）；CPI 0.76 低于 0.85（预计超支 ¥216.6万）；"
        "预测期内无法收回投资；不再追加资助（停止可释放资金需求 ¥663.2万）"
    )
    assert en.loc["PRJ-020", "reason"] == (
        "negative remaining NPV (-$3.7M); low strategic alignment (2/5); CPI 0.76 below 0.85 (forecast "
        "overrun $2.2M); never pays back in the forecast; not funded further (stopping frees a need of $6.6M)"
    )
    # (67: the value percentile ranks the projects with a value; the cancelled ones recorded no benefit)
    assert zh.loc["PRJ-013", "reason"] == "获资助：优先级得分 67，资金需求 ¥140.4万"
    assert zh.loc["PRJ-013", "decision"] == "fund" and zh.loc["PRJ-020", "decision"] == "stop"
    assert (zh[["decision", "rule", "funded"]] == en[["decision", "rule", "funded"]]).all().all()
    assert (zh["reason"].str.count("；") == en["reason"].str.count("; ")).all()
    assert not zh["reason"].str.contains(ENGLISH).any()


def test_decisions_needed_read_chinese(models):
    zh, en = models["zh"][1], models["en"][1]
    assert len(zh) == len(en)
    assert zh.loc[0, ["decision", "money_text"]].tolist() == ["停止 PRJ-020 Network Refresh", "释放 ¥663.2万"]
    assert en.loc[0, ["decision", "money_text"]].tolist() == ["Stop PRJ-020 Network Refresh", "frees $6.6M"]
    assert "调整范围另外 3 个项目" in zh["decision"].tolist()
    assert "资助 5 个提议项目" in zh["decision"].tolist()
    assert not zh["decision"].str.contains(VERBS).any()
    assert en["decision"].str.contains(VERBS).all()
    assert not zh["why"].str.contains(ENGLISH).any()
    assert not zh["money_text"].str.contains(ENGLISH).any()
    assert (zh["money"].fillna(0) == en["money"].fillna(0)).all()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_decision_asked_for_reads_as_its_label(models, lang):
    """One label per decision: every project the executive summary asks a decision about is asked
    with the label the decisions table, the ROI report, the pages and the exports show for its
    decision (PRJ-019: "Defer" / "暂缓" everywhere, never "Find money or pause")."""
    from pmo_analysis.core.i18n import label, language

    m, asks = models[lang]
    decision = m.decisions.set_index("project_id")["decision"]
    about = asks.loc[asks["project_id"] != ""]
    assert len(about) == 7  # 1 stop, 2 defer, 4 re-scope on the sample
    with language(lang):
        for pid, text in zip(about["project_id"], about["decision"], strict=True):
            assert text.startswith(f"{label(decision[pid])} {pid} "), (pid, text, decision[pid])
        defer = label("defer")
    assert decision["PRJ-019"] == "defer"
    assert asks.loc[asks["project_id"] == "PRJ-019", "decision"].item().startswith(f"{defer} PRJ-019")
    assert not asks["decision"].str.contains("Find money|筹措资金").any()


def test_language_and_currency_are_one_value_per_run():
    """The model is written once, in the run's language and currency: a notebook may not set its own."""
    path = NOTEBOOKS_DIR / "portfolio_roi.ipynb"
    for name, value in (("language", "zh"), ("currency", "EUR")):
        with pytest.raises(ParameterError, match=f"portfolio_roi: '{name}' is one value per run"):
            plan_parameters([path], {}, {"portfolio_roi": {name: value}})
    planned = plan_parameters([path], {"language": "zh", "currency": "CNY"}, {})
    assert planned["portfolio_roi"]["language"] == "zh" and planned["portfolio_roi"]["currency"] == "CNY"


#: A number of four or more digits (1234, 1,234) that no currency mark precedes.
BARE_NUMBER = re.compile(r"(?<![\d,.$¥€£])(?:\d{1,3}(?:,\d{3})+|\d{4,})(?![\d,])")
#: What may carry such a number and is no amount: a date or month (ISO, Jul 2026, 2026年7月), a count of
#: days or hours, a percent (a break-even rate of 1,250%).
NOT_AMOUNT = re.compile(
    r"\d{4}-\d{2}-\d{2}|\b[A-Z][a-z]{2} \d{4}\b|\d{4}年|[\d,]+ ?(?:days?|hours?|天|小时)|-?[\d,]+(?:\.\d+)?%"
)


@pytest.mark.parametrize(("lang", "currency"), [("en", "USD"), ("en", "CNY"), ("zh", "USD"), ("zh", "CNY")])
def test_every_amount_in_a_reason_carries_the_currency(sample, lang, currency):
    """Every reason and decision the model writes shows an amount through the run's money formatter:
    no bare 2,166,410 (a figure without its currency reads as a count), in either language."""
    with fmt.using(language=lang, currency=currency):
        m = build_model(sample, as_of=SAMPLE_AS_OF)
        texts = [
            df[c].dropna().astype(str)
            for df in m.tables.values()
            for c in df.columns
            if "reason" in c or c in ("why", "detail")
        ]
        asks = summary.decisions_needed(m)
        texts += [asks[c].astype(str) for c in ("decision", "why", "money_text")]
    text = pd.concat(texts, ignore_index=True).str.replace(NOT_AMOUNT, "", regex=True)
    assert len(text) > 50 and text.str.contains("[$¥]", regex=True).any()
    bare = text[text.str.contains(BARE_NUMBER)]
    assert bare.empty, bare.head().tolist()
