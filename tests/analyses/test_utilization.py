"""Utilization definitions against hand-computed values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pmo_analysis.analyses import utilization as U

# March 2026 has 22 working days (Mon-Fri); April 2026 has 22; 2026-03-02 is a Monday.
RES = pd.DataFrame(
    {
        "resource_id": ["FT", "PT", "JOIN"],
        "name": ["Full", "Part", "Joiner"],
        "role": ["Developer", "Developer", "Tester"],
        "department": ["D1", "D1", "D2"],
        "weekly_capacity_hours": [40.0, 20.0, 40.0],
        "active_from": pd.to_datetime([None, None, "2026-03-16"]),  # joins mid-March
        "active_to": pd.to_datetime([None, None, None]),
    }
)
ASG = pd.DataFrame(
    {
        "resource_id": ["FT", "FT", "PT", "JOIN"],
        "project_id": ["A", "B", "A", "B"],
        "start_date": pd.to_datetime(["2026-03-01", "2026-03-16", "2026-03-01", "2026-03-01"]),
        "end_date": pd.to_datetime(["2026-04-30", "2026-04-15", "2026-03-31", "2026-04-30"]),
        "allocation_pct": [80.0, 50.0, 100.0, 50.0],
    }
)
TS = pd.DataFrame(
    {
        "resource_id": ["FT", "FT", "FT", "PT", "JOIN"],
        "date": pd.to_datetime(["2026-03-02", "2026-03-07", "2026-03-03", "2026-03-02", "2026-03-20"]),
        "hours": [8.0, 4.0, 8.0, 4.0, 6.0],
        "project_id": ["A", "A", None, "A", "B"],  # 03-07 is a Saturday; 03-03 is leave
        "activity": ["delivery", "delivery", "leave", "delivery", "delivery"],
    }
)


def _flat(holidays=None):
    return U.utilization_by_resource(
        RES, ASG, TS, as_of="2026-03-31", start="2026-03-01", end="2026-04-30", holidays=holidays
    )


def _u(holidays=None):
    u = _flat(holidays)
    return u.set_index(["resource_id", u["period"].dt.strftime("%Y-%m")])


def test_working_days():
    assert U.working_days("2026-03-01", "2026-03-31") == 22
    assert U.working_days("2026-03-31", "2026-03-01") == 0
    assert U.working_days("2026-12-21", "2026-12-31", holidays=["2026-12-25"]) == 8


def test_capacity_full_part_time_and_joiner():
    u = _u()
    assert u.loc[("FT", "2026-03"), "capacity_hours"] == 40 * 22 / 5 == 176
    assert u.loc[("PT", "2026-03"), "capacity_hours"] == 20 * 22 / 5 == 88
    # joins on Monday 16 March: 12 working days left in March
    assert u.loc[("JOIN", "2026-03"), "capacity_hours"] == 40 * 12 / 5 == 96


def test_actual_hours_weekends_count_and_non_project_separate():
    u = _u()
    ft = u.loc[("FT", "2026-03")]
    assert ft["actual_hours"] == 12  # 8 on Monday + 4 on Saturday; leave is not project time
    assert ft["non_project_hours"] == 8
    assert ft["utilization"] == pytest.approx(12 / 176)
    assert np.isnan(u.loc[("FT", "2026-04"), "actual_hours"])  # after as-of: no actuals
    assert np.isnan(u.loc[("FT", "2026-04"), "utilization"])


def test_planned_hours_overlapping_and_spanning_assignments():
    u = _u()
    # FT: A at 80% all March (22 d) + B at 50% from 16 March (12 d)
    assert u.loc[("FT", "2026-03"), "planned_hours"] == pytest.approx(0.8 * 40 * 22 / 5 + 0.5 * 40 * 12 / 5)
    # April: A at 80% (22 d) + B at 50% to 15 April (11 d: 1-3, 6-10, 13-15)
    assert u.loc[("FT", "2026-04"), "planned_hours"] == pytest.approx(0.8 * 40 * 22 / 5 + 0.5 * 40 * 11 / 5)
    assert u.loc[("FT", "2026-03"), "planned_utilization"] == pytest.approx((140.8 + 48) / 176)
    # the joiner's assignment starts 1 March but only counts from the active date
    assert u.loc[("JOIN", "2026-03"), "planned_hours"] == pytest.approx(0.5 * 40 * 12 / 5)
    assert u.loc[("PT", "2026-04"), "planned_hours"] == 0


def test_holiday_reduces_capacity_and_plan():
    u = _u(holidays=pd.DataFrame({"date": pd.to_datetime(["2026-04-03"])}))  # Good Friday
    assert u.loc[("FT", "2026-04"), "capacity_hours"] == 40 * 21 / 5
    assert u.loc[("FT", "2026-04"), "planned_hours"] == pytest.approx(0.8 * 40 * 21 / 5 + 0.5 * 40 * 10 / 5)


def test_group_sums_hours_before_dividing():
    u = U.utilization_by_resource(RES, ASG, TS, as_of="2026-03-31", start="2026-03-01", end="2026-03-31")
    g = U.utilization_by_group(u, by="role").set_index("role")
    dev = g.loc["Developer"]
    assert dev["capacity_hours"] == 176 + 88 and dev["actual_hours"] == 12 + 4
    assert dev["utilization"] == pytest.approx(16 / 264)  # not the mean of 12/176 and 4/88


def test_overallocation_lists_the_causing_projects():
    u = _flat()
    plan = U.planned_by_assignment(RES, ASG, U.month_window("2026-03-31", start="2026-03-01", end="2026-04-30"))
    over = U.overallocations(u, plan, threshold=1.0)
    row = over.loc[(over["resource_id"] == "FT") & (over["period"] == "2026-03-01")].iloc[0]
    assert row["project_ids"] == "A;B" and row["breakdown"] == "A: 141 h; B: 48 h"
    assert row["excess_hours"] == pytest.approx(140.8 + 48 - 176)
    assert over["resource_id"].tolist() == ["FT", "FT"]  # PT is planned at exactly 100%: not over


def test_bench_and_capacity_vs_demand():
    u = _flat()
    plan = U.planned_by_assignment(RES, ASG, U.month_window("2026-03-31", start="2026-03-01", end="2026-04-30"))
    over = U.overallocations(u, plan)
    b = U.bench(u, over, as_of="2026-03-31", threshold=0.6, recent_months=1)
    assert set(b["resource_id"]) == {"FT", "PT", "JOIN"}
    assert b.set_index("resource_id").loc["JOIN", "utilization"] == pytest.approx(6 / 96)
    cvd = U.capacity_vs_demand(u, as_of="2026-03-31", months=1).set_index("role")
    assert cvd.loc["Developer", "capacity_hours"] == 176 + 88
    assert cvd.loc["Developer", "demand_hours"] == pytest.approx(140.8 + 44)
    assert cvd.loc["Developer", "gap_fte"] == pytest.approx((264 - 184.8) / (40 * 22 / 5))


def test_sample_planted_overallocation_and_bench(sample):
    u = U.utilization_by_resource(
        sample.resources, sample.assignments, sample.timesheets, as_of="2026-06-30", holidays=sample.holidays
    )
    assert len(u) == 60 * 18
    months = U.month_window("2026-06-30")
    over = U.overallocations(
        u, U.planned_by_assignment(sample.resources, sample.assignments, months, holidays=sample.holidays)
    )
    assert over["resource_id"].nunique() >= 5
    assert U.bench(u, over, as_of="2026-06-30")["resource_id"].nunique() >= 3
    portfolio = U.utilization_by_group(u)
    past = portfolio.dropna(subset=["utilization"])
    assert 0.6 < past["actual_hours"].sum() / past["capacity_hours"].sum() < 1.0


# --------------------------------------------------------------------------- laws (hypothesis)


@settings(max_examples=80, deadline=None)
@given(
    st.dates(min_value=pd.Timestamp("2020-01-01").date(), max_value=pd.Timestamp("2030-12-31").date()),
    st.integers(0, 400),
    st.lists(st.integers(0, 400), max_size=10),
)
def test_working_days_are_pandas_business_days_minus_holidays(first, length, offsets):
    from pmo_analysis.analyses.utilization import working_days

    start = pd.Timestamp(first)
    end = start + pd.Timedelta(days=length)
    holidays = sorted({start + pd.Timedelta(days=o) for o in offsets})
    expected = len(pd.bdate_range(start, end).difference(pd.DatetimeIndex(holidays)))
    assert int(working_days(start.to_datetime64(), end.to_datetime64(), holidays=holidays)) == expected
