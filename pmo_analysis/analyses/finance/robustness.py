"""Decision robustness: what would flip each decision, and whether that lies within a plausible
range.

For every open project with a value (stop, reject, re-scope, re-plan, fund, continue, defer):

break_even_rate, break_even_rates
    The remaining net flows (the months after the last complete month, as ``remaining_npv``
    counts them) have a remaining NPV of zero at ``break_even_rates`` annual rates between -99%
    and 1,000,000%, found exactly as :func:`~pmo_analysis.analyses.finance.irr_roots` finds IRR
    roots (the NPV's sign, hence the rules' judgement, is the same whatever day the flows are
    discounted to, so these are the IRR roots of the remaining flows). ``break_even_rate`` is the
    one nearest the run's discount rate: moving the rate past it flips the sign of the remaining
    NPV. With one root it is the IRR of the remaining flows, and for a project not yet started
    (every flow still ahead) the project's IRR; with several the IRR is not unique and the count
    says so; with none (the remaining flows never change sign, or there are none) it is empty and
    ``robustness_na`` says why. The sentence states a break-even rate above
    :data:`pmo_analysis.core.config.BREAK_EVEN_RATE_BOUND` (100% a year) without the figure: "holds
    at any discount rate up to 100% a year" (the column keeps the figure), and one below zero as
    "holds at any discount rate of 0% or more" (no plausible rate flips it).
cost_change_to_flip, benefit_change_to_flip
    With PVC and PVB the remaining costs and benefits discounted as ``remaining_npv`` is, a change
    of every remaining cost by a share x gives ``remaining_npv - x * PVC``, zero at
    ``x = remaining_npv / PVC``: positive, the overrun at which a positive remaining NPV turns
    negative; negative, the cost reduction at which a negative one turns positive (empty without
    remaining cost). ``benefit_change_to_flip = -remaining_npv / PVB``: the rise of the remaining
    benefits at which a negative remaining NPV turns positive (given for a negative one only;
    empty without remaining benefit).
p80_cost_uplift, fragile
    The overrun at the 80th percentile of final cost over forecast cost: per project where a
    forecast gives it, else :data:`pmo_analysis.core.config.P80_COST_UPLIFT` (the forecast's
    published default class at 0.8: +84%). A decision is
    *fragile* when a cost outcome between the forecast and its P80 flips it: its remaining NPV is
    >= 0 and ``cost_change_to_flip <= p80_cost_uplift``. A negative remaining NPV is not made
    positive by any overrun, and reference classes show IT costs rarely land below the estimate,
    so such a decision is not fragile by cost (its rate and budget flips are still given).
budget_change_to_flip
    For a candidate of the budget selection (not stopped, value known): the change of the budget
    cap that flips its selection, signed (+ rise funds a deferred project, - fall drops a funded
    one). Method (the structure of the knapsack, not a search): candidates are put in order of
    value per unit of funding need (Dantzig's order; no need first), and K_j is the need of the
    first j of them. At a budget equal to some K_j the relaxed knapsack's optimum takes those j
    projects whole, so it is the 0/1 optimum too: the selection there is certain. A deferred
    project is funded at the first such budget at or above the cap that includes it; a funded one
    is dropped below the last such budget at or below the cap that leaves it out, or below its own
    need if that is more.
    These are budgets at which the flip is certain; the exact selection may flip a little nearer,
    where the packing of the projects at the margin allows. Empty for a project with no positive
    value (no budget funds it) or no funding need (every budget funds it).
weight_to_flip, weight_from, weight_to
    With the priority score as objective, the one weight (``w_alignment``, ``w_value`` or
    ``w_risk``, the others unchanged) whose smallest change flips the project's place in the
    funding order at the run's cap: in the order by score per unit of need, a project is funded
    when the need of the projects before it and its own fits the cap. Each weight is searched on
    101 values from 0 to the sum of the three weights (every value at once: one sort per value,
    vectorized), and the nearest value at which the place flips is given, to within one step
    (1% of the sum). A project the exact selection funds or defers against that order (packing
    at the margin) is marked ``at_margin`` instead; a project no weight in range flips has them
    empty.
robustness
    The above in one sentence in the report language, reasons worded by
    :mod:`pmo_analysis.core.wording`.

Definitions and sources are in ``docs/definitions.md`` ("Decision robustness").
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pmo_analysis.analyses.finance.irr import _vector_irr
from pmo_analysis.core.config import BREAK_EVEN_RATE_BOUND, P80_COST_UPLIFT
from pmo_analysis.core.periods import last_complete_month, years_after
from pmo_analysis.core.wording import Reason, word

__all__ = ["ROBUSTNESS_COLUMNS", "WEIGHTS", "decision_robustness", "remaining_values", "budget_flips", "weight_flips"]

#: Columns :func:`decision_robustness` adds, in order (the end of ``decisions.csv``).
ROBUSTNESS_COLUMNS = [
    "break_even_rate",
    "break_even_rates",
    "cost_change_to_flip",
    "benefit_change_to_flip",
    "p80_cost_uplift",
    "fragile",
    "budget_change_to_flip",
    "weight_to_flip",
    "weight_from",
    "weight_to",
    "robustness_na",
    "robustness",
]

#: The priority score's weights, in the order of its components (c_alignment, c_value, c_risk).
WEIGHTS = ("w_alignment", "w_value", "w_risk")
_COMPONENTS = ("c_alignment", "c_value", "c_risk")
#: Weight values searched per weight (0 to the sum of the weights, in steps of 1% of it).
_GRID = 101
_JUDGED = ("stop", "reject", "re-scope", "re-plan", "fund", "continue", "defer")
_COMPETING = ("re-scope", "re-plan", "fund", "continue", "defer")


def remaining_values(forecast: pd.DataFrame, *, as_of, discount_rate: float) -> pd.DataFrame:
    """The remaining flows of each project, discounted to as_of as ``remaining_npv`` is: pv_cost
    and pv_benefit of the months after the last complete month, their difference remaining_npv,
    and the break-even rate (the root of their NPV nearest ``discount_rate``) with the number of
    roots. ``forecast`` is :func:`~pmo_analysis.analyses.finance.forecast_cashflows`.

    >>> f = pd.DataFrame({"project_id": ["A"] * 3, "period": pd.to_datetime(["2027-01-01", "2028-01-01", "2029-01-01"]),
    ...                   "cost": [100.0, 0.0, 0.0], "benefit": [0.0, 60.0, 60.0]})
    >>> f["net"] = f["benefit"] - f["cost"]
    >>> r = remaining_values(f, as_of="2026-06-30", discount_rate=0.08).iloc[0]
    >>> round(float(r["break_even_rate"]), 4), int(r["break_even_rates"])
    (0.1305, 1)
    """
    last = last_complete_month(as_of)
    f = forecast.loc[forecast["period"] > last, ["project_id", "period", "cost", "benefit", "net"]]
    if not f["project_id"].is_monotonic_increasing:  # forecast_cashflows sorts them already
        f = f.sort_values(["project_id", "period"], kind="stable")
    t = years_after(f["period"], pd.Timestamp(as_of).normalize())
    disc = (1.0 + discount_rate) ** t
    codes, uniques = pd.factorize(f["project_id"], sort=True)
    n = len(uniques)
    out = pd.DataFrame(index=pd.Index(uniques, name="project_id"))
    out["pv_cost"] = np.bincount(codes, weights=f["cost"].to_numpy(dtype=float) / disc, minlength=n)
    out["pv_benefit"] = np.bincount(codes, weights=f["benefit"].to_numpy(dtype=float) / disc, minlength=n)
    out["remaining_npv"] = out["pv_benefit"] - out["pv_cost"]
    # the roots do not depend on the day discounted to: each project's flows are timed from its first
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]]) if len(codes) else np.zeros(0, dtype=int)
    first = t[starts][codes] if n else t  # rows are sorted by project and period
    roots = _vector_irr(
        pd.DataFrame({"project_id": f["project_id"].to_numpy(), "t": t - first, "net": f["net"].to_numpy()}),
        guess=discount_rate,
    )
    out["break_even_rate"] = roots["irr"].reindex(out.index)
    out["break_even_rates"] = roots["irr_roots"].reindex(out.index).fillna(0).astype(int)
    return out.reset_index()


def _order(values: np.ndarray, need: np.ndarray) -> np.ndarray:
    """Indices of the items of positive value in Dantzig's order: no need first, then value per
    need, best first (stable).
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(need > 0, values / np.where(need > 0, need, 1.0), np.inf)
    ratio = np.where(values > 0, ratio, -np.inf)
    return np.argsort(-ratio, kind="stable")


def budget_flips(values: np.ndarray, need: np.ndarray, funded: np.ndarray, cap: float) -> np.ndarray:
    """The signed change of the budget cap that flips each item's selection (see the module
    docstring): + for a deferred item, - for a funded one; nan for an item of no positive value
    or no need.

    >>> v, c = np.array([12.0, 9.5, 9.0]), np.array([6.0, 5.0, 5.0])
    >>> budget_flips(v, c, np.array([False, True, True]), 10.0).tolist()  # B + C beat A at 10
    [1.0, -4.0, -4.0]
    >>> budget_flips(v, c, np.array([True, True, False]), 11.0).tolist()  # A out below its need, B at 6
    [-5.0, -5.0, 5.0]
    """
    n = len(values)
    out = np.full(n, np.nan)
    order = _order(values, need)
    positive = values[order] > 0
    order = order[positive]
    if not len(order):
        return out
    k = np.cumsum(need[order])
    pos = np.empty(n, dtype=int)
    pos[order] = np.arange(len(order))
    idx = order[need[order] > 0]
    p = pos[idx]
    first_at_or_above = int(np.searchsorted(k, cap * (1 - 1e-12), side="left"))
    fitting = int(np.searchsorted(k, cap * (1 + 1e-12), side="right"))
    deferred = ~funded[idx]
    j_up = np.minimum(np.maximum(p, first_at_or_above), len(k) - 1)
    j_down = np.minimum(p, fitting) - 1
    # below its own need no budget funds it, whatever the order
    below = np.maximum(np.where(j_down >= 0, k[np.maximum(j_down, 0)], 0.0), need[idx])
    out[idx] = np.where(deferred, np.maximum(k[j_up] - cap, 0.0), -(cap - below))
    return out


def _prefix_funded(values: np.ndarray, need: np.ndarray, cap: float) -> np.ndarray:
    """Rows of ``values`` (grid x items): whether each item is funded by Dantzig's order at
    ``cap`` (the need of the items before it and its own fits), all rows at once.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(need > 0, values / np.where(need > 0, need, 1.0), np.inf)
    ratio = np.where(values > 0, ratio, -np.inf)
    order = np.argsort(-ratio, axis=1)  # ties in score per need are rare: the fastest sort
    k = np.cumsum(need[order], axis=1)
    fits = (k <= cap * (1 + 1e-12)) & (np.take_along_axis(values, order, axis=1) > 0)
    out = np.empty_like(fits)
    np.put_along_axis(out, order, fits, axis=1)
    return out


def weight_flips(
    components: np.ndarray, weights: np.ndarray, need: np.ndarray, funded: np.ndarray, cap: float
) -> pd.DataFrame:
    """For each item, the one weight whose smallest change flips its place in the funding order at
    ``cap`` (see the module docstring): weight (its index in ``weights``, -1 for none), weight_from,
    weight_to, at_margin (the selection funds or defers it against the order at the run's weights).

    ``components`` is items x weights (0-1), the score ``components @ weights`` up to a positive
    factor, which changes no order.

    >>> comp = np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> w = weight_flips(comp, np.array([0.5, 0.5]), np.array([1.0, 1.0]), np.array([True, False]), 1.0)
    >>> w["weight"].tolist(), w["weight_to"].round(3).tolist()  # A ahead while its weight is >= 0.5
    ([0, 0], [0.49, 0.49])
    """
    n, m = components.shape
    total = float(weights.sum())
    grid = np.linspace(0.0, total, _GRID)
    now = _prefix_funded((components @ weights)[None, :], need, cap)[0]
    best = np.full(n, np.inf)
    which = np.full(n, -1)
    to = np.full(n, np.nan)
    for w in range(m):
        trial = np.repeat(weights[None, :], _GRID, axis=0)
        trial[:, w] = grid
        ok = trial.sum(axis=1) > 0
        status = _prefix_funded(trial[ok] @ components.T, need, cap)
        flipped = status != now[None, :]
        dist = np.where(flipped, np.abs(grid[ok] - weights[w])[:, None], np.inf)
        g = np.argmin(dist, axis=0)
        d = dist[g, np.arange(n)]
        better = d < best
        best, which, to = np.where(better, d, best), np.where(better, w, which), np.where(better, grid[ok][g], to)
    at_margin = now != funded
    which = np.where(at_margin, -1, which)
    to = np.where(at_margin, np.nan, to)
    frm = np.where(which >= 0, weights[np.maximum(which, 0)], np.nan)
    return pd.DataFrame({"weight": which, "weight_from": frm, "weight_to": to, "at_margin": at_margin})


def decision_robustness(
    decisions: pd.DataFrame,
    scored: pd.DataFrame,
    forecast: pd.DataFrame,
    *,
    as_of,
    discount_rate: float,
    budget_cap: float,
    objective: str = "score",
    weights: dict[str, float] | None = None,
    p80_cost_uplift: float | pd.Series = P80_COST_UPLIFT,
) -> pd.DataFrame:
    """What flips each decision (see the module docstring): :data:`ROBUSTNESS_COLUMNS` for every
    row of ``decisions`` (project_id first, in its order).

    Parameters
    ----------
    decisions : DataFrame
        The first result of :func:`~pmo_analysis.analyses.finance.decide`.
    scored : DataFrame
        What was given to ``decide``: :func:`~pmo_analysis.analyses.finance.priority_scores` of the
        projects (its c_alignment, c_value and c_risk components).
    forecast : DataFrame
        :func:`~pmo_analysis.analyses.finance.forecast_cashflows` at ``as_of``.
    budget_cap : float
        The cap the selection used (the second result of ``decide``).
    weights : dict, optional
        The score's weights (:data:`WEIGHTS`); the default 0.4, 0.4, 0.2.
    p80_cost_uplift : float or Series
        The P80 overrun: one for every project, or a Series by project_id (a forecast's own; a
        project it lacks takes :data:`pmo_analysis.core.config.P80_COST_UPLIFT`).

    Examples
    --------
    >>> from pmo_analysis import load_portfolio
    >>> from pmo_analysis.analyses import finance as F
    >>> from pmo_analysis.core.config import SAMPLE_DATA_DIR
    >>> p = load_portfolio(SAMPLE_DATA_DIR)
    >>> flows = F.forecast_cashflows(p.cashflows, as_of="2026-06-30")
    >>> scored = F.priority_scores(F.roi_by_project(p.projects, p.cashflows, as_of="2026-06-30", forecast=flows),
    ...                            value="remaining_npv")
    >>> d, cap = F.decide(scored)
    >>> r = decision_robustness(d, scored, flows, as_of="2026-06-30", discount_rate=0.08, budget_cap=cap)
    >>> print(r.set_index("project_id").loc["PRJ-020", "robustness"])  # doctest: +NORMALIZE_WHITESPACE
    Stop holds at any discount rate of 0% or more; would turn positive if remaining costs fell by 73%
    or its benefits rose by 270%
    """
    w = dict(zip(WEIGHTS, (0.4, 0.4, 0.2), strict=True)) | dict(weights or {})
    d = decisions[["project_id", "status", "decision", "funded", "funding_need"]].reset_index(drop=True)
    index = d.index
    # every project's remaining flows (a closed one's are not read): cheaper than picking the open
    # ones out of millions of project-months by id
    rest = remaining_values(forecast, as_of=as_of, discount_rate=discount_rate).set_index("project_id")
    npv = d["project_id"].map(decisions.set_index("project_id")["remaining_npv"]).astype(float)
    pvc = d["project_id"].map(rest["pv_cost"]).astype(float)
    pvb = d["project_id"].map(rest["pv_benefit"]).astype(float)
    judged = d["decision"].isin(_JUDGED) & npv.notna()
    out = pd.DataFrame({"project_id": d["project_id"]}, index=index)
    out["break_even_rate"] = d["project_id"].map(rest["break_even_rate"]).where(judged)
    out["break_even_rates"] = d["project_id"].map(rest["break_even_rates"]).where(judged).astype("Int64")
    out["cost_change_to_flip"] = (npv / pvc.where(pvc > 0)).where(judged)
    out["benefit_change_to_flip"] = (-npv / pvb.where(pvb > 0)).where(judged & (npv < 0))
    uplift = (
        d["project_id"].map(p80_cost_uplift).fillna(P80_COST_UPLIFT)
        if isinstance(p80_cost_uplift, pd.Series)
        else pd.Series(float(p80_cost_uplift), index=index)
    ).astype(float)
    out["p80_cost_uplift"] = uplift.where(judged)
    out["fragile"] = (judged & (npv >= 0) & (out["cost_change_to_flip"] <= uplift)).astype(bool)
    # the budget selection's candidates: its flips by the cap and by the weights
    cand = d["decision"].isin(_COMPETING) & npv.notna()
    col = "score" if objective == "score" else "remaining_npv"
    s = scored.set_index("project_id")
    values = np.clip(d["project_id"].map(s[col]).astype(float).fillna(0.0).to_numpy(), 0.0, None)
    need = d["funding_need"].astype(float).to_numpy()
    funded = d["funded"].astype(bool).to_numpy()
    ci = np.flatnonzero(cand.to_numpy())
    out["budget_change_to_flip"] = np.nan
    out.loc[ci, "budget_change_to_flip"] = budget_flips(values[ci], need[ci], funded[ci], float(budget_cap))
    out["weight_to_flip"], out["weight_from"], out["weight_to"] = "", np.nan, np.nan
    margin = np.zeros(len(index), dtype=bool)
    if objective == "score" and len(ci):
        comp = np.column_stack([d["project_id"].map(s[c]).astype(float).to_numpy()[ci] for c in _COMPONENTS])
        wf = weight_flips(comp, np.array([w[k] for k in WEIGHTS], dtype=float), need[ci], funded[ci], budget_cap)
        names = np.array([*WEIGHTS, ""], dtype=object)
        out.loc[ci, "weight_to_flip"] = names[wf["weight"].to_numpy()]
        out.loc[ci, "weight_from"] = wf["weight_from"].to_numpy()
        out.loc[ci, "weight_to"] = wf["weight_to"].to_numpy()
        margin[ci] = wf["at_margin"].to_numpy()
    if "total_cost" in s.columns:  # roi_by_project: empty for a project without cash flows
        has_flows = d["project_id"].map(s["total_cost"]).notna()
    else:
        has_flows = d["project_id"].isin(pd.unique(forecast["project_id"]))
    out["robustness_na"] = _na_codes(d, npv, rest, has_flows)
    out["robustness"] = _sentence(d, out, npv, judged, cand, pd.Series(margin, index=index), discount_rate, objective)
    return out[["project_id", *ROBUSTNESS_COLUMNS]]


def _na_codes(d: pd.DataFrame, npv: pd.Series, rest: pd.DataFrame, has_flows: pd.Series) -> pd.Series:
    """Why the break-even rate is empty, as a code: no_cashflows, no_benefits (value unknown),
    no_remaining_flows (nothing after the last complete month), no_sign_change (the remaining
    flows never change sign); "" where it is given, or where nothing is judged (closed).
    """
    open_ = d["decision"].isin((*_JUDGED, "data needed"))
    has_rest = d["project_id"].isin(rest.index[(rest["pv_cost"] != 0) | (rest["pv_benefit"] != 0)])
    roots = d["project_id"].map(rest["break_even_rates"]).fillna(0)
    code = np.select(
        [
            ~open_,
            ~has_flows,
            npv.isna(),
            ~has_rest,
            roots == 0,
        ],
        ["", "no_cashflows", "no_benefits", "no_remaining_flows", "no_sign_change"],
        "",
    )
    return pd.Series(code, index=d.index, dtype="str")


def _sentence(
    d: pd.DataFrame,
    r: pd.DataFrame,
    npv: pd.Series,
    judged: pd.Series,
    cand: pd.Series,
    margin: pd.Series,
    rate: float,
    objective: str,
) -> pd.Series:
    """The robustness of each decision in one sentence, in the report language."""
    be = r["break_even_rate"]
    neg, pos = judged & (npv < 0), judged & (npv >= 0)
    below, above = be < rate, be >= rate
    huge = be > BREAK_EVEN_RATE_BOUND  # worded without the figure: "at any discount rate up to 100%"
    # a break-even rate below zero is worded without the figure too: no plausible rate flips it
    cost = r["cost_change_to_flip"]
    budget = r["budget_change_to_flip"]
    has_w = r["weight_to_flip"] != ""
    funded = d["funded"].astype(bool)
    weight = r["weight_to_flip"].where(has_w, "w_alignment")
    na = r["robustness_na"]
    score = objective == "score"
    return _joined(
        d.index,
        (neg & below & (be >= 0), "robust_stays_below", {"decision": d["decision"], "rate": be}),
        (neg & below & (be < 0), "robust_holds_any_positive_rate", {"decision": d["decision"]}),
        (neg & above & ~huge, "robust_stays_above", {"decision": d["decision"], "rate": be}),
        (neg & huge, "robust_holds_any_rate", {"decision": d["decision"], "bound": BREAK_EVEN_RATE_BOUND}),
        (pos & above & ~huge, "robust_negative_above", {"rate": be}),
        (pos & huge, "robust_positive_any_rate", {"bound": BREAK_EVEN_RATE_BOUND}),
        (pos & below & (be >= 0), "robust_negative_below", {"rate": be}),
        (pos & below & (be < 0), "robust_positive_any_positive_rate", {}),
        (judged & (r["break_even_rates"] > 1), "robust_several_rates", {"n": r["break_even_rates"]}),
        (judged & na.isin(("no_sign_change", "no_remaining_flows")), "robust_no_rate", {}),
        (pos & cost.notna() & r["fragile"], "robust_overrun_fragile", {"share": cost, "p80": r["p80_cost_uplift"]}),
        (pos & cost.notna() & ~r["fragile"], "robust_overrun", {"share": cost, "p80": r["p80_cost_uplift"]}),
        (pos & cost.isna(), "robust_no_remaining_cost", {}),
        (
            neg & cost.notna() & r["benefit_change_to_flip"].notna(),
            "robust_reduction",
            {"cost": -cost, "benefit": r["benefit_change_to_flip"]},
        ),
        (neg & cost.notna() & r["benefit_change_to_flip"].isna(), "robust_reduction_cost", {"cost": -cost}),
        (cand & (budget > 0), "robust_cap_rise", {"money": budget}),
        (cand & (budget < 0), "robust_cap_fall", {"money": -budget}),
        (cand & margin, "robust_at_margin", {}),
        (
            cand & has_w & ~funded,
            "robust_weight_funds",
            {"weight": weight, "old": r["weight_from"], "new": r["weight_to"]},
        ),
        (
            cand & has_w & funded,
            "robust_weight_drops",
            {"weight": weight, "old": r["weight_from"], "new": r["weight_to"]},
        ),
        (cand & ~has_w & ~margin & score, "robust_weights_hold", {}),
        (na.isin(("no_benefits", "no_cashflows")), "robust_na", {"reason": na}),
    )


def _joined(index: pd.Index, *parts: tuple[pd.Series, str, dict]) -> pd.Series:
    """For each row, the reasons whose mask is true, in order, joined as
    :func:`pmo_analysis.core.wording.join` joins them; each reason is worded for its own rows only
    (ten thousand projects: words for the few rows a reason applies to, not for every row).
    """
    out = np.full(len(index), "", dtype=object)
    sep = word(Reason("reasons_separator"))
    for mask, code, fields in parts:
        m = mask.fillna(False).astype(bool).to_numpy() if isinstance(mask, pd.Series) else np.full(len(index), mask)
        pos = np.flatnonzero(m)
        if not len(pos):
            continue
        sub = {k: (v.iloc[pos] if isinstance(v, pd.Series) else v) for k, v in fields.items()}
        text = word(Reason(code, **sub))
        text = text.to_numpy(dtype=object) if isinstance(text, pd.Series) else np.full(len(pos), text, dtype=object)
        cur = out[pos]
        out[pos] = np.where(cur == "", text, cur + sep + text)
    return pd.Series(out, index=index, dtype="str")
