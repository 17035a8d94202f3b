"""Exploring scenarios in JupyterLab: sliders and pickers whose every change redraws, in place, the
selection, the efficient frontier, the capacity gap and the decisions that change.

:class:`ScenarioExplorer` builds a :class:`~pmo_analysis.inputs.scenarios.Scenario` from its
widgets and computes it with :class:`pmo_analysis.model.WhatIf`, the same path a scenario file
takes (:func:`~pmo_analysis.analyses.scenarios.apply_scenario`, then the model's own functions),
so what an analyst finds can be saved as a scenario file (the *Save* button writes its YAML) and
run with ``pmo-analysis run --scenario``.

>>> from pmo_analysis import load_portfolio
>>> from pmo_analysis.core.config import SAMPLE_DATA_DIR
>>> from pmo_analysis.model import build_model
>>> p = load_portfolio(SAMPLE_DATA_DIR, tables=["projects", "cashflows"])
>>> x = ScenarioExplorer(p, build_model(p, as_of="2026-06-30"))
>>> x.cap.value = round(x.cap.value * 0.8)
>>> x.scenario().params["budget_cap"] == x.cap.value, bool(x.last["decisions"]["funded"].any())
(True, True)
>>> len(x.frontier.value) > 0  # the chart, a PNG in an image widget
True
"""

from __future__ import annotations

import html
import io
import time
from pathlib import Path
from typing import Any

import ipywidgets as W
import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import display
from matplotlib.figure import Figure

from pmo_analysis.analyses.scenarios import change_sentences, decision_changes
from pmo_analysis.core import formatting as fmt
from pmo_analysis.core.i18n import _
from pmo_analysis.inputs.portfolio import Portfolio, load_portfolio
from pmo_analysis.inputs.scenarios import MAX_DELAY_MONTHS, Delay, Scenario, scenario_yaml
from pmo_analysis.model import PortfolioModel, WhatIf
from pmo_analysis.reporting import plots
from pmo_analysis.reporting.report import Report

__all__ = ["ScenarioExplorer", "explore"]

_NONE = "—"


class ScenarioExplorer:
    """Widgets over a loaded portfolio and its base model (see the module docstring).

        ``cap``, ``rate``, ``weights`` (alignment, value, risk), ``project``, ``delay`` and ``stop``
        are the inputs; ``summary``, ``changes``, ``frontier`` and ``capacity`` the outputs, redrawn on
        every change; ``seconds`` is how long the last redraw took (``cpu_seconds``: the processor time it
    used, which other work on the machine does not lengthen) and ``last`` its tables. ``save``
        writes the scenario's YAML to ``file``.
    """

    def __init__(self, portfolio: Portfolio, base: PortfolioModel) -> None:
        self.what_if = WhatIf(portfolio, base)
        self.base = base
        cap = float(base.meta["budget_cap"])
        need = float(
            base.decisions.loc[~base.decisions["decision"].isin(["stop", "reject", "closed"]), "funding_need"].sum()
        )
        p = base.params
        self.cap = W.FloatSlider(
            value=cap,
            min=0.0,
            max=max(need, cap) * 1.2,
            step=max(need, 1.0) / 200,
            description=_("Budget cap"),
            readout_format=",.0f",
            continuous_update=False,
            layout=W.Layout(width="520px"),
        )
        self.rate = W.FloatSlider(
            value=float(p["discount_rate"]),
            min=0.0,
            max=max(0.3, float(p["discount_rate"])),  # the base run's rate is always on the slider
            step=0.005,
            description=_("Discount rate"),
            readout_format=".1%",
            continuous_update=False,
        )
        self.weights = {
            k: W.FloatSlider(
                value=float(p[f"w_{k}"]),
                min=0.0,
                max=max(1.0, float(p[f"w_{k}"])),
                step=0.05,
                description=_(text),
                continuous_update=False,
            )
            for k, text in (("alignment", "Weight: alignment"), ("value", "Weight: value"), ("risk", "Weight: risk"))
        }
        open_ = base.projects.loc[base.projects["status"].isin(["proposed", "active", "on_hold"])]
        options = [(_NONE, "")] + [(f"{r.project_id} {r.name}", r.project_id) for r in open_.itertuples()]
        self.project = W.Dropdown(options=options, value="", description=_("Project"))
        self.delay = W.IntSlider(
            value=0, min=0, max=MAX_DELAY_MONTHS, description=_("Delay (months)"), continuous_update=False
        )
        self.stop = W.Checkbox(value=False, description=_("Stop it"))
        self.name = W.Text(value=_("What-if"), description=_("Name"))
        self.file = W.Text(value="scenarios/what-if.yml", description=_("File"))
        self.save_button = W.Button(description=_("Save scenario"), icon="save")
        self.saved = W.HTML()
        self.summary, self.changes = W.HTML(), W.HTML()
        self.frontier, self.capacity = W.Image(format="png"), W.Image(format="png")
        self.seconds = self.cpu_seconds = 0.0
        self.last: dict[str, pd.DataFrame] = {}
        self._drawn_capacity: pd.DataFrame | None = None
        self._frontier_figure: Figure | None = None
        self._frontier_key: tuple | None = None
        for w in (self.cap, self.rate, *self.weights.values(), self.project, self.delay, self.stop):
            w.observe(self._changed, names="value")
        self.save_button.on_click(lambda _button: self.save())
        self.update()

    # ------------------------------------------------------------------ the scenario of the widgets
    def scenario(self) -> Scenario:
        """The scenario the widgets say (the same object a scenario file is read into)."""
        params: dict[str, Any] = {"budget_cap": float(self.cap.value), "discount_rate": float(self.rate.value)}
        params |= {f"w_{k}": float(w.value) for k, w in self.weights.items()}
        if not any(params[f"w_{k}"] for k in self.weights):  # a score of nothing ranks nothing: keep the base's
            params |= {f"w_{k}": float(self.base.params[f"w_{k}"]) for k in self.weights}
        pid = self.project.value
        stop = bool(pid) and self.stop.value
        delays = (Delay(int(self.delay.value), project=pid),) if pid and self.delay.value and not stop else ()
        return Scenario(
            name=self.name.value.strip() or _("What-if"),
            source="widgets",
            params=params,
            delays=delays,
            cancel=(pid,) if stop else (),
        )

    def save(self) -> Path:
        """Write the scenario's YAML to the ``file`` widget's path; returns it."""
        path = Path(self.file.value)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(scenario_yaml(self.scenario()), encoding="utf-8")
        self.saved.value = html.escape(_("Saved as {file}", file=str(path)))
        return path

    # ------------------------------------------------------------------ redrawing
    def _changed(self, _change: dict) -> None:
        self.update()

    def update(self) -> None:
        """Recompute the scenario of the widgets and redraw every output in place."""
        started, cpu = time.perf_counter(), time.process_time()
        scenario = self.scenario()
        t = self.what_if.tables(scenario)
        self.last = t
        cap = float(t["assumptions"].loc[0, "budget_cap"])
        d = t["decisions"]
        funded = d.loc[d["funded"]]
        self.summary.value = html.escape(
            _(
                "{n} project(s) funded for {need} within the cap of {cap}",
                n=len(funded),
                need=fmt.money(funded["funding_need"].sum()),
                cap=fmt.money(cap),
            )
        )
        changes = decision_changes(
            self.base.tables,
            t,
            cap_before=float(self.base.meta["budget_cap"]),
            cap_after=cap,
            objective=str(t["assumptions"].loc[0, "objective"]),
            cancelled=scenario.cancel,
        )
        lines = change_sentences(changes)
        self.changes.value = (
            "<ul>" + "".join(f"<li>{html.escape(s)}</li>" for s in lines) + "</ul>"
            if len(lines)
            else html.escape(_("No decision changes in any scenario."))
        )
        objective = str(t["assumptions"].loc[0, "objective"])
        value = "score" if objective == "score" else "remaining_npv"
        self._draw_frontier(t["frontier"], cap, float(funded[value].sum()), scenario.name, objective)
        if "capacity_by_role" in t and t["capacity_by_role"] is not self._drawn_capacity:  # only when it moved
            gaps = {_("Base"): self.base.capacity_by_role, scenario.name: t["capacity_by_role"]}
            self._draw(self.capacity, plots.scenario_capacity(gaps))
            self._drawn_capacity = t["capacity_by_role"]
        self.seconds = time.perf_counter() - started
        self.cpu_seconds = time.process_time() - cpu

    def _draw_frontier(self, front: pd.DataFrame, cap: float, chosen: float, name: str, objective: str) -> None:
        """The base's frontier and the scenario's on one chart; the chart is drawn once per frontier
        and only its scenario's dot moves when the cap does (a redraw in a fraction of a second).
        """
        key = (id(front), name, objective)
        if self._frontier_figure is None or self._frontier_key != key:
            if self._frontier_figure is not None:
                plt.close(self._frontier_figure)
            base = self.base
            value = "score" if objective == "score" else "remaining_npv"
            fronts = {_("Base"): base.frontier, name: front}
            caps = {_("Base"): float(base.meta["budget_cap"]), name: cap}
            picks = {_("Base"): float(base.decisions.loc[base.decisions["funded"], value].sum()), name: chosen}
            self._frontier_figure = plots.scenario_frontiers(fronts, caps, picks, objective=objective)
            self._frontier_key = key
        else:
            ax = self._frontier_figure.axes[0]
            ax.collections[-1].set_offsets([[cap, chosen]])  # the scenario's dot, drawn last
        self.frontier.value = _png(self._frontier_figure)

    @staticmethod
    def _draw(image: W.Image, fig) -> None:
        """Put ``fig`` into ``image`` as a PNG (the widget is redrawn in place), and close it."""
        image.value = _png(fig)
        plt.close(fig)

    # ------------------------------------------------------------------ the layout
    def widget(self) -> W.Widget:
        """The whole explorer as one widget: the inputs above, the outputs below."""
        weights = W.HBox(list(self.weights.values()))
        project = W.HBox([self.project, self.delay, self.stop])
        save = W.HBox([self.name, self.file, self.save_button, self.saved])
        return W.VBox(
            [
                self.cap,
                self.rate,
                weights,
                project,
                save,
                self.summary,
                self.changes,
                W.HBox([self.frontier, self.capacity]),
            ]
        )

    def _ipython_display_(self) -> None:
        display(self.widget())


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=60)
    return buffer.getvalue()


def explore(report: Report) -> ScenarioExplorer:
    """The explorer of an open report (``open_report("explore_scenarios", globals())``): its data
    loaded again as the model was, and its model as the base.
    """
    portfolio = load_portfolio(
        report.P.data_dir,
        as_of=report.M.as_of,
        on_error="drop" if report.M.params.get("exclude_invalid") else "raise",
    )
    return ScenarioExplorer(portfolio, report.M)
