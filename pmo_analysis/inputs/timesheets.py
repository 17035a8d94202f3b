"""Booked hours per person, project and month: the one aggregation of timesheets every loader and
analysis starts from (the out-of-core engine computes the same table inside the files).
"""

from __future__ import annotations

import pandas as pd

__all__ = ["monthly_hours", "monthly_frame"]


def monthly_hours(timesheets: pd.DataFrame, as_of=None, start=None) -> pd.DataFrame:
    """Booked hours per resource_id, project_id (empty: non-project time), activity (of non-project
    time only) and period (month) of the entries dated on or before ``as_of`` (all of them when
    ``None``) and in or after the month of ``start``, sorted by resource, month, project and
    activity.

    Every figure drawn from timesheets starts from this table: the out-of-core engine computes the
    same one in the files (:meth:`pmo_analysis.inputs.portfolio.Portfolio.booked_hours`), and the functions
    of :mod:`pmo_analysis.analyses.utilization` take either it or the timesheet rows.

    Examples
    --------
    >>> ts = pd.DataFrame({"resource_id": ["R1", "R1", "R1", "R1"],
    ...                    "date": pd.to_datetime(["2026-05-04", "2026-05-05", "2026-05-06", "2026-06-15"]),
    ...                    "hours": [6.0, 2.0, 8.0, 8.0], "project_id": ["P1", "P1", None, "P1"],
    ...                    "activity": ["delivery", "testing", "leave", "delivery"]})
    >>> monthly_hours(ts, as_of="2026-06-14")[["project_id", "activity", "period", "hours"]]
      project_id activity     period  hours
    0        NaN    leave 2026-05-01    8.0
    1         P1     <NA> 2026-05-01    8.0
    """
    ts = timesheets if as_of is None else timesheets.loc[timesheets["date"] <= pd.Timestamp(as_of).normalize()]
    if start is not None:
        ts = ts.loc[ts["date"] >= pd.Timestamp(start).to_period("M").to_timestamp()]
    na = pd.Series(pd.NA, index=ts.index, dtype="string")
    project = ts["project_id"].astype("string") if "project_id" in ts.columns else na
    activity = (ts["activity"].astype("string") if "activity" in ts.columns else na).where(project.isna())
    frame = pd.DataFrame(
        {
            "resource_id": ts["resource_id"].astype("string"),
            "project_id": project,
            "activity": activity,
            "period": ts["date"].to_numpy().astype("datetime64[M]").astype("datetime64[ns]"),
            "hours": ts["hours"].astype("float64"),
        }
    )
    keys = ["resource_id", "project_id", "activity", "period"]
    return monthly_frame(frame.groupby(keys, dropna=False, sort=False)["hours"].sum().reset_index())


def monthly_frame(df: pd.DataFrame, *, ordered: bool = False) -> pd.DataFrame:
    """Booked hours in a fixed shape: ids as categories (in text order, only those present),
    activity as text, sorted by resource, month, project (non-project time first) and activity
    (``ordered``: they already are).
    """
    out = pd.DataFrame(
        {
            "resource_id": _categories(df["resource_id"]),
            "project_id": _categories(df["project_id"]),
            "activity": df["activity"].astype("string"),
            "period": pd.to_datetime(df["period"]).astype("datetime64[ns]"),
            "hours": df["hours"].astype("float64"),
        }
    )
    if not ordered:
        out = out.sort_values(["resource_id", "period", "project_id", "activity"], na_position="first", kind="stable")
    return out.reset_index(drop=True)


def _categories(s: pd.Series) -> pd.Series:
    """``s`` as a categorical of text whose categories are the values present, in text order."""
    c = s if isinstance(s.dtype, pd.CategoricalDtype) else s.astype("string").astype("category")
    c = c.cat.remove_unused_categories()
    cats = pd.Index(c.cat.categories.astype(str))
    if not cats.equals(pd.Index(c.cat.categories)):
        c = c.cat.rename_categories(cats)
    return c.cat.reorder_categories(sorted(cats))
