r"""Charts: each function turns a tidy frame from an analysis module into a matplotlib Figure.

The style is defined in one place (:func:`style`) and applied to each chart as it is drawn,
never to matplotlib's global settings; it also picks a font with Chinese glyphs so project names
and lesson text in Chinese render as characters, not boxes. Figures are returned, never shown or
saved here; :func:`save` writes a PNG and closes the figure.

Text in a chart is literal: a project called ``Cost $5 to $7`` or ``$\\frac{1}{2}$`` is printed as
typed, never read as matplotlib mathtext (which would turn it into formulas, or fail the whole
report on a name such as ``Fix $\\x$``). Every chart function draws with mathtext off, whatever
the global settings (see :func:`pmo_analysis.reporting.plots._style.literal_text`).

One module per report, named by what it draws; this front door re-exports every chart:

- :mod:`~pmo_analysis.reporting.plots.roi`: portfolio ROI (and the department pages' CPI/SPI quadrant)
- :mod:`~pmo_analysis.reporting.plots.utilization`: resource utilization
- :mod:`~pmo_analysis.reporting.plots.lessons`: lessons learned
- :mod:`~pmo_analysis.reporting.plots.delivery`: portfolio delivery
- :mod:`~pmo_analysis.reporting.plots.summary`: executive summary
- :mod:`~pmo_analysis.reporting.plots.project`: a project's page
- :mod:`~pmo_analysis.reporting.plots.scenarios`: what-if scenarios beside the base
- :mod:`~pmo_analysis.reporting.plots.forecast`: the forecasts' fan charts (a project's page, the ROI report)

and what every chart uses, in private modules: ``_style`` (fonts, style, saving), ``_axes`` (money
and month axes, short labels, legends), ``_labels`` (labels beside points), ``_heatmap``.
"""

from __future__ import annotations

from pmo_analysis.reporting.plots._axes import money
from pmo_analysis.reporting.plots._style import (
    SAVE_OPTIONS,
    SEABORN_WHITEGRID_NOTEBOOK,
    bold,
    cjk_font,
    png,
    save,
    style,
    use_style,
)
from pmo_analysis.reporting.plots.delivery import dependency_network, milestone_trend, risk_heatmap, roadmap
from pmo_analysis.reporting.plots.forecast import finish_p80_words, portfolio_fans, project_fan
from pmo_analysis.reporting.plots.lessons import (
    lessons_by_category,
    lessons_trend,
    open_actions_by_owner,
    recurring_themes,
    went_well,
)
from pmo_analysis.reporting.plots.project import project_curves
from pmo_analysis.reporting.plots.roi import cpi_spi_quadrant, frontier, j_curve, kpi_bars, npv_ranked, value_vs_risk
from pmo_analysis.reporting.plots.scenarios import scenario_capacity, scenario_cash_need, scenario_frontiers
from pmo_analysis.reporting.plots.summary import headline_trend, sparkline
from pmo_analysis.reporting.plots.utilization import (
    capacity_vs_demand,
    overallocation_bars,
    plan_vs_actual,
    time_split,
    utilization_heatmap,
    utilization_trend,
)

__all__ = [
    "scenario_frontiers",
    "scenario_capacity",
    "scenario_cash_need",
    "project_fan",
    "portfolio_fans",
    "finish_p80_words",
    "use_style",
    "style",
    "cjk_font",
    "bold",
    "save",
    "png",
    "SAVE_OPTIONS",
    "SEABORN_WHITEGRID_NOTEBOOK",
    "money",
    "npv_ranked",
    "value_vs_risk",
    "j_curve",
    "project_curves",
    "cpi_spi_quadrant",
    "frontier",
    "kpi_bars",
    "utilization_trend",
    "utilization_heatmap",
    "overallocation_bars",
    "capacity_vs_demand",
    "plan_vs_actual",
    "time_split",
    "lessons_by_category",
    "lessons_trend",
    "recurring_themes",
    "open_actions_by_owner",
    "went_well",
    "headline_trend",
    "sparkline",
    "dependency_network",
    "milestone_trend",
    "risk_heatmap",
    "roadmap",
]
