"""Tables, tiles and notes shown in the reports."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pmo_analysis import display


def test_table_formats_with_the_workbook_formats():
    df = pd.DataFrame({"name": ["<b>A</b>"], "npv": [1234567.4], "roi": [0.3951], "cpi": [0.8397], "n": [1234.0],
                       "end": [pd.Timestamp("2026-06-30")], "empty": [np.nan]})
    html = display.table(df, money=["npv", "empty"], pct=["roi"], ratio=["cpi"], integer=["n"], dates=["end"]).to_html()
    for text in ("1,234,567", "39.5%", "0.84", "1,234", "2026-06-30", "&lt;b&gt;A&lt;/b&gt;"):
        assert text in html
    assert "nan" not in html.lower().replace("name", "")


def test_table_refuses_a_format_for_a_missing_column():
    """A format for a column that is gone is a mistake (a report once formatted a column removed weeks
    before, silently)."""
    with pytest.raises(ValueError, match="no column 'first_recurrence' to format"):
        display.table(pd.DataFrame({"date": [pd.Timestamp("2026-01-01")]}), dates=["date", "first_recurrence"])


def test_table_says_when_rows_are_cut():
    html = display.table(pd.DataFrame({"x": range(50)}), max_rows=10, caption="Rows").to_html()
    assert "first 10 of 50 rows; all rows in the exported CSV" in html
