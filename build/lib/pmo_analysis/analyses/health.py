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
from pmo_analysis.core.formatting import as_text, money, pct, ratio
from pmo_analysis.core.i18n import _

__all__ = ["HEALTH_ORDER", "project_health"]

HEALTH_ORDER = {"off track": 0, "at risk": 1, "on track": 2}


def project_health(roi: pd.DataFrame, *, as_of, cpi_red: float = 0.85, cpi_amber: float = 0.95,
                   spi_red: float = 0.85, spi_amber: float = 0.95, risk_amber: float = 4,
                   delivery: pd.DataFrame | None = None, exposure_amber: float = 0.1) -> pd.DataFrame:
    """Health of every active or on-hold project, worst first.

    ``roi`` is :func:`pmo_analysis.analyses.finance.roi_by_project`; ``delivery`` (optional) has one row per
    project with any of propagated_slip_days, delayed_by, missed_milestones, open_exposure and
    exposure_share (:mod:`pmo_analysis.analyses.delivery`). Returns project_id, name, department,
    status, health, reason, cpi, spi, risk_score, end_date, percent_complete, bac, eac, npv.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"project_id": ["A"], "name": ["a"], "department": ["d"], "status": ["active"],
    ...                    "cpi": [0.8], "spi": [1.0], "risk_score": [2], "end_date": [pd.Timestamp("2027-01-01")],
    ...                    "percent_complete": [50.0], "bac": [1.0], "eac": [1.25], "npv": [0.0]})
    >>> project_health(df, as_of="2026-06-30")[["health", "reason"]].values.tolist()
    [['off track', 'CPI 0.80 below 0.85']]
    """
    if not (cpi_red <= cpi_amber and spi_red <= spi_amber):
        raise ValueError("red thresholds must not be above amber thresholds "
                         f"(cpi {cpi_red} / {cpi_amber}, spi {spi_red} / {spi_amber})")
    as_of = pd.Timestamp(as_of)
    df = roi.loc[roi["status"].isin(RUNNING_STATUSES)].copy()
    pct = df["percent_complete"] if "percent_complete" in df else pd.Series(np.nan, index=df.index)
    cpi, spi, risk = df["cpi"], df["spi"], df["risk_score"]
    late = (df["end_date"] < as_of) & ~(pct >= 100)
    # the reasons in the report language (pmo_analysis.core.i18n), each a text column
    cpi_text, spi_text = as_text(cpi, ratio), as_text(spi, ratio)
    end_text = as_text(df["end_date"], lambda v: f"{v:%Y-%m-%d}")
    late_text = _("end date {date} passed at {pct}% complete", date=end_text,
                  pct=as_text(pct, lambda v: f"{v:.0f}")).where(
        pct.notna(), _("end date {date} passed with no percent complete reported", date=end_text))
    red = {
        "cpi": (cpi < cpi_red, _("CPI {value} below {threshold}", value=cpi_text, threshold=f"{cpi_red:.2f}")),
        "spi": (spi < spi_red, _("SPI {value} below {threshold}", value=spi_text, threshold=f"{spi_red:.2f}")),
        "late": (late, late_text),
    }
    amber = {
        "cpi": ((cpi >= cpi_red) & (cpi < cpi_amber),
                _("CPI {value} below {threshold}", value=cpi_text, threshold=f"{cpi_amber:.2f}")),
        "spi": ((spi >= spi_red) & (spi < spi_amber),
                _("SPI {value} below {threshold}", value=spi_text, threshold=f"{spi_amber:.2f}")),
        "risk": (risk >= risk_amber, _("risk score {score}/5", score=as_text(risk, lambda v: f"{v:.0f}"))),
        "no_ev": (cpi.isna() | spi.isna(), pd.Series(_("no earned value (percent complete or actual cost missing)"),
                                                     index=df.index, dtype=object)),
        **_delivery_rules(df, delivery, exposure_amber),
    }
    is_red = np.logical_or.reduce([m.fillna(False).to_numpy() for m, _text in red.values()])
    is_amber = np.logical_or.reduce([m.fillna(False).to_numpy() for m, _text in amber.values()])
    df["health"] = np.where(is_red, "off track", np.where(is_amber, "at risk", "on track"))
    parts = pd.DataFrame({f"{k}_{n}": text.where(mask.fillna(False), "")
                          for k, rules in (("r", red), ("a", amber)) for n, (mask, text) in rules.items()},
                         index=df.index)
    df["reason"] = (parts.where(parts != "").stack().dropna().groupby(level=0).agg(_("; ").join)
                    .reindex(df.index, fill_value=""))
    df["_o"] = df["health"].map(HEALTH_ORDER)
    df = df.sort_values(["_o", "cpi", "spi"], na_position="first")
    cols = ["project_id", "name", "department", "status", "health", "reason", "cpi", "spi", "risk_score",
            "end_date", "percent_complete", "bac", "eac", "npv"]
    return df[[c for c in cols if c in df.columns]].reset_index(drop=True)


def _delivery_rules(df: pd.DataFrame, delivery: pd.DataFrame | None, exposure_amber: float
                    ) -> dict[str, tuple[pd.Series, pd.Series]]:
    """The at-risk rules read from the delivery tables: (mask, reason) per rule, on ``df``'s index."""
    if delivery is None:
        return {}
    d = df[["project_id"]].merge(delivery, on="project_id", how="left").set_index(df.index)
    rules = {}
    if "propagated_slip_days" in d:
        slip = d["propagated_slip_days"]
        rules["delayed"] = (slip > 0, _("delayed {days} days by {by} (dependency)",
                                        days=as_text(slip, lambda v: f"{v:,.0f}"),
                                        by=d["delayed_by"].fillna("").astype(object)))
    if "missed_milestones" in d:
        missed = d["missed_milestones"]
        rules["milestones"] = (missed > 0, _("{n} missed milestone(s)", n=as_text(missed, lambda v: f"{v:,.0f}")))
    if "exposure_share" in d:
        share = d["exposure_share"]
        rules["exposure"] = (share >= exposure_amber, _("open risk exposure {money} = {share} of budget",
                                                        money=as_text(d["open_exposure"], money),
                                                        share=as_text(share, lambda v: pct(v, 0))))
    return rules
