"""What every report notebook does first: read its parameters, open the portfolio model, say
what the reader must know before the figures (stale data, rows left out, the as-of date chosen),
and export tables.

A notebook calls ``R = open_report("portfolio_roi", globals())`` right after its parameters cell:

* ``R.P``: the validated parameters (the model's values for model parameters);
* ``R.M``: the :class:`~pmo_analysis.model.PortfolioModel`, read from ``model_dir`` when the report
  runner gives one (every report of a run reads the same model), else built from ``data_dir``;
* ``R.export(df, "name")``: writes ``<output_dir>/name.csv`` for leadership's spreadsheets (the
  run also gathers every exported table into ``report.xlsx``);
* ``R.end()``: the report's last words: the meaning of every abbreviation it showed.

It also sets the report's language and currency (parameters ``language`` and ``currency``) for
:mod:`pmo_analysis.core.i18n` and :mod:`pmo_analysis.core.formatting`, so ``_("...")`` and ``fmt.money`` read
in them from the next line on, and quiets what is not for a reader (font and library warnings).
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pandas as pd

from pmo_analysis.core import formatting
from pmo_analysis.core.exceptions import MissingTableError
from pmo_analysis.core.formatting import date
from pmo_analysis.core.i18n import _
from pmo_analysis.inputs.params import MODEL_PARAMS, declared, resolve_params
from pmo_analysis.inputs.portfolio import load_portfolio
from pmo_analysis.model import PortfolioModel, build_model, load_model
from pmo_analysis.reporting import plots
from pmo_analysis.reporting.display import abbreviations
from pmo_analysis.reporting.export import write_csv

__all__ = ["Report", "ReportNeedsTables", "open_report", "require_tables", "banners", "quiet"]


@dataclass
class Report:
    """An open report: parameters ``P``, model ``M`` and where its tables go."""

    name: str
    P: SimpleNamespace
    M: PortfolioModel

    def export(self, df: pd.DataFrame, name: str) -> None:
        """Write ``df`` as ``<output_dir>/<name>.csv`` (text cells neutralised against formula
        injection, so leadership can open it in a spreadsheet safely).
        """
        write_csv(df, Path(self.P.output_dir) / f"{name}.csv")

    def end(self) -> None:
        """Close the report: list the meaning of every abbreviation it showed, once."""
        abbreviations()


class ReportNeedsTables(MissingTableError):
    """A report opened on data without the tables it needs. A notebook shows it as its one
    sentence, without a traceback (IPython's ``_render_traceback_``).
    """

    def _render_traceback_(self) -> list[str]:
        return [str(self)]


def require_tables(model: PortfolioModel, name: str, data_dir) -> None:
    """Raise :class:`ReportNeedsTables` when report ``name`` needs tables that ``model``'s data does
    not hold (:data:`~pmo_analysis.inputs.schema.REPORT_TABLES`), naming them in one sentence.
    """
    missing = model.missing_for(name)
    if missing:
        raise ReportNeedsTables(
            _(
                "This report needs the table(s) {tables}, which the data in {folder} does not hold "
                "(see docs/data-dictionary.md).",
                tables=", ".join(missing),
                folder=str(data_dir or ""),
            )
        )


def open_report(name: str, namespace: dict[str, Any], *, show: bool = True) -> Report:
    """Validate the parameters of notebook ``name`` from ``namespace`` (its ``globals()``), apply
    the chart style, and open the portfolio model. Shows the banners of :func:`banners`.

    A report whose tables (:data:`~pmo_analysis.inputs.schema.REPORT_TABLES`) the data does not hold
    raises :class:`~pmo_analysis.core.exceptions.MissingTableError` saying which, in one line (a
    run does not start such a report: its index says it was not run, and why).
    """
    P = resolve_params(name, namespace)
    quiet()
    plots.use_style()
    formatting.use(currency=getattr(P, "currency", None), language=getattr(P, "language", "en"))
    if P.model_dir is not None:
        M = load_model(P.model_dir)
    else:
        given = {p.name: getattr(P, p.name) for p in declared(name) if p.name in MODEL_PARAMS}
        portfolio = load_portfolio(
            P.data_dir, as_of=P.as_of, on_error="drop" if given.get("exclude_invalid") else "raise"
        )
        M = build_model(portfolio, as_of=P.as_of, params=given)
    require_tables(M, name, P.data_dir)
    # the model's values are the run's values: a report never shows figures of other parameters
    for k, v in M.params.items():
        if hasattr(P, k):
            setattr(P, k, v)
    P.as_of = M.as_of.date()
    if show:
        from IPython.display import HTML, display

        for text in banners(M):
            display(HTML(text))
    return Report(name, P, M)


def quiet() -> None:
    """Keep library chatter out of the report: warnings and log lines go to no reader. A report
    says what a reader must know in its own words (banners, notes); a stack of pink stderr boxes
    from matplotlib, pandas or jieba is noise.
    """
    import logging
    import sys
    import warnings

    warnings.filterwarnings("ignore")
    for name in ("matplotlib", "matplotlib.font_manager", "jieba", "PIL", "fontTools"):
        logging.getLogger(name).setLevel(logging.ERROR)
    jieba = sys.modules.get("jieba")  # its import sets its own level: quieten it if loaded, never load it here
    if jieba is not None:
        jieba.setLogLevel(logging.ERROR)


_BANNER = (
    '<div class="pmo-banner pmo-{kind}" style="margin:8px 0 12px;padding:10px 14px;'
    'border-radius:6px;border:1px solid {border};background:{bg};color:#222">{text}</div>'
)
_KINDS = {"stale": ("#f9a825", "#fff4d6"), "info": ("#9fb7d0", "#eef3f8")}


def banners(model: PortfolioModel) -> list[str]:
    """HTML notices a reader must see before any figure: stale data (amber), rows left out of
    the run, and an as-of date taken from the data. Text is escaped.
    """
    out = []
    day = date(model.as_of)
    stale = model.stale
    if stale:
        accepted = bool(model.params.get("accept_stale"))
        head = _(
            "Stale data, accepted for this run"
            if accepted
            else "Stale data: figures after the data ends are plans, not actuals"
        )
        items = "".join(f"<li>{html.escape(s)}</li>" for s in stale)
        out.append(
            _BANNER.format(
                kind="stale",
                border=_KINDS["stale"][0],
                bg=_KINDS["stale"][1],
                text=f"<strong>{html.escape(head)}</strong> "
                f"({html.escape(_('as of {date}', date=day))})"
                f":<ul style='margin:4px 0 0'>{items}</ul>",
            )
        )
    before = model.meta["freshness"].get("before_data")
    if before:
        out.append(
            _BANNER.format(
                kind="info",
                border=_KINDS["info"][0],
                bg=_KINDS["info"][1],
                text=f"<strong>{html.escape(_('As of {date}', date=day))}, {html.escape(before)}"
                f"</strong>: "
                + html.escape(
                    _(
                        "nothing has been reported yet, every figure is the plan, and project "
                        "statuses are those the data records today."
                    )
                ),
            )
        )
    n = int(model.meta.get("excluded_rows", 0))
    if n:
        dq = model.data_quality
        rows = dq[["table", "row"]].drop_duplicates()
        tables = ", ".join(f"{t}: {c:,}" for t, c in rows["table"].value_counts().sort_index().items())
        out.append(
            _BANNER.format(
                kind="info",
                border=_KINDS["info"][0],
                bg=_KINDS["info"][1],
                text="<strong>"
                + html.escape(_("{n} invalid row(s) left out of this run", n=f"{n:,}"))
                + f"</strong> ({html.escape(tables)}); "
                + html.escape(_("each is listed under \u201cData quality\u201d at the end of this report.")),
            )
        )
    if model.meta.get("as_of_source") == "data":
        out.append(
            _BANNER.format(
                kind="info",
                border=_KINDS["info"][0],
                bg=_KINDS["info"][1],
                text=html.escape(
                    _(
                        "As of {date}: the end of the last complete month the data covers (no report date was given).",
                        date=day,
                    )
                ),
            )
        )
    return out
