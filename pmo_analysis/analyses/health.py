"""Project health for leadership: on track / at risk / off track, with the reason in words.

Rules (thresholds are model parameters, defaulting to
:data:`pmo_analysis.core.config.HEALTH_THRESHOLDS`), for active and on-hold projects:

off track
    CPI < ``cpi_red``, or SPI < ``spi_red``, or the end date has passed while the project is not
    complete (percent_complete < 100).
at risk
    not off track, and CPI < ``cpi_amber``, or SPI < ``spi_amber``, or risk_score >= ``risk_amber``,
    or (with the delivery tables, :mod:`pmo_analysis.analyses.delivery`) the project is delayed by a
    predecessor (propagated slip > 0), has missed milestones, or its open risk exposure is at least
    ``exposure_amber`` of its budget.
data needed
    no rule above fires, and an input a rule needs is missing: CPI or SPI is n/a (no percent
    complete, or no actual or planned cost to date), or NPV is n/a (no benefits). Missing is
    neither a risk nor zero: the project is listed with what is missing (``missing_data``), and a
    project that is off track or at risk for what *is* known says what is missing too.
on track
    everything else.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pmo_analysis.core.config import HEALTH_THRESHOLDS, RUNNING_STATUSES
from pmo_analysis.core.wording import Reason, join

__all__ = ["HEALTH_ORDER", "project_health", "missing_inputs"]

HEALTH_ORDER = {"off track": 0, "at risk": 1, "data needed": 2, "on track": 3}
_T = HEALTH_THRESHOLDS


def missing_inputs(df: pd.DataFrame) -> list[tuple[pd.Series, Reason]]:
    """What the rules cannot judge for each row of ``df`` (a :func:`roi_by_project` frame), as
    (mask, reason) pairs: no percent complete (so no CPI nor SPI), percent complete but no actual
    cost to date (no CPI) or no planned cost to date (no SPI), no benefits (NPV n/a) and no cash
    flows at all (NPV and total cost n/a).
    A column ``df`` does not have is not judged missing.

    >>> df = pd.DataFrame({"percent_complete": [None, 40.0, 40.0], "cpi": [None, None, 1.0],
    ...                    "spi": [None, 1.0, 1.0], "npv": [1.0, 1.0, None]})
    >>> [m.tolist() for m, _r in missing_inputs(df)]
    [[True, False, False], [False, True, False], [False, False, False], [False, False, True], [False, False, False]]
    """
    none = pd.Series(False, index=df.index)
    pct = df["percent_complete"] if "percent_complete" in df else pd.Series(0.0, index=df.index)
    cpi = df["cpi"].isna() if "cpi" in df else none
    spi = df["spi"].isna() if "spi" in df else none
    value = df["npv"].isna() if "npv" in df else none  # n/a where the project has no benefits, or no flows
    no_flows = value & (df["total_cost"].isna() if "total_cost" in df else none)
    return [
        (pct.isna() & (cpi | spi), Reason("needs_percent_complete")),
        (pct.notna() & cpi, Reason("needs_actual_cost")),
        (pct.notna() & spi, Reason("needs_planned_cost")),
        (value & ~no_flows, Reason("needs_benefits")),
        (no_flows, Reason("needs_cash_flows")),
    ]


def project_health(
    roi: pd.DataFrame,
    *,
    as_of,
    cpi_red: float = _T["cpi_red"],
    cpi_amber: float = _T["cpi_amber"],
    spi_red: float = _T["spi_red"],
    spi_amber: float = _T["spi_amber"],
    risk_amber: float = _T["risk_amber"],
    delivery: pd.DataFrame | None = None,
    exposure_amber: float = _T["exposure_amber"],
) -> pd.DataFrame:
    """Health of every active or on-hold project, worst first.

    ``roi`` is :func:`pmo_analysis.analyses.finance.roi_by_project`; ``delivery`` (optional) has one row per
    project with any of propagated_slip_days, delayed_by, missed_milestones, open_exposure and
    exposure_share (:mod:`pmo_analysis.analyses.delivery`). Returns project_id, name, department,
    status, health, reason, missing_data, cpi, spi, risk_score, end_date, percent_complete, bac, eac,
    npv; the reason is every rule that fires, then what is missing, and missing_data what is missing
    alone, worded by :mod:`pmo_analysis.core.wording` in the report language.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"project_id": ["A"], "name": ["a"], "department": ["d"], "status": ["active"],
    ...                    "cpi": [0.8], "spi": [1.0], "risk_score": [2], "end_date": [pd.Timestamp("2027-01-01")],
    ...                    "percent_complete": [50.0], "bac": [1.0], "eac": [1.25], "npv": [0.0]})
    >>> project_health(df, as_of="2026-06-30")[["health", "reason"]].values.tolist()
    [['off track', 'CPI 0.80 below 0.85']]
    >>> project_health(df.assign(cpi=[None]), as_of="2026-06-30")[["health", "missing_data"]].values.tolist()
    [['data needed', 'needs actual cost to date (for CPI)']]
    >>> from pmo_analysis.core.formatting import using
    >>> with using(language="zh"):
    ...     project_health(df, as_of="2026-06-30")["reason"].tolist()
    ['CPI 0.80 低于 0.85']
    """
    if not (cpi_red <= cpi_amber and spi_red <= spi_amber):
        raise ValueError(
            "red thresholds must not be above amber thresholds "
            f"(cpi {cpi_red} / {cpi_amber}, spi {spi_red} / {spi_amber})"
        )
    as_of = pd.Timestamp(as_of)
    df = roi.loc[roi["status"].isin(RUNNING_STATUSES)].copy()
    pct = df["percent_complete"] if "percent_complete" in df else pd.Series(np.nan, index=df.index)
    cpi, spi, risk, end = df["cpi"], df["spi"], df["risk_score"], df["end_date"]
    late = (end < as_of) & ~(pct >= 100)
    # each rule: where it fires, and why as a reason with its values (worded by pmo_analysis.core.wording)
    red = [
        (cpi < cpi_red, Reason("cpi_below", value=cpi, threshold=cpi_red)),
        (spi < spi_red, Reason("spi_below", value=spi, threshold=spi_red)),
        (late & pct.notna(), Reason("late_at_percent", date=end, pct=pct)),
        (late & pct.isna(), Reason("late_no_percent", date=end)),
    ]
    amber = [
        ((cpi >= cpi_red) & (cpi < cpi_amber), Reason("cpi_below", value=cpi, threshold=cpi_amber)),
        ((spi >= spi_red) & (spi < spi_amber), Reason("spi_below", value=spi, threshold=spi_amber)),
        (risk >= risk_amber, Reason("risk_score", score=risk)),
        *_delivery_rules(df, delivery, exposure_amber),
    ]
    missing = missing_inputs(df)
    is_red = np.logical_or.reduce([m.fillna(False).to_numpy() for m, _reason in red])
    is_amber = np.logical_or.reduce([m.fillna(False).to_numpy() for m, _reason in amber])
    is_missing = np.logical_or.reduce([m.fillna(False).to_numpy() for m, _reason in missing])
    df["health"] = np.select([is_red, is_amber, is_missing], ["off track", "at risk", "data needed"], "on track")
    df["reason"] = join(red + amber + missing, index=df.index)
    df["missing_data"] = join(missing, index=df.index)
    df["_o"] = df["health"].map(HEALTH_ORDER)
    df = df.sort_values(["_o", "cpi", "spi"], na_position="first")
    cols = [
        "project_id",
        "name",
        "department",
        "status",
        "health",
        "reason",
        "missing_data",
        "cpi",
        "spi",
        "risk_score",
        "end_date",
        "percent_complete",
        "bac",
        "eac",
        "npv",
    ]
    return df[[c for c in cols if c in df.columns]].reset_index(drop=True)


def _delivery_rules(
    df: pd.DataFrame, delivery: pd.DataFrame | None, exposure_amber: float
) -> list[tuple[pd.Series, Reason]]:
    """The at-risk rules read from the delivery tables: (mask, reason) per rule, on ``df``'s index."""
    if delivery is None:
        return []
    d = df[["project_id"]].merge(delivery, on="project_id", how="left").set_index(df.index)
    rules = []
    if "propagated_slip_days" in d:
        slip = d["propagated_slip_days"]
        rules.append((slip > 0, Reason("delayed_by_dependency", days=slip, by=d["delayed_by"])))
    if "missed_milestones" in d:
        missed = d["missed_milestones"]
        rules.append((missed > 0, Reason("missed_milestones", n=missed)))
    if "exposure_share" in d:
        share = d["exposure_share"]
        rules.append((share >= exposure_amber, Reason("risk_exposure", money=d["open_exposure"], share=share)))
    return rules
