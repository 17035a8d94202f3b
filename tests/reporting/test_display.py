"""Tables, tiles and notes shown in the reports."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from pmo_analysis.reporting import display


def test_table_formats_with_the_workbook_formats():
    df = pd.DataFrame(
        {
            "name": ["<b>A</b>"],
            "npv": [1234567.4],
            "roi": [0.3951],
            "cpi": [0.8397],
            "n": [1234.0],
            "end": [pd.Timestamp("2026-06-30")],
            "empty": [np.nan],
        }
    )
    html = display.table(df, money=["npv", "empty"], pct=["roi"], ratio=["cpi"], integer=["n"], dates=["end"]).to_html()
    for text in ("1,234,567", "39.5%", "0.84", "1,234", "30 Jun 2026", "&lt;b&gt;A&lt;/b&gt;"):
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


def test_long_tables_are_collapsed_not_cut():
    """Every row is in the page; the rows after ``collapse_after`` are marked for "Show all"."""
    html = display.table(pd.DataFrame({"x": range(359)}), collapse_after=12).to_html()
    assert html.count("<tr") == 360  # header + every row
    assert html.count('class="pmo-extra"') == 359 - 12
    assert 'data-collapse="12"' in html


def test_cells_are_escaped_unless_their_column_is_html():
    df = pd.DataFrame({"link": ['<a href="projects/PRJ-1.html">PRJ-1</a>'], "name": ['<a href="x">evil</a>']})
    html = display.table(df, html=["link"]).to_html()
    assert '<a href="projects/PRJ-1.html">PRJ-1</a>' in html and 'data-sort="PRJ-1"' in html
    assert "&lt;a href=&#34;x&#34;&gt;evil&lt;/a&gt;" in html


def test_codes_booleans_months_and_negatives_read_as_words():
    from pmo_analysis.core import formatting as fmt

    df = pd.DataFrame(
        {
            "status": ["on_hold"],
            "funded": [True],
            "period": [pd.Timestamp("2026-03-01")],
            "npv": [-5_000.0],
            "score": [86.0],
        }
    )
    with fmt.using(currency="USD"):
        html = display.table(df, money=["npv"]).to_html()
    for text in (">On hold<", ">Yes<", ">Mar 2026<", ">-$5,000<", 'class="num neg"', ">86<"):
        assert text in html, text
    assert "86.00" not in html and "on_hold" not in html and "True" not in html


def test_chinese_table_headers_and_labels():
    from pmo_analysis.core import formatting as fmt

    df = pd.DataFrame({"health": ["off track"], "total_cost": [1.0e6], "period": [pd.Timestamp("2026-03-01")]})
    with fmt.using(currency="CNY", language="zh"):
        html = display.table(df, money=["total_cost"]).to_html()
    for text in (">健康状况<", ">总成本<", ">偏离<", ">¥100.0万<", ">2026年3月<"):  # money as a tile writes it
        assert text in html, text


def test_headline_tiles_show_change_and_target():
    from pmo_analysis.core import formatting as fmt

    now = pd.Series(
        {
            "as_of": "2026-06-30",
            "running_projects": 23,
            "off_track": 10,
            "at_risk": 9,
            "on_track": 4,
            "portfolio_npv": 10.1e6,
            "remaining_npv": -1e6,
            "portfolio_roi": 0.395,
            "total_budget": 3e7,
            "spend_to_date": 2e7,
            "planned_to_date": 2.1e7,
            "portfolio_cpi": 0.84,
            "portfolio_spi": 0.96,
            "utilization": 0.65,
            "utilization_month": "2026-06",
            "overallocated_people": 17,
            "open_high_impact_actions": 0,
        }
    )
    before = now.copy()
    before[["as_of", "portfolio_roi", "off_track", "portfolio_npv"]] = ["2026-05-31", 0.405, 8, 9.8e6]
    windows = {"forward_first": "2026-07", "forward_last": "2026-12"}
    with fmt.using(currency="USD"):
        tiles = {t["label"].split(" (")[0]: t for t in display.headline_tiles(now, before, {}, windows)}
    assert tiles["Portfolio ROI"]["delta"] == "-1.0 pt since 31 May 2026"
    assert tiles["Off track / at risk"]["delta"] == "+2 since 31 May 2026"
    assert tiles["Lifetime NPV"]["delta"] == "+$300k since 31 May 2026"
    assert tiles["Running projects"]["delta"] == "no change since 31 May 2026"
    assert tiles["CPI / SPI"]["target"] == "target ≥ 0.95" and tiles["CPI / SPI"]["status"] == "bad"
    assert tiles["Utilization"]["target"] == "target 60%–100%" and tiles["Utilization"]["status"] == "good"
    assert tiles["Remaining NPV"]["negative"] and tiles["Remaining NPV"]["status"] == "bad"
    assert tiles["Open high-impact actions"]["status"] == "good"
    first = display.headline_tiles(now, None, {}, windows)
    assert {t["delta"] for t in first} == {None}  # a first report has no change to show, and says nothing of it


def test_a_first_report_draws_the_tiles_history_from_the_data():
    from pmo_analysis.core import formatting as fmt

    h = pd.Series(
        {"as_of": "2026-06-30", "running_projects": 2, "off_track": 0, "at_risk": 1, "on_track": 1,
         "portfolio_npv": 1e6, "remaining_npv": 5e5, "portfolio_roi": 0.2, "total_budget": 3e6,
         "spend_to_date": 60.0, "planned_to_date": 40.0, "portfolio_cpi": 0.9, "portfolio_spi": 1.0,
         "utilization": 0.5, "utilization_month": "2026-06", "overallocated_people": 0,
         "open_high_impact_actions": 26}
    )  # fmt: skip
    history = pd.DataFrame(
        {
            "period": pd.to_datetime(["2026-04-01", "2026-05-01", "2026-06-01"]),
            "spend_to_date": [20.0, 40.0, 60.0],
            "planned_to_date": [10.0, 20.0, 40.0],
            "utilization": [1.0, 0.75, 0.5],
        }
    )
    windows = {"forward_first": "2026-07", "forward_last": "2026-12"}
    with fmt.using(currency="USD"):
        tiles = {t["label"]: t for t in display.headline_tiles(h, None, {}, windows, history=history)}
    spend = tiles["Spend to date vs plan (running projects, AC / PV)"]["spark"]
    # 120 x 28 pixels, a 0-60 axis: x = 1 + 59 i, y = 27 - value x 26 / 60
    assert 'points="1.0,18.3 60.0,9.7 119.0,1.0"' in spend  # AC
    assert 'stroke-dasharray="3 2" points="1.0,22.7 60.0,18.3 119.0,9.7"' in spend  # PV, dashed
    assert "<title>Apr 2026 to Jun 2026: $20 → $60</title>" in spend
    assert spend.endswith('<div class="sc">Apr 2026–Jun 2026, dashed: plan</div>')
    util = tiles["Utilization (booked / capacity, Jun 2026)"]["spark"]
    assert 'points="1.0,1.0 60.0,7.5 119.0,14.0"' in util and "100% → 50%" in util
    # every tile says what it counts: the lessons' actions are named as such
    assert tiles["Open high-impact actions (lessons learned)"]["value"] == "26"
    assert all(t["delta"] is None for t in tiles.values())
    assert sum(t["spark"] is not None for t in tiles.values()) == 2


def test_every_delivery_tile_with_a_threshold_is_coloured_by_it():
    from pmo_analysis.core.config import MILESTONE_ON_TIME_TARGET

    h = pd.Series(
        {"as_of": "2026-06-30", "dependency_conflicts": 2, "delayed_projects": 0, "missed_milestones": 9,
         "milestone_on_time_rate": 0.4, "open_risk_exposure": 2.09e6, "total_budget": 3.04e7,
         "overdue_mitigations": 12, "unowned_risks": 3, "benefits_realization": 0.86}
    )  # fmt: skip
    tiles = display.delivery_tiles(h, {"exposure_amber": 0.1})
    assert MILESTONE_ON_TIME_TARGET == 0.8
    assert [(t["value"], t["target"], t["status"]) for t in tiles] == [
        ("2", "target ≤ 0", "bad"),
        ("0", "target ≤ 0", "good"),
        ("9", "target ≤ 0", "bad"),
        ("40%", "target ≥ 80%", "bad"),  # grey before: no threshold
        ("2.1M (7%)", "target < 10%", "good"),  # 2.09M / 30.4M = 6.9%
        ("12 / 3", "target ≤ 0", "bad"),
        ("86%", "target ≥ 100%", "bad"),
    ]
    assert all(t["status"] for t in tiles if t["target"])


def test_tiles_the_data_cannot_give_are_left_out(monkeypatch):
    """A figure the data cannot give (no milestones table: n/a) is no tile; a row of only such
    figures is no row at all; a tile with one figure known stays."""
    from pmo_analysis.core import formatting as fmt
    from pmo_analysis.core.i18n import language

    shown = []
    monkeypatch.setattr(display, "display", lambda obj: shown.append(obj.data))
    with fmt.using(currency="USD"):
        display.kpi_tiles(
            {
                "Missed milestones": fmt.count(np.nan),
                "Open risk exposure": fmt.money(np.nan),
                "Overdue / no owner": f"{fmt.count(np.nan)} / {fmt.count(np.nan)}",
                "CPI / SPI": f"{fmt.ratio(0.9)} / {fmt.ratio(np.nan)}",
                "NPV": fmt.money(1.5e6),
            }
        )
        with language("zh"):
            display.kpi_tiles({"逾期里程碑": fmt.count(np.nan)})
    assert len(shown) == 1
    html = shown[0]
    assert "n/a / n/a" not in html and "Missed milestones" not in html and "Open risk exposure" not in html
    assert "0.90 / n/a" in html and "$1.5M" in html
    display.note("lacks the milestones table", small=True)
    assert shown[-1] == '<p class="pmo-small">lacks the milestones table</p>'


def test_a_total_without_inputs_is_an_na_tile_with_its_reason_in_a_neutral_colour():
    """The IT Dashboard has no benefits: its ROI and NPV tiles read n/a and why, never -100% in red."""
    h = pd.Series(
        {
            "as_of": "2012-10-31",
            "running_projects": 1811,
            "off_track": 0,
            "at_risk": 0,
            "portfolio_npv": np.nan,
            "remaining_npv": np.nan,
            "portfolio_roi": np.nan,
            "value_projects": 0,
            "value_projects_of": 2420,
            "value_reason": "no_benefits",
            "total_budget": 4.66e10,
            "spend_to_date": 4.13e10,
            "planned_to_date": 4.0e10,
            "portfolio_cpi": np.nan,
            "portfolio_spi": np.nan,
            "utilization": np.nan,
            "overallocated_people": np.nan,
            "open_high_impact_actions": np.nan,
        }
    )
    windows = {"forward_first": "2012-11", "forward_last": "2013-04"}
    tiles = {t["label"].split(" (")[0]: t for t in display.headline_tiles(h, None, {}, windows)}
    for name in ("Portfolio ROI", "Lifetime NPV", "Remaining NPV"):
        t = tiles[name]
        assert (t["value"], t["reason"], t["status"], t["negative"]) == (
            "n/a",
            "no benefit figures recorded",
            None,
            False,
        )
    assert tiles["Remaining NPV"]["label"] == "Remaining NPV (Nov 2012→, at 31 Oct 2012)"


def test_an_integer_column_holding_text_row_labels_shows_them():
    """Rows left out of a database read are named by key or result row; the table shows that text."""
    df = pd.DataFrame(
        {
            "row": pd.array(["result row 12", "project_id 'PRJ-7'", None], dtype="string"),
            "n": pd.array([1, None, 3], dtype="Int64"),
        }
    )
    cells = re.findall(r"<td[^>]*>[^<]*</td>", display.table(df, integer=["row", "n"])._repr_html_())
    assert cells == [
        '<td class="text">result row 12</td>',
        '<td class="num" data-sort="1.0">1</td>',
        '<td class="text">project_id &#39;PRJ-7&#39;</td>',
        '<td class="num"></td>',
        '<td class="text"></td>',
        '<td class="num" data-sort="3.0">3</td>',
    ]


def test_a_budget_with_nothing_to_fund_is_na_with_its_reason():
    """The IT Dashboard's projects record no benefit: nothing can be ranked, the cap of 0 funds 0."""
    h = pd.Series({"budget_cap": 0.0, "funded_need": 0.0})
    waiting = display.budget_tile(h, pd.DataFrame({"decision": ["data needed"] * 3 + ["closed"]}))
    assert (waiting["value"], waiting["reason"]) == (
        "n/a",
        "nothing to fund: no proposed or running project can be ranked yet (3 wait for benefit figures)",
    )
    closed = display.budget_tile(h, pd.DataFrame({"decision": ["closed"]}))
    assert (closed["value"], closed["reason"]) == ("n/a", "nothing to fund: no project is proposed or running")
    funded = display.budget_tile(
        pd.Series({"budget_cap": 7e6, "funded_need": 6.5e6}), pd.DataFrame({"decision": ["fund"]})
    )
    assert (funded["value"], funded["reason"]) == ("7.0M / 6.5M", None)
