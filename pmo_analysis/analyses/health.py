"""Project health for leadership: on track / at risk / off track, with the reason in words.

Rules (thresholds are parameters of the executive summary), for active and on-hold projects:

off track
    CPI < ``cpi_red``, or SPI < ``spi_red``, or the end date has passed while the project is not
    complete (percent_complete < 100).
at risk
    not off track, and CPI < ``cpi_amber``, or SPI < ``spi_amber``, or risk_score >= ``risk_amber``,
    or no earned value can be computed (no percent complete or no actual cost yet), or (with the
    delivery tables, :mod:`pmo_analysis.analyses.delivery`) the project is delayed by a predecessor
    (propagated slip > 0), has missed milestones, or its open risk exposure is at least
    ``exposure_amber`` of its budget.
on track
    everything else.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pmo_analysis.core.config import RUNNING_STATUSES
from pmo_analysis.core.wording import Reason, join

__all__ = ["HEALTH_ORDER", "project_health"]

HEALTH_ORDER = {"off track": 0, "at risk": 1, "on track": 2}


def project_health(
    roi: pd.DataFrame,
    *,
    as_of,
    cpi_red: float = 0.85,
    cpi_amber: float = 0.95,
    spi_red: float = 0.85,
    spi_amber: float = 0.95,
    risk_amber: float = 4,
    delivery: pd.DataFrame | None = None,
    exposure_amber: float = 0.1,
) -> pd.DataFrame:
    """Health of every active or on-hold project, worst first.

    ``roi`` is :func:`pmo_analysis.analyses.finance.roi_by_project`; ``delivery`` (optional) has one row per
    project with any of propagated_slip_days, delayed_by, missed_milestones, open_exposure and
    exposure_share (:mod:`pmo_analysis.analyses.delivery`). Returns project_id, name, department,
    status, health, reason, cpi, spi, risk_score, end_date, percent_complete, bac, eac, npv; the
    reason is every rule that fires, worded by :mod:`pmo_analysis.core.wording` in the report language.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"project_id": ["A"], "name": ["a"], "department": ["d"], "status": ["active"],
    ...                    "cpi": [0.8], "spi": [1.0], "risk_score": [2], "end_date": [pd.Timestamp("2027-01-01")],
    ...                    "percent_complete": [50.0], "bac": [1.0], "eac": [1.25], "npv": [0.0]})
    >>> project_health(df, as_of="2026-06-30")[["health", "reason"]].values.tolist()
    [['off track', 'CPI 0.80 below 0.85']]
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
        (cpi.isna() | spi.isna(), Reason("no_earned_value")),
        *_delivery_rules(df, delivery, exposure_amber),
    ]
    is_red = np.logical_or.reduce([m.fillna(False).to_numpy() for m, _reason in red])
    is_amber = np.logical_or.reduce([m.fillna(False).to_numpy() for m, _reason in amber])
    df["health"] = np.where(is_red, "off track", np.where(is_amber, "at risk", "on track"))
    df["reason"] = join(red + amber, index=df.index)
    df["_o"] = df["health"].map(HEALTH_ORDER)
    df = df.sort_values(["_o", "cpi", "spi"], na_position="first")
    cols = [
        "project_id",
        "name",
        "department",
        "status",
        "health",
        "reason",
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
