"""Reasons in words (pmo_analysis.core.wording): every code reads in Chinese, every field in its
format, and a reason shows only in the rows its mask selects."""

from __future__ import annotations

import string

import numpy as np
import pandas as pd
import pytest

from pmo_analysis.core import i18n
from pmo_analysis.core import wording as W
from pmo_analysis.core.formatting import using
from pmo_analysis.core.wording import Reason, join, listing, word


def _fields(text: str) -> set[str]:
    return {f for _lit, f, _spec, _conv in string.Formatter().parse(text) if f is not None}


def test_every_code_has_chinese_with_the_same_fields():
    assert len(W.WORDINGS) > 50
    missing = sorted(code for code, w in W.WORDINGS.items() if w.template not in i18n.CATALOGUE)
    assert missing == []
    changed = sorted(code for code, w in W.WORDINGS.items() if _fields(i18n.CATALOGUE[w.template]) != set(w.fields))
    assert changed == []


@pytest.mark.parametrize("code", sorted(W.WORDINGS))
def test_every_code_reads_in_both_languages(code):
    values = dict.fromkeys(W.WORDINGS[code].fields, 1)
    with using(currency="CNY", language="zh"):
        zh = word(Reason(code, **values))
    en = word(Reason(code, **values))
    assert isinstance(en, str) and isinstance(zh, str)
    assert en == W.WORDINGS[code].template.format(**{k: W.WORDINGS[code].fields[k].write(1) for k in values})
    assert "{" not in zh and "}" not in zh


@pytest.mark.parametrize(
    ("lang", "currency", "fmt", "value", "expected"),
    [
        ("en", "USD", W.MONEY, 6_632_000, "$6.6M"),
        ("en", "EUR", W.MONEY, -2_500, "-€2.5k"),
        ("en", None, W.MONEY, 6_632_000, "6.6M"),
        ("zh", "CNY", W.MONEY, 6_632_000, "¥663.2万"),
        ("en", "USD", W.MONEY_FULL, 1_234_567.4, "$1,234,567"),
        ("en", "USD", W.RATIO, 0.8397, "0.84"),
        ("en", "USD", W.RATIO, 0.8, "0.80"),
        ("en", "USD", W.percent(0), 0.254, "25%"),
        ("en", "USD", W.percent(1), 0.254, "25.4%"),
        ("en", "USD", W.WHOLE, 1234.4, "1234"),
        ("en", "USD", W.COUNT, 1234.4, "1,234"),
        ("en", "USD", W.number(1), 1.449, "1.4"),
        ("en", "USD", W.DAY, pd.Timestamp("2026-03-31"), "31 Mar 2026"),  # the pages' date style
        ("zh", "CNY", W.DAY, pd.Timestamp("2026-03-31"), "2026年3月31日"),  # a Chinese report: one date style
        ("en", "USD", W.MONTH, "2026-07", "Jul 2026"),
        ("zh", "CNY", W.MONTH, "2026-07", "2026年7月"),
        # a status: the code itself in English (as the reasons have always named it), its label in Chinese
        ("en", "USD", W.CODE, "on_hold", "on_hold"),
        ("zh", "CNY", W.CODE, "on_hold", "暂停"),
        ("en", "USD", W.REASON, "start_to_start", "start to start"),
        ("zh", "CNY", W.REASON, "start_to_start", "开始-开始"),
        ("zh", "CNY", W.REASON, "some_new_type", "some new type"),
        ("en", "USD", W.TEXT, "PRJ-001", "PRJ-001"),
        # a missing figure reads n/a; a missing name reads as nothing
        ("en", "USD", W.MONEY, np.nan, "n/a"),
        ("en", "USD", W.RATIO, None, "n/a"),
        ("en", "USD", W.COUNT, np.nan, "n/a"),
        ("en", "USD", W.DAY, pd.NaT, "n/a"),
        ("zh", "CNY", W.RATIO, np.nan, "不适用"),
        ("zh", "CNY", W.percent(0), np.nan, "不适用"),
        ("en", "USD", W.TEXT, np.nan, ""),
    ],
)
def test_each_format_is_applied(lang, currency, fmt, value, expected):
    with using(currency=currency, language=lang):
        assert fmt.write(value) == expected
        column = fmt.write(pd.Series([value, value], index=[7, 3]))
    assert column.tolist() == [expected, expected]
    assert column.index.tolist() == [7, 3] and column.dtype == object


def test_a_name_given_in_both_languages_reads_in_the_reports():
    en = pd.Series(["Staff turnover", "Wire harness", "Vent line"], index=[5, 1, 2])
    zh = pd.Series(["人员流失", "", None], index=[5, 1, 2])
    assert W.NAME.write((en, zh)).tolist() == en.tolist()
    with using(currency="CNY", language="zh"):
        # the Chinese name where one is given, else the English one; one value: the name in both
        assert W.NAME.write((en, zh)).tolist() == ["人员流失", "Wire harness", "Vent line"]
        assert W.NAME.write(("Staff turnover", "人员流失")) == "人员流失" and W.NAME.write("PMO") == "PMO"
        assert word(Reason("text_theme", name=(en, zh))).tolist()[0] == "人员流失（文本主题）"


def test_a_reason_is_worded_with_the_formats_of_its_fields():
    cpi = pd.Series([0.8, np.nan], index=[10, 11])
    with using(currency="USD"):
        assert word(Reason("cpi_below", value=cpi, threshold=0.85)).tolist() == [
            "CPI 0.80 below 0.85",
            "CPI n/a below 0.85",
        ]
        assert word(Reason("risk_exposure", money=1_500_000, share=0.25)) == "open risk exposure $1.5M = 25% of budget"
    with using(currency="CNY", language="zh"):
        assert word(Reason("risk_exposure", money=1_500_000, share=0.25)) == "未关闭风险敞口 ¥150.0万，占预算 25%"
        # a nested reason reads in the same language
        nested = Reason("funded", value=Reason("priority_score", score=pd.Series([54.4])), need=1_158_000)
        assert word(nested).tolist() == ["获资助：优先级得分 54，资金需求 ¥115.8万"]


def test_masks_select_the_rows_and_keep_the_order():
    idx = pd.Index(["a", "b", "c", "d"])
    cpi = pd.Series([0.7, 0.9, np.nan, 1.0], index=idx)
    risk = pd.Series([5, 1, 4, np.nan], index=idx)
    parts = [
        (cpi < 0.85, Reason("cpi_below", value=cpi, threshold=0.85)),
        (risk >= 4, Reason("risk_score", score=risk)),
        (pd.Series([np.nan, True, False, False], index=idx, dtype=object), Reason("no_owner")),
        (np.array([False, False, True, False]), "a text already in words"),
    ]
    got = join(parts, index=idx)
    assert got.index.equals(idx)
    assert got.tolist() == [
        "CPI 0.70 below 0.85; risk score 5/5",
        "no owner",
        "risk score 4/5; a text already in words",
        "",
    ]
    with using(language="zh"):
        assert join(parts, index=idx).tolist()[0] == "CPI 0.70 低于 0.85；风险评分 5/5"
    assert word(Reason("risk_score", score=risk), where=risk >= 4).tolist() == [
        "risk score 5/5",
        "",
        "risk score 4/5",
        "",
    ]


def test_an_empty_text_and_no_rows_are_left_out():
    idx = pd.RangeIndex(2)
    assert join([(pd.Series([True, True]), pd.Series(["", "x"]))], index=idx).tolist() == ["", "x"]
    assert join([], index=idx).tolist() == ["", ""]
    none = pd.Series([], dtype=float)
    assert join([(none > 0, Reason("missed_milestones", n=none))], index=none.index).tolist() == []


def test_a_listing_says_how_many_more():
    names = [f"PRJ-{i:03d}" for i in range(1, 1_204)]
    assert listing(names[:3]) == "PRJ-001, PRJ-002, PRJ-003"
    assert listing(names, limit=2) == "PRJ-001, PRJ-002 and 1,201 more"
    with using(language="zh"):
        assert listing(names, limit=2) == "PRJ-001、PRJ-002 等另外 1,201 个"


def test_a_reason_names_a_registered_code_and_its_values():
    with pytest.raises(ValueError, match=r"unknown reason code 'cpi_blow'; did you mean 'cpi_below'"):
        Reason("cpi_blow", value=1, threshold=1)
    with pytest.raises(
        ValueError,
        match=r"reason 'cpi_below' .* takes the values \['threshold', 'value'\], "
        r"got \['value'\]",
    ):
        Reason("cpi_below", value=1)
    with pytest.raises(ValueError, match="a format's kind must be one of money, "):
        W.Format("currency")


def test_the_registry_is_read_only():
    with pytest.raises(TypeError):
        W.WORDINGS["cpi_below"] = W.WORDINGS["spi_below"]  # type: ignore[index]
