"""Report language: every text a report writes through ``_()`` has its Chinese; formats per language."""

from __future__ import annotations

import ast
import re

import nbformat
import pandas as pd
import pytest

from pmo_analysis.core import formatting as fmt
from pmo_analysis.core import i18n
from pmo_analysis.core.config import NOTEBOOKS_DIR, PROJ_ROOT

_REPORT_NOTEBOOKS = [
    "executive_summary",
    "portfolio_roi",
    "resource_utilization",
    "lessons_learned",
    "portfolio_delivery",
    "project_report",
    "scenarios",
    "explore_scenarios",
]


def _literals(source: str) -> set[str]:
    """The string literals passed as the first argument of ``_(...)`` in ``source``."""
    out = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_" and node.args:
            arg = node.args[0]
            branches = [arg.body, arg.orelse] if isinstance(arg, ast.IfExp) else [arg]
            out |= {b.value for b in branches if isinstance(b, ast.Constant) and isinstance(b.value, str)}
    return out


def _all_messages() -> set[str]:
    found = set()
    for path in sorted((PROJ_ROOT / "pmo_analysis").rglob("*.py")):
        found |= _literals(path.read_text(encoding="utf-8"))
    for path in sorted((PROJ_ROOT / "pmo_analysis" / "reporting" / "templates").glob("*.j2")):
        # the run and reports index pages call _("...") in their Jinja templates
        found |= set(re.findall(r'_\("((?:[^"\\]|\\.)*)"', path.read_text(encoding="utf-8")))
    for name in _REPORT_NOTEBOOKS:
        nb = nbformat.read(NOTEBOOKS_DIR / f"{name}.ipynb", as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                found |= _literals(cell.source)
    return found


def test_every_message_has_chinese():
    messages = _all_messages()
    assert len(messages) > 60  # the walk finds the catalogue's users
    missing = sorted(m for m in messages if m not in i18n.CATALOGUE)
    assert missing == []


def test_translations_keep_their_fields():
    """A Chinese text names the same {fields} as its English, so filling it never fails."""
    import string

    def fields(text: str) -> set[str]:
        return {f for _, f, _, _ in string.Formatter().parse(text) if f}

    bad = {en: zh for en, zh in i18n.CATALOGUE.items() if fields(en) != fields(zh)}
    assert bad == {}


def test_every_code_label_and_abbreviation_has_both_languages():
    assert all(en and zh for en, zh in i18n.CODE_LABELS.values())
    assert all(en and zh for en, zh in i18n.ABBREVIATIONS.values())


@pytest.mark.parametrize(
    ("lang", "currency", "expected"),
    [
        ("en", "USD", ("$9.0M", "-$2.5k", "$1,234,567", "Mar 2026", "30 Jun 2026", "n/a")),
        ("en", "EUR", ("€9.0M", "-€2.5k", "€1,234,567", "Mar 2026", "30 Jun 2026", "n/a")),
        # in Chinese a table's money reads as a tile's: 万 and 亿 (one money style per report)
        ("zh", "CNY", ("¥900.0万", "-¥2,500", "¥123.5万", "2026年3月", "2026年6月30日", "不适用")),
        ("zh", "USD", ("$900.0万", "-$2,500", "$123.5万", "2026年3月", "2026年6月30日", "不适用")),
    ],
)
def test_money_months_and_dates_per_language(lang, currency, expected):
    with fmt.using(currency=currency, language=lang):
        got = (
            fmt.money(9_000_000),
            fmt.money(-2_500),
            fmt.money_full(1_234_567.4),
            fmt.month(pd.Timestamp("2026-03-01")),
            fmt.date("2026-06-30"),
            fmt.money(float("nan")),
        )
    assert got == expected


def test_chinese_money_uses_yi_above_a_hundred_million():
    with fmt.using(currency="CNY", language="zh"):
        assert fmt.money(250_000_000) == "¥2.5亿"
        assert fmt.money(-12_345) == "-¥1.2万"


def test_language_and_currency_are_restored_after_a_block():
    before = (fmt.currency(), i18n.current())
    with fmt.using(currency="EUR", language="zh"):
        assert i18n._("Decisions needed") == "需要的决策"
    assert (fmt.currency(), i18n.current()) == before
    assert i18n._("Decisions needed") == "Decisions needed"


def test_an_unknown_currency_or_language_is_refused():
    with pytest.raises(ValueError, match="ISO 4217"):
        fmt.use(currency="dollars")
    with pytest.raises(ValueError, match="language must be one of en, zh"):
        i18n.use("fr")


def test_column_labels_stay_english_in_csv_but_read_chinese_on_the_page():
    with i18n.language("zh"):
        assert i18n.column_label("total_cost") == "总成本"
        assert i18n.label("on_hold") == "暂停"
    assert i18n.column_label("project_id") == "Project ID"
    assert i18n.column_label("some_new_cpi") == "Some new CPI"
