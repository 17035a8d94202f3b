"""The scenarios report's data: the base run's model beside each scenario's, compared.

:func:`open_scenarios` gives a report the scenarios' models: those the run saved beside its model
(``model/scenarios/``), or, in JupyterLab, those built from the scenario files named by the
notebook's ``scenario_files`` parameter on the report's own data. :func:`compare` puts them side
by side in the tables the report draws (every figure from the models, every reason from
:mod:`pmo_analysis.analyses.scenarios`). :func:`scenarios_link` is the executive summary's link
to the scenarios report of a run that has scenarios.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import pandas as pd

from pmo_analysis.analyses.scenarios import capacity_gaps, cash_need_by_quarter, change_sentences, headline_changes
from pmo_analysis.core import formatting as fmt
from pmo_analysis.core.i18n import _
from pmo_analysis.inputs.portfolio import load_portfolio
from pmo_analysis.inputs.scenarios import read_scenario
from pmo_analysis.model import PortfolioModel, build_scenario_model, load_scenarios, scenario_changes
from pmo_analysis.reporting.report import Report

__all__ = ["Comparison", "open_scenarios", "compare", "headline_text", "scenarios_link", "SCENARIOS_REPORT"]

#: The notebook (and the HTML page of a run) of the scenarios report.
SCENARIOS_REPORT = "scenarios"


def open_scenarios(report: Report, files: str | None = None) -> dict[str, PortfolioModel]:
    """The scenarios' models for ``report``, by name: the run's (its ``model_dir``), else those of
    the comma-separated scenario ``files``, built on the report's data (loaded once); empty when
    there are none.
    """
    if report.P.model_dir is not None:
        return load_scenarios(report.P.model_dir)
    paths = [f.strip() for f in (files or "").split(",") if f.strip()]
    if not paths:
        return {}
    portfolio = load_portfolio(report.P.data_dir, as_of=report.M.as_of)
    models = [build_scenario_model(portfolio, read_scenario(f, portfolio), base=report.M) for f in paths]
    return {m.meta["scenario"]["name"]: m for m in models}


@dataclass
class Comparison:
    """The base beside each scenario: ``headline`` (one row per figure), ``changes`` (every
    decision that changes, with its sentence), ``cash`` and ``capacity`` (long tables with a
    ``scenario`` column, the base first), and the frontier of each model with its cap.
    """

    base: PortfolioModel
    scenarios: dict[str, PortfolioModel]
    headline: pd.DataFrame
    changes: pd.DataFrame
    cash: dict[str, pd.DataFrame]
    capacity: dict[str, pd.DataFrame]

    def frontiers(self) -> tuple[dict[str, pd.DataFrame], dict[str, float], dict[str, float]]:
        """The frontier, the budget cap and the value selected at it, of the base and each scenario."""
        models = {_("Base"): self.base} | self.scenarios
        fronts = {n: m.frontier for n, m in models.items() if m.has("frontier")}
        caps = {n: float(m.meta["budget_cap"]) for n, m in models.items() if m.meta.get("budget_cap") is not None}
        value = "score" if self.base.params.get("objective", "score") == "score" else "remaining_npv"
        chosen = {
            n: float(m.decisions.loc[m.decisions["funded"], value].sum())
            for n, m in models.items()
            if m.has("decisions")
        }
        return fronts, caps, chosen


#: The headline figures of the comparison, in words; money where the figure is an amount.
_FIGURES = {
    "portfolio_npv": ("Portfolio NPV", True),
    "remaining_npv": ("Remaining NPV", True),
    "budget_cap": ("Budget cap", True),
    "funded_need": ("Funded need", True),
    "cash_need_p50": ("Cash need of running projects, next four quarters, P50", True),
    "cash_need_p80": ("Cash need of running projects, next four quarters, P80", True),
    "off_track": ("Off-track projects", False),
    "delayed_projects": ("Projects delayed by a predecessor", False),
}


def headline_text(comparison: Comparison) -> pd.DataFrame:
    """The headline side by side as the report shows it: one row per figure, the base's value,
    then each scenario's value with its change (``$9.0M (-$2.2M)``); n/a where a model has not got it.
    """
    h = comparison.headline.set_index("figure")
    rows = []
    for key, (label, is_money) in _FIGURES.items():
        write = fmt.money if is_money else fmt.count
        row = {_("Figure"): _(label), _("Base"): write(h.loc[key, "base"])}
        for name in comparison.scenarios:
            change = h.loc[key, f"{name} change"]
            sign = "+" if change > 0 else ""
            row[name] = (
                f"{write(h.loc[key, name])} ({sign}{write(change)})" if pd.notna(change) else write(h.loc[key, name])
            )
        rows.append(row)
    return pd.DataFrame(rows)


def cash_range_text(comparison: Comparison) -> pd.DataFrame:
    """The running projects' cash need of each quarter the forecast covers, as a range: one row per
    quarter, then a column per model (the base first) reading ``P50 $2.1M / P80 $2.6M``, each model's
    own Monte Carlo (:func:`~pmo_analysis.analyses.scenarios.cash_need_by_quarter`); n/a where a
    model has no forecast.
    """
    quarters = sorted(
        {q for c in comparison.cash.values() if len(c) for q in c.loc[c["cash_need_p80"].notna(), "quarter"]}
    )
    out = pd.DataFrame({_("Quarter"): quarters})
    for name, cash in comparison.cash.items():
        c = cash.set_index("quarter").reindex(quarters)
        out[name] = [
            _("P50 {p50} / P80 {p80}", p50=fmt.money(p50), p80=fmt.money(p80))
            for p50, p80 in zip(c["cash_need_p50"], c["cash_need_p80"], strict=True)
        ]
    return out


def compare(base: PortfolioModel, scenarios: dict[str, PortfolioModel]) -> Comparison:
    """The base beside each scenario (see :class:`Comparison`), worded in the current language."""
    models = {_("Base"): base} | scenarios
    changes = scenario_changes(base, scenarios)
    changes["change"] = change_sentences(changes).to_numpy() if len(changes) else pd.Series(dtype=object)
    return Comparison(
        base=base,
        scenarios=scenarios,
        headline=headline_changes(base.tables, {n: m.tables for n, m in scenarios.items()}),
        changes=changes,
        cash={n: cash_need_by_quarter(m.tables, as_of=m.as_of) for n, m in models.items()},
        capacity={n: capacity_gaps(m.tables) for n, m in models.items() if m.has("capacity_by_role")},
    )


def scenarios_link(report: Report) -> str | None:
    """HTML of a note linking to the run's scenarios report, when the run has scenarios (else None)."""
    if report.P.model_dir is None:
        return None
    names = list(load_scenarios(report.P.model_dir))
    if not names:
        return None
    href = html.escape(f"{SCENARIOS_REPORT}.html")
    text = html.escape(_("What-if scenarios of this run: {names}", names=", ".join(names)))
    return f'<p class="pmo-note"><a href="{href}">{text}</a></p>'
