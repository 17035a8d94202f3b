"""Tiered reporting: a one-page report for each project a run chooses, and a page per department.

Choosing
    :func:`parse_projects` reads the ``--projects`` option (``running``, the default; ``off-track``;
    ``all``; ``none``; or a comma-separated list of project ids) and :func:`select_projects` applies
    it to the model's projects table. :func:`plan_pages` names every page of the run; the runner
    writes that plan as ``pages.json`` before any notebook starts, so the portfolio reports link
    to exactly the pages that will exist (:mod:`pmo_analysis.reporting.links`).
Project pages
    ``notebooks/project_report.ipynb``, parameterized by ``project_id``, reads the run's model and
    selects that project's rows (:func:`open_project`, :class:`ProjectPage`); it computes nothing
    the model does not already hold. :func:`render_project_pages` executes it for every chosen
    project with nbclient in one Jupyter kernel per worker, kept alive for all the pages that
    worker renders: the model is read once per worker (:func:`open_project` keeps it), only the
    parameters change from page to page, and each executed page is exported with one
    ``HTMLExporter`` per worker (no code, the report template). A kernel per page would spend
    seconds starting Python and reading the model for each page.
Failures
    A page that fails is still written, with the red banner of the report template saying why,
    and is listed as failed; a kernel that dies or times out is replaced for the next page. A
    failed page never stops the portfolio reports (the run is ``partial``).
Department pages
    Rendered from the model with a Jinja template (``templates/department_page.html.j2``): the
    department's portfolio figures (the model's ``by_department`` row), its projects with their
    health and links, and its people's utilization over the complete months.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import html
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pandas as pd
from markupsafe import Markup

from pmo_analysis.core import formatting
from pmo_analysis.core import formatting as fmt
from pmo_analysis.core.exceptions import NotebookError, ParameterError
from pmo_analysis.core.i18n import _, label
from pmo_analysis.core.i18n import current as current_language
from pmo_analysis.inputs.params import resolve_params
from pmo_analysis.reporting.links import link_projects, page_path, read_pages, run_folder
from pmo_analysis.runs.publish import page_templates

__all__ = [
    "PROJECT_CHOICES",
    "PAGE_NOTEBOOK",
    "parse_projects",
    "select_projects",
    "plan_pages",
    "PageResult",
    "ProjectPage",
    "open_project",
    "project_tiles",
    "project_notes",
    "project_delivery",
    "delivery_tables",
    "DELIVERY_COLUMNS",
    "project_overallocations",
    "render_project_pages",
    "render_department_pages",
    "page_title",
]

#: The choices of ``--projects`` besides a list of ids.
PROJECT_CHOICES = ("running", "off-track", "all", "none")
#: The notebook a project page is rendered from.
PAGE_NOTEBOOK = "project_report"


# --------------------------------------------------------------------------- choosing pages
def parse_projects(value: Any, *, where: str = "--projects") -> str | tuple[str, ...]:
    """The ``--projects`` option as one of :data:`PROJECT_CHOICES`, or a tuple of project ids.

    Examples
    --------
    >>> parse_projects("off-track"), parse_projects(" PRJ-001, PRJ-007 "), parse_projects(["PRJ-3"])
    ('off-track', ('PRJ-001', 'PRJ-007'), ('PRJ-3',))
    >>> try:
    ...     parse_projects("")
    ... except ParameterError as exc:
    ...     print(exc)
    --projects must be one of running, off-track, all, none, or a comma-separated list of project ids, got ''
    """
    if value is None:
        return "running"
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, str) and v.strip() for v in value):
        return tuple(dict.fromkeys(v.strip() for v in value))
    if isinstance(value, str) and value.strip():
        text = value.strip()
        if text in PROJECT_CHOICES:
            return text
        ids = [v.strip() for v in text.split(",")]
        if all(ids):
            return tuple(dict.fromkeys(ids))
    raise ParameterError(
        f"{where} must be one of {', '.join(PROJECT_CHOICES)}, or a comma-separated list of project ids, got {value!r}"
    )


def select_projects(projects: pd.DataFrame, which: str | tuple[str, ...]) -> pd.DataFrame:
    """The rows of the model's projects table that get a page, worst health first.

    ``running``: active or on hold; ``off-track``: running and off track; ``all``; ``none``; or the
    ids given (an id the portfolio does not have raises :class:`ParameterError`, naming it).
    """
    if which == "none":
        chosen = projects.iloc[0:0]
    elif which == "all":
        chosen = projects
    elif which == "running":
        chosen = projects.loc[projects["running"]]
    elif which == "off-track":
        chosen = projects.loc[projects["running"] & (projects["health"] == "off track")]
    else:
        unknown = [i for i in which if i not in set(projects["project_id"])]
        if unknown:
            known = ", ".join(projects["project_id"].astype(str).head(5))
            raise ParameterError(
                f"--projects: no project {', '.join(map(repr, unknown))} in the portfolio (ids such as {known})"
            )
        chosen = projects.loc[projects["project_id"].isin(which)]
    return chosen.sort_values(["health_rank", "project_id"], na_position="last")


def plan_pages(model, which: str | tuple[str, ...]) -> dict[str, dict[str, str]]:
    """Every page of the run, by kind and key, as a path relative to the run folder: the chosen
    projects, and every department with a project (``pages.json``, see :mod:`pmo_analysis.reporting.links`).
    """
    chosen = select_projects(model.projects, which)
    departments = model.projects["department"].dropna().astype(str).unique() if len(chosen) else []
    return {
        "projects": {str(p): page_path("projects", p) for p in chosen["project_id"]},
        "departments": {str(d): page_path("departments", d) for d in sorted(departments)},
    }


def page_title(row: pd.Series) -> str:
    """A project page's title: ``PRJ-020 Data platform``."""
    return f"{row['project_id']} {row['name']}"


# --------------------------------------------------------------------------- in the notebook
def _model(model_dir: Path | None, data_dir: Path, as_of) -> Any:
    """The run's model, read once per process (a page kernel renders many pages); built from the
    data outside a run.
    """
    # here, not at the top: a run imports pages.py long before any page needs a model
    from pmo_analysis.inputs.portfolio import load_portfolio
    from pmo_analysis.model import build_model

    if model_dir is None:
        return build_model(load_portfolio(data_dir, as_of=as_of), as_of=as_of)
    return _saved_model(str(Path(model_dir).resolve()), (Path(model_dir) / "model.json").stat().st_mtime_ns)


@functools.lru_cache(maxsize=1)  # one run at a time: a new run's model replaces the last
def _saved_model(model_dir: str, _mtime_ns: int) -> Any:
    from pmo_analysis.model import load_model

    return load_model(model_dir)


@dataclass
class ProjectPage:
    """One project's rows of the model: ``row`` (projects table), ``months``, ``people``,
    ``overallocated``, ``lessons`` (matched from the library), ``actions`` (its open actions),
    ``delivery`` (its rows of any dependencies, milestones or risks table the model has).
    ``P`` are the notebook's parameters, ``M`` the model, ``links`` the run's pages.
    """

    P: SimpleNamespace
    M: Any
    row: pd.Series
    months: pd.DataFrame
    people: pd.DataFrame
    overallocated: pd.DataFrame
    lessons: pd.DataFrame
    actions: pd.DataFrame
    delivery: dict[str, pd.DataFrame] = field(default_factory=dict)
    run_dir: Path | None = None
    links: dict[str, dict[str, str]] = field(default_factory=dict)

    def link(self, df: pd.DataFrame) -> pd.DataFrame:
        """``df`` with its project ids linked to their pages, from this page (``../projects/...``)."""
        return link_projects(df, self.run_dir, prefix="../") if self.run_dir is not None else df

    def show(self, fig) -> None:
        """Display ``fig`` as SVG with its text as text, and close it.

        A page is rendered for each of thousands of projects: SVG with text as text is drawn
        once (a PNG through ``bbox_inches="tight"`` is drawn twice and rasterized), is a quarter
        of the PNG's size, prints sharply, and the reader's browser draws the text (with a sans-serif
        fallback after the workbook's fonts, so Chinese names read on any machine).
        """
        from IPython.display import SVG, display

        display(SVG(svg_text(fig)))

    def nav(self) -> str:
        """The links of the page's header line (escaped HTML): the run index, the executive summary,
        the department page; empty outside a run.
        """
        if not self.links:
            return ""

        items = [
            ("../index.html", _("Run index")),
            ("../executive_summary.html", _("Executive summary")),
            ("../portfolio_roi.html", _("ROI report")),
        ]
        dept = self.links.get("departments", {}).get(str(self.row["department"]))
        if dept:
            items.append((f"../{dept}", _("Department: {name}", name=self.row["department"])))
        return " &middot; ".join(f'<a href="{html.escape(h)}">{html.escape(t)}</a>' for h, t in items)


def open_project(namespace: dict[str, Any]) -> ProjectPage:
    """What ``notebooks/project_report.ipynb`` does first: validate its parameters, open the run's
    model (read once per kernel) and select the project's rows. Without a ``project_id``, the
    worst running project. An id the model does not have raises :class:`ParameterError`.
    """
    from pmo_analysis.reporting import plots  # matplotlib: in the page's kernel, not the run's process
    from pmo_analysis.reporting.report import quiet, require_tables  # with plots, as above

    namespace = dict(namespace)
    P = resolve_params(PAGE_NOTEBOOK, namespace)
    quiet()  # as a report: no library warning or log line in the page
    plots.use_style()
    # the page's language and currency, as open_report sets them, before a model built here writes its reasons
    formatting.use(currency=getattr(P, "currency", None), language=getattr(P, "language", "en"))
    M = _model(P.model_dir, P.data_dir, P.as_of)
    require_tables(M, PAGE_NOTEBOOK, P.data_dir)  # a page needs the finance part: one sentence if absent
    P.as_of = M.as_of.date()
    projects = M.projects
    if P.project_id is None:
        ranked = projects.sort_values(["running", "health_rank", "cpi"], ascending=[False, True, True])
        P.project_id = str(ranked["project_id"].iloc[0])
    rows = projects.loc[projects["project_id"].astype(str) == str(P.project_id)]
    if rows.empty:
        raise ParameterError(
            f"{PAGE_NOTEBOOK}: parameter 'project_id': no project {P.project_id!r} in the "
            f"portfolio (ids such as {', '.join(projects['project_id'].astype(str).head(5))})"
        )
    pid = rows["project_id"].iloc[0]

    def of(table: str, column: str = "project_id") -> pd.DataFrame:
        if not M.has(table) or column not in M.tables[table].columns:
            return pd.DataFrame()
        t = M.tables[table]
        return t.loc[t[column] == pid].reset_index(drop=True)

    delivery = project_delivery(M, pid)
    run_dir = run_folder(P.model_dir)  # <run>/model: the run's pages are listed beside it
    links = read_pages(run_dir)
    return ProjectPage(
        P=P,
        M=M,
        row=rows.iloc[0],
        months=of("project_months"),
        people=of("project_people"),
        overallocated=project_overallocations(M, pid),
        lessons=of("relevant"),
        actions=of("open_actions"),
        delivery=delivery,
        run_dir=run_dir if links else None,
        links=links,
    )


def project_delivery(model, project_id: str) -> dict[str, pd.DataFrame]:
    """The project's rows of each delivery table the model has: its dependencies (as predecessor
    or successor), milestones and risks.
    """
    out = {}
    if model.has("dependencies"):
        deps = model.dependencies
        mine = (deps["predecessor_id"] == project_id) | (deps["successor_id"] == project_id)
        out["dependencies"] = deps.loc[mine].reset_index(drop=True)
    for name in ("milestones", "risks"):
        if model.has(name):
            t = model.tables[name]
            out[name] = t.loc[t["project_id"] == project_id].reset_index(drop=True)
    return out


def _figure_reason(row: pd.Series, figure: str) -> str | None:
    """Why a business-case figure of ``row`` is n/a, in words (``None`` when it is not, or no
    reason is known): no cash flows or no benefit figures (``data_needed``), and for the IRR no
    root or several (``irr_roots``).
    """
    from pmo_analysis.core.wording import Reason, word

    needed = str(row.get("data_needed") or "").split(",")
    for code in ("no_cashflows", "no_benefits"):
        if code in needed:
            return word(Reason(code))
    if figure == "irr":
        roots = row.get("irr_roots")
        if roots == 0:
            return word(Reason("irr_no_root"))
    return None


def project_tiles(row: pd.Series, *, tcpi_extreme: float | None = None) -> list[dict]:
    """The project page's tiles (:func:`pmo_analysis.reporting.display.tile`): health, decision,
    budget, EAC / VAC, CPI / SPI and TCPI (red above ``tcpi_extreme``,
    :data:`~pmo_analysis.core.config.TCPI_EXTREME`), then the business case: remaining NPV
    beside the lifetime NPV, ROI and IRR of the project's whole life. A business-case figure the
    data cannot give is n/a with its reason (no cash flows, no benefit figures, no IRR root); an
    IRR that is not unique says how many roots its cash flows have.
    """
    from pmo_analysis.core.config import TCPI_EXTREME
    from pmo_analysis.core.wording import Reason, word
    from pmo_analysis.reporting.display import tile  # matplotlib: in the page's kernel, not the run's process

    extreme = TCPI_EXTREME if tcpi_extreme is None else tcpi_extreme

    def business(label_: str, figure: str, value: str) -> dict:
        if fmt._missing(row.get(figure)):
            return tile(label_, fmt.na(), reason=_figure_reason(row, figure))
        return tile(label_, value, negative=fmt.is_negative(row[figure]))

    tcpi = row.get("tcpi")
    tiles = [
        tile(_("Health"), label(row["health"]) if row["health"] == row["health"] else _("not running")),
        tile(_("Decision"), label(row["decision"])),
        tile(_("Budget (BAC)"), fmt.money(row["bac"])),
        tile(
            _("EAC / VAC"), f"{fmt.money(row['eac'])} / {fmt.money(row['vac'])}", negative=fmt.is_negative(row["vac"])
        ),
        tile(_("CPI / SPI"), f"{fmt.ratio(row['cpi'])} / {fmt.ratio(row['spi'])}"),
        tile(
            _("TCPI"),
            fmt.ratio(tcpi),
            target=None if fmt._missing(tcpi) else _("realistic ≤ {value}", value=fmt.ratio(extreme)),
            status=None
            if fmt._missing(tcpi) or not row.get("running", True)
            else ("bad" if tcpi > extreme else "good"),
        ),
        business(_("Remaining NPV"), "remaining_npv", fmt.money(row.get("remaining_npv"))),
        business(_("Lifetime NPV (business case)"), "npv", fmt.money(row.get("npv"))),
        business(_("Lifetime ROI (business case)"), "roi", fmt.pct(row.get("roi"))),
        business(_("IRR (business case)"), "irr", fmt.pct(row.get("irr"))),
    ]
    roots = row.get("irr_roots")
    if not fmt._missing(row.get("irr")) and not fmt._missing(roots) and int(roots) > 1:
        tiles[-1]["reason"] = word(Reason("irr_not_unique", n=int(roots)))
    return tiles


def project_notes(row: pd.Series) -> list[str]:
    """The sentences under the project page's tiles: its health and why; its decision, why, what
    would flip it (the model's ``decision_robustness``) and the next step for its manager (the
    model's ``next_step``); an extreme TCPI in words (the
    model's ``tcpi_reason``); how many past months AC counts at plan.
    """
    notes = []
    if row["health"] == row["health"]:
        reason = row["health_reason"] if isinstance(row["health_reason"], str) else ""
        notes.append(
            _("Health {health}: {reason}.", health=label(row["health"]), reason=reason)
            if reason.strip()
            else _("Health {health}.", health=label(row["health"]))
        )
    decision = _("Decision {decision}: {reason}.", decision=label(row["decision"]), reason=row["decision_reason"])
    flips = row.get("decision_robustness")
    if isinstance(flips, str) and flips:  # what would flip the decision (analyses.finance.decision_robustness)
        decision += (" " if current_language() != "zh" else "") + _("What would flip it: {text}.", text=flips)
    step = row.get("next_step")
    space = "" if current_language() == "zh" else " "  # Chinese sentences follow each other without a space
    notes.append(decision + (space + step if isinstance(step, str) and step else ""))
    tcpi = row.get("tcpi_reason")
    if isinstance(tcpi, str) and tcpi:
        notes.append(_("TCPI {value}: {reason}.", value=fmt.ratio(row["tcpi"]), reason=tcpi))
    if row.get("months_without_actuals"):
        notes.append(
            _(
                "AC counts {n} past month(s) without a reported actual cost at their planned cost.",
                n=row["months_without_actuals"],
            )
        )
    return notes


#: The columns of the delivery tables a project page shows, each said once: a milestone's one date
#: beside its baseline is ``forecast_or_actual`` (the model's ``current_date``: the date reached, or
#: the newest forecast, at least the as-of date for a milestone not reached), which stands for the
#: forecast and actual dates it was reported with; its state stands for the flags (due, on time,
#: slipped, missed); a risk's days overdue and age for its flags and raised date,
#: its probability and impact share for their bands; the project's own id, name and department
#: are in the page's header.
DELIVERY_COLUMNS = {
    "dependencies": [
        "predecessor_id",
        "successor_id",
        "type",
        "lag_days",
        "predecessor_date",
        "successor_date",
        "slip_days",
        "conflict",
    ],
    "milestones": [
        "milestone_id",
        "milestone",
        "baseline_date",
        "forecast_or_actual",
        "slip_days",
        "state",
        "forecast_changes",
    ],
    "risks": [
        "risk_id",
        "kind",
        "title",
        "status",
        "probability",
        "impact_cost",
        "exposure",
        "impact_share",
        "owner",
        "due_date",
        "days_overdue",
        "closed_date",
        "age_days",
    ],
}
_WHOLE_NUMBERS = ("lag_days", "slip_days", "days_overdue", "age_days", "forecast_changes")


def delivery_tables(delivery: dict[str, pd.DataFrame], *, rows: int = 8) -> list[Any]:
    """The project page's dependencies, milestones and risks (:data:`DELIVERY_COLUMNS`), each a
    :func:`pmo_analysis.reporting.display.table` of its first ``rows`` rows with its count; a
    table without rows is left out.
    """
    from pmo_analysis.reporting.display import table  # matplotlib: in the page's kernel, not the run's process

    names = {"dependencies": _("Dependencies"), "milestones": _("Milestones"), "risks": _("Risks")}
    out = []
    for name, frame in delivery.items():
        if not len(frame):
            continue
        frame = frame.rename(columns={"current_date": "forecast_or_actual"}) if name == "milestones" else frame
        shown = frame[[c for c in DELIVERY_COLUMNS.get(name, frame.columns) if c in frame.columns]]
        out.append(
            table(
                shown.head(rows),
                integer=[c for c in _WHOLE_NUMBERS if c in shown],
                dates=[c for c in ("forecast_or_actual",) if c in shown],
                caption=_("{name} ({n})", name=names.get(name, name.capitalize()), n=len(frame)),
            )
        )
    return out


def project_overallocations(model, project_id: str) -> pd.DataFrame:
    """The over-allocated person-months ahead (the model's ``overallocations``) to which
    ``project_id`` contributes: the project is one of the assignments that push the person over.
    """
    if not model.has("overallocations"):
        return pd.DataFrame()
    over = model.overallocations
    mine = over["project_ids"].astype(str).str.contains(f"(?:^|;){re.escape(str(project_id))}(?:;|$)")
    return over.loc[over["ahead"] & mine].reset_index(drop=True)


# --------------------------------------------------------------------------- rendering project pages
@dataclass
class PageResult:
    """One page of a run: ``kind`` (projects, departments), ``key`` (the project id or department),
    its title, the project's health, ``status`` (success, failed), ``path`` relative to the run
    folder, the time it took and why it failed.
    """

    kind: str
    key: str
    title: str
    path: str
    health: str | None = None
    status: str = "queued"
    duration_s: float | None = None
    error: NotebookError | None = None


class _Worker:
    """One Jupyter kernel kept alive for many pages, and the HTML exporter of its pages."""

    def __init__(self, *, timeout: float, keep_code: bool, language: str) -> None:
        from pmo_analysis.reporting.rendering import report_exporter  # nbconvert: 2.8 s to import, when pages are made

        self.timeout = timeout
        self.client = None
        self.km = None
        self.exporter = report_exporter(keep_code=keep_code, language=language)

    def execute(self, nb) -> NotebookError | None:
        """Execute ``nb`` in this worker's kernel (started on first use); why it failed, or None."""
        from jupyter_client.manager import AsyncKernelManager
        from nbclient import NotebookClient
        from nbclient.exceptions import CellExecutionError

        if self.km is None:
            self.km = AsyncKernelManager(kernel_name="python3")
            # the kernel's own notes (TCP transport, an interrupt at shut-down) are not for the run's reader
            self.client = NotebookClient(
                nb,
                km=self.km,
                timeout=self.timeout,
                kernel_name="python3",
                allow_errors=False,
                extra_arguments=[KERNEL_QUIET],
            )
        self.client.nb = nb
        try:
            self.client.execute()
        except CellExecutionError as exc:
            cell = next(
                (
                    c
                    for c in nb.cells
                    if c.cell_type == "code" and any(o.get("output_type") == "error" for o in c.get("outputs", []))
                ),
                None,
            )
            return NotebookError(
                cell=cell.get("execution_count") if cell else None,
                ename=exc.ename,
                evalue=str(exc.evalue),
                source=(cell.source.strip().splitlines() or [""])[0][:200] if cell else "",
            )
        except Exception as exc:  # noqa: BLE001 - a cell timeout or a dead kernel: the next page gets a new kernel
            self.close()
            return NotebookError(
                cell=None,
                ename=type(exc).__name__,
                evalue=str(exc).strip().splitlines()[0][:300] if str(exc).strip() else type(exc).__name__,
            )
        return None

    def export(self, nb, meta: dict[str, Any]) -> str:
        """The page's HTML (the report template, no code)."""
        body, _ = self.exporter.from_notebook_node(nb, resources={"pmo": meta, "metadata": {"name": meta["title"]}})
        return body

    def close(self) -> None:
        """Shut the kernel down."""
        if self.client is not None and self.km is not None:
            with contextlib.suppress(Exception):  # a kernel that is already gone needs nothing more
                self.client._cleanup_kernel()
        self.km = self.client = None


#: The kernel's log level in a run: only what stops it (shared with :mod:`pmo_analysis.runs.runner`).
KERNEL_QUIET = "--IPKernelApp.log_level=CRITICAL"


def _page_notebook(template, params: dict[str, Any]):
    """The notebook with its parameters injected (as papermill does: a cell after ``parameters``)."""
    from papermill.parameterize import parameterize_notebook

    nb = parameterize_notebook(copy.deepcopy(template), params, kernel_name="python3", language="python")
    return nb


def render_project_pages(
    notebook: Path,
    rows: pd.DataFrame,
    *,
    run_dir: Path,
    params: dict[str, Any],
    header: dict[str, Any],
    jobs: int = 2,
    timeout: float = 600,
    keep_code: bool = False,
    say: Callable[[str], None] | None = None,
) -> list[PageResult]:
    """Render the page of every project in ``rows`` into ``run_dir/projects/``, ``jobs`` kernels at once.

    ``params`` are the notebook's parameters shared by every page (data_dir, as_of, model_dir,
    output_dir); each page adds its ``project_id``. ``header`` is the report header's run details
    (as_of, data_dir, run_time, run_id). Returns one :class:`PageResult` per project, in the order of
    ``rows``; a failed page is written with its banner and reported, never raised.
    """
    from papermill.iorw import load_notebook_node

    template = load_notebook_node(str(notebook))  # as papermill reads it (every cell has its tags)
    results = [
        PageResult(
            "projects",
            str(r.project_id),
            page_title(r._asdict()),
            page_path("projects", r.project_id),
            health=None if pd.isna(r.health) else str(r.health),
        )
        for r in rows[["project_id", "name", "health"]].itertuples(index=False)
    ]
    if not results:
        return results
    (run_dir / "projects").mkdir(exist_ok=True)
    queue = list(reversed(results))
    lock = threading.Lock()

    def work() -> None:
        worker = _Worker(timeout=timeout, keep_code=keep_code, language=str(params.get("language") or "en"))
        try:
            while True:
                with lock:
                    if not queue:
                        return
                    page = queue.pop()
                try:
                    _render_one(worker, template, page, run_dir=run_dir, params=params, header=header)
                except Exception as exc:  # noqa: BLE001 - a bug outside the notebook: the page says so, the others go on
                    page.status = "failed"
                    page.error = NotebookError(cell=None, ename=type(exc).__name__, evalue=str(exc))
                    _write_failure_page(run_dir, page, header)
                if say and page.status != "success":
                    say(f"project page {page.key}: {page.status} ({page.error.ename}: {page.error.evalue[:200]})")
        finally:
            worker.close()

    threads = [threading.Thread(target=work, name=f"pages-{i}") for i in range(max(1, min(jobs, len(results))))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for page in results:  # a worker that died (its kernel could not start...) leaves no page "queued"
        if page.status not in ("success", "failed"):
            page.status = "failed"
            page.error = NotebookError(None, "WorkerError", "not rendered: the page worker stopped before this page")
            _write_failure_page(run_dir, page, header)
    return results


def _write_failure_page(run_dir: Path, page: PageResult, header: dict[str, Any]) -> None:
    """Write the failed ``page`` with its banner; a page that cannot be written stays failed, and
    its error says so too (it never stops the other pages).
    """
    assert page.error is not None
    try:
        (run_dir / page.path).write_text(_failure_page(page, header, page.error), encoding="utf-8")
    except Exception as exc:  # noqa: BLE001 - an unwritable page is reported, never raised
        page.error = NotebookError(
            page.error.cell, page.error.ename, f"{page.error.evalue} (and its page could not be written: {exc})"
        )


def _render_one(
    worker: _Worker, template, page: PageResult, *, run_dir: Path, params: dict[str, Any], header: dict[str, Any]
) -> None:
    t0 = time.perf_counter()
    nb = _page_notebook(template, params | {"project_id": page.key})
    error = worker.execute(nb)
    # papermill's error anchors duplicate the banner; a "lab-only" cell explains the notebook in JupyterLab
    nb.cells = [
        c
        for c in nb.cells
        if not (
            c.cell_type == "markdown" and {"papermill-error-cell-tag", "lab-only"} & set(c.metadata.get("tags", []))
        )
    ]
    meta = header | {
        "title": header.get("page_title", "Project {title}").format(title=page.title),
        "index_href": "../index.html",
    }
    if error:
        meta["error"] = {"where": error.where, "ename": error.ename, "evalue": error.evalue}
    try:
        body = worker.export(nb, meta)
    except Exception as exc:  # noqa: BLE001 - a rendering bug is reported, and the page still says so
        error = error or NotebookError(cell=None, ename=type(exc).__name__, evalue=f"HTML rendering failed: {exc}")
        body = _failure_page(page, header, error)
    (run_dir / page.path).write_text(body, encoding="utf-8")
    page.status, page.error = ("failed" if error else "success"), error
    page.duration_s = round(time.perf_counter() - t0, 2)


def _failure_page(page: PageResult, header: dict[str, Any], error: NotebookError) -> str:
    return page_templates().get_template("page_failed.html.j2").render(page=page, header=header, error=error)


# --------------------------------------------------------------------------- department pages
def svg_text(fig, *, tight: bool = False) -> str:
    """``fig`` as inline SVG with its text as text (a sans-serif fallback after the workbook's
    fonts), and close it: what project and department pages show. ``tight`` crops the image to
    what it draws, a title longer than the axes included (one more layout pass).
    """
    import io

    import matplotlib.pyplot as plt

    buf = io.StringIO()
    with plt.rc_context({"svg.fonttype": "none", "svg.hashsalt": "pmo"}):
        fig.savefig(buf, format="svg", **({"bbox_inches": "tight"} if tight else {}))
    plt.close(fig)
    return re.sub(r"(font-family: [^;\"]*)", r"\1, sans-serif", buf.getvalue())


def _department_chart(model, projects: pd.DataFrame) -> Markup | None:
    """The department's running projects on the CPI/SPI quadrant (:func:`pmo_analysis.reporting.plots.cpi_spi_quadrant`,
    the run's thresholds), as inline SVG; ``None`` when no running project has CPI and SPI.
    """
    from pmo_analysis.reporting import plots  # matplotlib: when department pages are made

    running = projects.loc[projects["running"]]
    if running.dropna(subset=["cpi", "spi"]).empty:
        return None
    thresholds = model.assumptions.iloc[0] if model.has("assumptions") else None
    fig = plots.cpi_spi_quadrant(running, thresholds=thresholds)  # its title states the finding: never cut
    return Markup(svg_text(fig, tight=True))  # noqa: S704 - matplotlib's own SVG, text escaped


def _department_frames(model, department: str, pages: dict[str, dict[str, str]]) -> dict[str, Any]:
    """What a department page shows, selected from the model and formatted for the template."""
    from pmo_analysis.analyses.utilization import utilization_totals  # with the department pages
    from pmo_analysis.reporting.display import pretty_label  # matplotlib: with the department pages

    totals = model.by_department.loc[model.by_department["department"].astype(str) == department]
    t = totals.iloc[0] if len(totals) else pd.Series(dtype=object)
    projects = model.projects.loc[model.projects["department"].astype(str) == department]
    projects = projects.sort_values(["running", "health_rank", "cpi"], ascending=[False, True, True])
    linked = projects[
        ["project_id", "name", "status", "health", "decision", "bac", "eac", "cpi", "spi", "remaining_npv"]
    ]
    ids = linked["project_id"].astype(str)
    hrefs = ids.map(pages.get("projects", {})).astype(object)
    rows = pd.DataFrame(
        {
            "project_id": ids,
            "href": ("../" + hrefs.fillna("").astype(str)).where(hrefs.notna(), ""),  # only projects with a page
            "name": linked["name"].astype(str),
            "status": linked["status"].map(label).astype(str),
            "health_code": linked["health"].fillna("").astype(str),  # the badge's colour
            "health": linked["health"].map(label).where(linked["health"].notna(), "").astype(str),
            "decision": linked["decision"].map(label).where(linked["decision"].notna(), "").astype(str),
            "bac": fmt.as_text(linked["bac"], fmt.money_full),
            "eac": fmt.as_text(linked["eac"], fmt.money_full),
            "cpi": fmt.as_text(linked["cpi"], fmt.ratio),
            "spi": fmt.as_text(linked["spi"], fmt.ratio),
            "remaining_npv": fmt.as_text(linked["remaining_npv"], fmt.money_full),
        }
    )
    people = pd.DataFrame()
    if model.has("utilization"):
        util = model.utilization.loc[model.utilization["department"].astype(str) == department]
        per = utilization_totals(util, by=["resource_id", "name", "role"])
        people = pd.DataFrame(
            {
                "name": per["name"].astype(str),
                "role": per["role"].astype(str),
                "actual_hours": fmt.as_text(per["actual_hours"], fmt.count),
                "capacity_hours": fmt.as_text(per["capacity_hours"], fmt.count),
                "utilization": fmt.as_text(per["utilization"], fmt.pct),
                "planned_utilization": fmt.as_text(per["planned_utilization"], fmt.pct),
            }
        )
    running = projects.loc[projects["running"]]
    tiles = {
        _("Projects (running)"): f"{fmt.count(len(projects))} ({fmt.count(len(running))})",
        _("Off track / at risk"): f"{fmt.count((running['health'] == 'off track').sum())} / "
        f"{fmt.count((running['health'] == 'at risk').sum())}",
        _("NPV (at {date})", date=fmt.date(model.meta["as_of"])): fmt.money(t.get("npv")),
        _("Remaining NPV"): fmt.money(t.get("remaining_npv")),
        "ROI": fmt.pct(t.get("roi")),
        _("CPI / SPI"): f"{fmt.ratio(t.get('cpi'))} / {fmt.ratio(t.get('spi'))}",
    }
    words = {
        "run_index": _("Run index"),
        "executive_summary": _("Executive summary"),
        "roi_report": _("ROI report"),
        "utilization_report": _("Utilization report"),
        "heading": _("Department: {name}", name=department),
        "title": _("{name}: department report {date}", name=department, date=fmt.date(model.meta["as_of"])),
        "as_of": _("As of {date}", date=fmt.date(model.meta["as_of"])),
        "chart": _("Running projects: cost and schedule performance"),
        "projects": _("Projects"),
        "people": _("People (complete months of the window)"),
    }
    columns = (
        "project_id",
        "name",
        "status",
        "health",
        "decision",
        "bac",
        "eac",
        "cpi",
        "spi",
        "remaining_npv",
        "role",
        "actual_hours",
        "capacity_hours",
        "utilization",
        "planned_utilization",
    )
    return {
        "tiles": tiles,
        "projects": rows.to_dict("records"),
        "people": people.to_dict("records"),
        "chart": _department_chart(model, projects),
        "words": words,
        "labels": {c: pretty_label(c) for c in columns},
    }


def render_department_pages(
    model, departments: Iterable[str], *, run_dir: Path, pages: dict[str, dict[str, str]], header: dict[str, Any]
) -> list[PageResult]:
    """Write a page per department into ``run_dir/departments/`` (Jinja, no kernel)."""
    results = []
    template = page_templates().get_template("department_page.html.j2")
    for dept in departments:
        page = PageResult("departments", dept, _("Department: {name}", name=dept), page_path("departments", dept))
        t0 = time.perf_counter()
        try:
            (run_dir / "departments").mkdir(exist_ok=True)
            body = template.render(
                department=dept,
                header=header,
                lang=header.get("language", "en"),
                **_department_frames(model, dept, pages),
            )
            (run_dir / page.path).write_text(body, encoding="utf-8")
            page.status = "success"
        except Exception as exc:  # noqa: BLE001 - one department's page never stops the run
            page.status, page.error = "failed", NotebookError(cell=None, ename=type(exc).__name__, evalue=str(exc))
            _write_failure_page(run_dir, page, header)
        page.duration_s = round(time.perf_counter() - t0, 3)
        results.append(page)
    return results
