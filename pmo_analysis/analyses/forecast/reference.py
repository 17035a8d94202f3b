"""Reference-class forecasting (Flyvbjerg): how far final cost and finish landed from the plan on
the portfolio's own completed projects, with a published default where there are too few.

The definitions are written in :mod:`pmo_analysis.analyses.forecast`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import ndtri
from scipy.stats import norm

from pmo_analysis.core.config import DEFAULT_CLASS_BOUNDS, FORECAST_MIN_REFERENCE

__all__ = [
    "MIN_REFERENCE",
    "DEFAULT_CLASS",
    "outcomes",
    "reference_classes",
    "class_quantiles",
    "sample_class",
    "optimism_uplift",
]

#: Completed projects a reference class needs: below this a department uses the portfolio's
#: class, and a portfolio below it the published default (:data:`DEFAULT_CLASS`). With five, the
#: 80th percentile lies between the fourth and fifth outcome; with fewer it is the largest or a
#: guess beyond it.
MIN_REFERENCE = FORECAST_MIN_REFERENCE

#: The published default: lognormal ratios (final / planned) for IT ("equipment and
#: development") projects, fitted to HM Treasury's optimism-bias bounds (Green Book
#: supplementary guidance, Mott MacDonald 2002): median at the lower bound (+10% cost, +10%
#: duration), 95th percentile at the upper bound (+200% cost, +54% duration). Its mean cost
#: ratio, 1.33, is close to the +27% average overrun Flyvbjerg and Budzier (2011) found on 1,471
#: IT projects.
DEFAULT_CLASS = {
    kind: {
        "mu": float(np.log(median)),
        "sigma": float((np.log(p95) - np.log(median)) / norm.ppf(0.95)),
    }
    for kind, (median, p95) in DEFAULT_CLASS_BOUNDS.items()
}


def outcomes(completed: pd.DataFrame) -> pd.DataFrame:
    """The reference outcomes of completed projects: cost_ratio = final cost / budget and
    delay_ratio = (actual duration - planned duration) / planned duration.

    ``completed`` has project_id, department, budget, final_cost, planned_months and
    actual_months. A project without a budget or a planned duration is left out.

    >>> c = pd.DataFrame({"project_id": ["A"], "department": ["IT"], "budget": [100.0], "final_cost": [120.0],
    ...                   "planned_months": [10.0], "actual_months": [13.0]})
    >>> outcomes(c)[["cost_ratio", "delay_ratio"]].values.tolist()
    [[1.2, 0.3]]
    """
    ok = (completed["budget"] > 0) & (completed["planned_months"] > 0) & (completed["final_cost"] > 0)
    c = completed.loc[ok, ["project_id", "department"]].copy()
    c["cost_ratio"] = completed["final_cost"] / completed["budget"]
    c["delay_ratio"] = (completed["actual_months"] - completed["planned_months"]) / completed["planned_months"]
    return c.reset_index(drop=True)


def reference_classes(
    projects: pd.DataFrame, reference: pd.DataFrame, *, min_projects: int = MIN_REFERENCE
) -> pd.DataFrame:
    """The reference class of each project: its department's completed projects when there are
    at least ``min_projects``, the portfolio's when there are, else the published default.

    Returns project_id, reference_class (``"department"``, ``"portfolio"`` or ``"default"``),
    reference_group (the department, ``""`` otherwise) and reference_projects (how many outcomes
    the class rests on; 0 for the default).
    """
    size = reference.groupby("department").size()
    n_dept = projects["department"].map(size).fillna(0).astype(int)
    n_all = len(reference)
    dept = n_dept >= min_projects
    cls = np.where(dept, "department", "portfolio" if n_all >= min_projects else "default")
    return pd.DataFrame(
        {
            "project_id": projects["project_id"].to_numpy(),
            "reference_class": cls,
            "reference_group": np.where(dept, projects["department"].astype(str), ""),
            "reference_projects": np.where(dept, n_dept, n_all if n_all >= min_projects else 0),
        }
    )


def _empirical_inverse(values: np.ndarray, u: np.ndarray) -> np.ndarray:
    """The empirical quantile function (linear between order statistics) at probabilities ``u``."""
    v = np.sort(values)
    x = np.clip(u, 0.0, 1.0) * (len(v) - 1)  # np.interp on 0, 1, ..., n - 1, without its search
    lo = np.minimum(x.astype(np.intp), len(v) - 1)
    hi = np.minimum(lo + 1, len(v) - 1)
    w = x - lo
    return v[lo] * (1.0 - w) + v[hi] * w


def sample_class(classes: pd.DataFrame, reference: pd.DataFrame, u: np.ndarray, *, kind: str) -> np.ndarray:
    """Ratios (final / planned) drawn from each project's class at probabilities ``u``.

    ``classes`` is :func:`reference_classes` (one row per project, the rows of ``u``); ``u`` is
    projects x draws in (0, 1); ``kind`` ``"cost"`` (cost_ratio) or ``"duration"``
    (1 + delay_ratio). The default class is its lognormal; a class of outcomes its empirical
    quantile function, so identical outcomes give that ratio in every draw.
    """
    col = "cost_ratio" if kind == "cost" else "delay_ratio"
    add = 0.0 if kind == "cost" else 1.0
    out = np.empty_like(u, dtype=float)
    d = DEFAULT_CLASS[kind]
    key = classes["reference_class"].astype(str) + ":" + classes["reference_group"].astype(str)
    for k in key.unique():  # one step per class (a handful), each over all its projects and draws
        rows = (key == k).to_numpy()
        cls, grp = k.split(":", 1)
        if cls == "default":
            out[rows] = np.exp(d["mu"] + d["sigma"] * ndtri(u[rows]))
        else:
            ref = reference if cls == "portfolio" else reference.loc[reference["department"].astype(str) == grp]
            out[rows] = _empirical_inverse(ref[col].to_numpy(dtype=float) + add, u[rows])
    return out


def class_quantiles(classes: pd.DataFrame, reference: pd.DataFrame, q: float, *, kind: str) -> np.ndarray:
    """The ``q`` quantile of each project's class ratio (:func:`sample_class` at one probability)."""
    u = np.full((len(classes), 1), q)
    return sample_class(classes, reference, u, kind=kind)[:, 0]


def optimism_uplift(proposed: pd.DataFrame, classes: pd.DataFrame, reference: pd.DataFrame) -> pd.DataFrame:
    """The optimism-bias uplift of proposed projects and their NPV at the uplifted cost.

    ``proposed`` has project_id, bac, npv and pv_cost (the present value of its planned costs,
    as its NPV discounts them); ``classes`` their :func:`reference_classes`. The P50 and P80
    uplifts are the class's cost ratios at 0.5 and 0.8, less 1; ``npv_p50`` and ``npv_p80`` the
    NPV with every planned cost raised by that uplift (``npv - uplift x pv_cost``), and
    ``budget_p50`` / ``budget_p80`` the budget raised by it.

    >>> prop = pd.DataFrame({"project_id": ["A"], "bac": [100.0], "npv": [50.0], "pv_cost": [90.0]})
    >>> cls = pd.DataFrame({"project_id": ["A"], "reference_class": ["portfolio"], "reference_group": [""],
    ...                     "reference_projects": [5]})
    >>> ref = pd.DataFrame({"cost_ratio": [1.0, 1.1, 1.2, 1.3, 1.4], "delay_ratio": 0.0, "department": "x"})
    >>> optimism_uplift(prop, cls, ref)[["uplift_p50", "uplift_p80", "npv_p50", "npv_p80"]].round(2).values.tolist()
    [[0.2, 0.32, 32.0, 21.2]]
    """
    p = proposed.merge(classes, on="project_id", how="left")
    out = p[["project_id", "reference_class", "reference_group", "reference_projects"]].copy()
    for q, name in ((0.5, "p50"), (0.8, "p80")):
        up = class_quantiles(p, reference, q, kind="cost") - 1
        out[f"uplift_{name}"] = up
        out[f"budget_{name}"] = p["bac"].to_numpy() * (1 + up)
        out[f"npv_{name}"] = p["npv"].to_numpy() - up * p["pv_cost"].to_numpy()
    return out
