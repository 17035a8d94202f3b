"""The ``pmo-analysis`` command: a thin layer that reads options and calls one library function.

Every user error ends in one clear line and exit status 1, never a traceback: our own errors
(:class:`~pmo_analysis.core.exceptions.PMOError`: bad parameters, dates, YAML files, schedules) and the
operating system's (a read-only or full reports folder, a missing folder), which name the file or
folder and the reason. Click's usage errors stay usage errors (exit 2). ``--debug`` shows the
traceback.

Each command imports what it runs inside its own function: the runner, the model and the
schedules pull in papermill, nbconvert and the analyses (about 2 s), which ``pmo-analysis --help``,
``params`` or ``schedule list`` never need.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from pmo_analysis import __version__
from pmo_analysis.core.config import SAMPLE_AS_OF, SAMPLE_SEED
from pmo_analysis.core.exceptions import DataValidationError, ParameterError, PMOError


def _os_problem(exc: OSError) -> str:
    """An operating-system error as one line: the file or folder, then the reason."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    return f"cannot use {str(exc.filename)!r}: {reason}" if exc.filename else f"{type(exc).__name__}: {reason}"


class _Group(click.Group):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (PMOError, OSError) as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.secho(str(exc) if isinstance(exc, PMOError) else _os_problem(exc), fg="red", err=True)
            sys.exit(1)


@click.group(cls=_Group)
@click.version_option(__version__, prog_name="pmo-analysis")
@click.option("--debug", is_flag=True, help="Show full tracebacks on errors.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Portfolio analysis for a PMO: validate data, generate samples, run reports."""
    ctx.obj = {"debug": debug}


def _data_source(_ctx, _param, value):
    """A data folder, a mapping file or a database URL (kept as text: a path would fold its ``//``)."""
    from pmo_analysis.inputs.sources import data_source

    if value is None:
        return None
    try:
        return data_source(value)
    except PMOError as exc:
        raise click.BadParameter(str(exc)) from None


@main.command()
@click.argument("data_dir", callback=_data_source)
@click.option("--as-of", default=None, help="Report date (YYYY-MM-DD); enables as-of checks.")
@click.option(
    "--exclude-invalid",
    is_flag=True,
    help="Leave out invalid rows (and rows that depend on them), list each, and exit 0 if what is left is usable.",
)
def validate(data_dir: Path | str, as_of: str | None, exclude_invalid: bool) -> None:
    """Check DATA_DIR (a folder, a database URL or a mapping file) against the data contract and
    print a row count per table.

    Exits 1 and lists every problem (file, row, column, value, rule) when the data breaks
    the contract. Warnings are printed but do not fail. With --exclude-invalid, the rows a run
    with the same option would leave out are listed instead, with how many per table.
    """
    from pmo_analysis.inputs.params import parse_date
    from pmo_analysis.inputs.portfolio import TABLES, load_portfolio

    if as_of is not None:  # the parameters' rule: YYYY-MM-DD only, never guessed
        as_of = parse_date(as_of, where="--as-of").isoformat()
    try:
        portfolio = load_portfolio(data_dir, as_of=as_of, on_error="drop" if exclude_invalid else "raise")
    except DataValidationError as exc:
        click.secho(str(exc), fg="red", err=True)
        warnings = [p for p in exc.problems if p.severity == "warning"]
        for w in warnings:
            click.secho(f"warning: [{w.table}] {w}", fg="yellow", err=True)
        sys.exit(1)
    if portfolio.dropped:
        for problem in portfolio.dropped:
            click.secho(f"left out: [{problem.table}] {problem}", fg="yellow", err=True)
        rows = {(problem.table, problem.row) for problem in portfolio.dropped}
        per_table = {t: n for t in TABLES if (n := sum(1 for table, _ in rows if table == t))}
        click.echo(
            f"{data_dir}: usable with {len(rows):,} invalid row(s) left out ("
            + ", ".join(f"{t}: {n:,}" for t, n in per_table.items())
            + ")"
        )
    else:
        click.echo(f"{data_dir}: valid")
    for table, rows in portfolio.row_counts().items():
        read_from = portfolio.files.get(table)  # a file, or for a database "table ..." / "query"
        shown = "absent" if rows is None else f"{rows:>12,} rows  ({getattr(read_from, 'name', read_from)})"
        click.echo(f"  {table:<12} {shown}")
    for w in portfolio.warnings:
        click.secho(f"warning: [{w.table}] {w}", fg="yellow", err=True)


@main.command("import")
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--out", "out", required=True, type=click.Path(path_type=Path), help="Portfolio data folder to write (CSV)."
)
@click.option(
    "--language",
    type=click.Choice(["en", "zh"]),
    default="en",
    show_default=True,
    help="Language of the lines printed and of import-report.md.",
)
def import_(sources: tuple[Path, ...], out: Path, language: str) -> None:
    """Import Microsoft Project (.mpp, .xml) and Primavera P6 (.xer, .xml) schedules SOURCES (files
    or folders) into the data folder OUT, with project-ids.csv and import-report.md.

    A file that cannot be read is one line and the others still import (exit 1 at the end).
    """
    from pmo_analysis.core.i18n import _
    from pmo_analysis.core.i18n import language as in_language
    from pmo_analysis.runs.imports import REPORT_FILE, import_schedules

    with in_language(language):
        failed = _("not imported: {problem}", problem="")  # how a file that failed is told: in red
        result = import_schedules(
            list(sources),
            out,
            say=lambda line: click.secho(line, fg="red" if line.startswith(failed) else None),
            language=language,
        )
        for table, rows in result.rows.items():
            click.echo(_("  {table} {rows} rows", table=f"{table:<12}", rows=f"{rows:>10,}"))
        click.echo(
            _(
                "imported {n} project(s) into {out} in {seconds} s; see {report}",
                n=len(result.projects),
                out=out,
                seconds=f"{result.seconds:.1f}",
                report=out / REPORT_FILE,
            )
        )
        if not result.ok:
            click.secho(_("{n} file(s) not imported (listed above)", n=len(result.problems)), fg="red", err=True)
            sys.exit(1)


@main.command("sample-data")
@click.argument("out_dir", type=click.Path(path_type=Path))
@click.option("--seed", default=SAMPLE_SEED, show_default=True, help="Random seed.")
@click.option(
    "--scale",
    default="sample",
    show_default=True,
    help="'sample' (40 projects), 'large' (10,000 projects, ~11M timesheet rows, "
    "Parquet), 'huge' (100,000 projects, ~116M timesheet rows partitioned by month, "
    "written region by region) or a multiple of the sample such as 10.",
)
@click.option("--as-of", default=SAMPLE_AS_OF, show_default=True, help="Date the generated portfolio is current at.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "parquet"]),
    default=None,
    help="File format (default: csv for the sample, parquet otherwise).",
)
def sample_data(out_dir: Path, seed: int, scale: str, as_of: str, fmt: str | None) -> None:
    """Write a generated sample portfolio to OUT_DIR (deterministic for a given seed)."""
    import time

    from pmo_analysis.inputs.params import parse_date
    from pmo_analysis.inputs.sample import write_sample

    as_of = parse_date(as_of, where="--as-of").isoformat()  # the parameters' rule, as for validate
    t0 = time.perf_counter()
    try:
        written = write_sample(out_dir, seed=seed, scale=scale, as_of=as_of, fmt=fmt)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    for table, path in written.items():
        click.echo(f"  {table:<12} {path}")
    click.echo(f"wrote {len(written)} tables to {out_dir} in {time.perf_counter() - t0:.1f} s")


@main.command()
@click.argument("out", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--language",
    "lang",
    type=click.Choice(["en", "zh"]),
    default="en",
    show_default=True,
    help="Language of the instructions, header notes and messages (sheet and column names stay the contract's).",
)
def template(out: Path, lang: str) -> None:
    """Write the data contract as an Excel input template to OUT (.xlsx): one sheet per table,
    drop-down lists, date and number checks, and an instructions sheet.

    Fill it, then: pmo-analysis validate OUT and pmo-analysis run --data-dir OUT.
    """
    from pmo_analysis.inputs.template import write_template

    if out.suffix.lower() != ".xlsx":
        raise click.BadParameter(f"must end in .xlsx, got {str(out)!r}", param_hint="OUT")
    write_template(out, language_code=lang)
    click.echo(f"wrote the input template to {out}; fill it, then: pmo-analysis validate {out}")


def _parse_value(name: str, text: str):
    """-p values are read as YAML scalars: 0.1 is a number, 2026-06-30 a date, ten a string.
    Text that is not valid YAML stays text; a YAML tag (``!!binary``, ``!!python/...``) is refused.
    """
    from pmo_analysis.core.yaml_files import load_yaml

    return load_yaml(text, source=f"-p {name}", invalid_as_text=True)


def _what(value) -> str:
    """A value's kind in a user's words, for messages about file structure."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return "nothing" if value is None else f"the value {value!r}"


def _read_params_file(path: Path) -> tuple[dict, dict[str, dict]]:
    """The common and per-notebook parameters of a ``-f`` file, its structure checked."""
    from pmo_analysis.core.yaml_files import read_yaml

    loaded = read_yaml(path, what="parameters file")
    if loaded is None:
        return {}, {}
    if not isinstance(loaded, dict):
        raise ParameterError(
            f"{path}: the top level must be a mapping of parameter names to values "
            f"(and an optional 'notebooks:' mapping), got {_what(loaded)}"
        )
    per_nb = loaded.pop("notebooks", None)
    if per_nb is None:
        per_nb = {}
    if not isinstance(per_nb, dict):
        raise ParameterError(
            f"{path}: 'notebooks' must map notebook names to mappings of parameters, got {_what(per_nb)}"
        )
    per_nb = {nb: {} if values is None else values for nb, values in per_nb.items()}
    for nb, values in per_nb.items():
        if not isinstance(nb, str):
            raise ParameterError(f"{path}: notebook names under 'notebooks' must be text, got {nb!r}")
        if not isinstance(values, dict):
            raise ParameterError(
                f"{path}: 'notebooks' entry {nb!r} must be a mapping of parameter names to values, got {_what(values)}"
            )
    for where, mapping in [("", loaded)] + [(f"'notebooks' entry {nb!r}: ", v) for nb, v in per_nb.items()]:
        bad = next((k for k in mapping if not isinstance(k, str)), None)
        if bad is not None:
            raise ParameterError(f"{path}: {where}parameter names must be text, got {bad!r}")
    return loaded, per_nb


def _publish_problem(exc: OSError, reports_dir: Path) -> str:
    """An OSError raised by a run, as one line; naming the reports folder when it is the cause."""
    folder = Path(reports_dir).resolve()
    name = Path(exc.filename).resolve() if exc.filename else None
    if name is None or name == folder or folder in name.parents:
        return f"cannot publish the run in the reports folder {str(folder)!r}: {exc.strerror or exc}"
    return _os_problem(exc)


@main.command()
@click.option(
    "--data-dir",
    callback=_data_source,
    default=None,
    help="Portfolio data folder, database URL or mapping file (default: the bundled sample).",
)
@click.option(
    "-n", "--notebook", "notebooks", multiple=True, help="Notebook to run (repeatable); default: all report notebooks."
)
@click.option(
    "-f",
    "--params-file",
    type=click.Path(path_type=Path),
    help="YAML file of parameters; a 'notebooks:' mapping sets per-notebook values.",
)
@click.option(
    "-p",
    "--param",
    "param",
    nargs=2,
    multiple=True,
    metavar="NAME VALUE",
    help="Parameter override (repeatable), e.g. -p as_of 2026-06-30.",
)
@click.option("--schedule", default="adhoc", show_default=True, help="Schedule name for the run id.")
@click.option(
    "--jobs", type=click.IntRange(min=1), default=None, help="Notebooks run in parallel (default: number of cores)."
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=1),
    default=600,
    show_default=True,
    help="Seconds a cell may run before the notebook is stopped and marked failed.",
)
@click.option("--keep-code", is_flag=True, help="Keep code cells in the HTML (for analysts).")
@click.option(
    "--reports-dir", type=click.Path(path_type=Path), default=None, help="Where runs are published (default: reports/)."
)
@click.option(
    "--exclude-invalid",
    is_flag=True,
    default=None,
    help="Leave out invalid rows (and rows that depend on them) instead of refusing the data; "
    "each one is listed in the reports and the manifest.",
)
@click.option(
    "--accept-stale",
    is_flag=True,
    default=None,
    help="Publish as a good run although the data ends more than a month before as_of.",
)
@click.option(
    "--projects",
    default=None,
    metavar="WHICH",
    help="One-page project reports to render into projects/: running (default for the whole suite), "
    "off-track, all, none (default for a subset), or comma-separated project ids.",
)
@click.option(
    "--scenario",
    "scenarios",
    multiple=True,
    type=click.Path(path_type=Path),
    help="What-if scenario file (YAML, repeatable; see docs/scenarios.md): one model each beside the base, "
    "compared in scenario_changes.csv and the scenarios report.",
)
def run(
    data_dir,
    notebooks,
    params_file,
    param,
    schedule,
    jobs,
    timeout,
    keep_code,
    reports_dir,
    exclude_invalid,
    accept_stale,
    projects,
    scenarios,
):
    """Run the report notebooks and publish HTML, tables and a manifest.

    Exits 1 if any notebook failed (the others are still published, and reports/latest keeps
    pointing at the last good run), or if the data is stale at as_of and --accept-stale was not
    given (the run is published with status stale).
    """
    from pmo_analysis.core.config import REPORTS_DIR, SAMPLE_DATA_DIR
    from pmo_analysis.runs.runner import run_reports

    common, per_nb = _read_params_file(params_file) if params_file else ({}, {})
    common.update({k: _parse_value(k, v) for k, v in param})
    for name, flag in (("exclude_invalid", exclude_invalid), ("accept_stale", accept_stale)):
        if flag:
            common[name] = True
    reports_dir = reports_dir or REPORTS_DIR
    try:
        result = run_reports(
            data_dir=data_dir or SAMPLE_DATA_DIR,
            notebooks=list(notebooks) or None,
            params=common,
            notebook_params=per_nb,
            reports_dir=reports_dir,
            schedule=schedule,
            jobs=jobs,
            timeout=timeout,
            keep_code=keep_code,
            progress=click.echo,
            scenarios=list(scenarios) or None,
            **_projects_kwarg(projects),
        )
    except OSError as exc:  # a read-only or full reports folder
        raise PMOError(_publish_problem(exc, reports_dir)) from exc
    index = reports_dir / "index.html"
    click.echo(f"Report index: {Path(index).resolve()}")
    if not result.ok:
        click.secho(f"run {result.run_id} {result.status}: see {result.run_dir / 'index.html'}", fg="red", err=True)
        sys.exit(1)


def _projects_kwarg(projects: str | None) -> dict:
    """``--projects`` for run_reports, checked before any work (a bad value is a usage error)."""
    if projects is None:
        return {}
    from pmo_analysis.runs.pages import parse_projects

    try:
        return {"projects": parse_projects(projects)}
    except PMOError as exc:
        raise click.BadParameter(str(exc).removeprefix("--projects "), param_hint="--projects") from None


@main.command()
@click.argument("notebook")
def params(notebook: str) -> None:
    """List the parameters of NOTEBOOK (a report name such as portfolio_roi, or a path)."""
    from pmo_analysis.inputs.params import describe

    click.echo(describe(notebook))


@main.group()
def schedule() -> None:
    """Named schedules from schedules.yml: list, run what is due, or serve."""


def _schedules(file: Path | None):
    """The valid schedules of ``file``; each invalid schedule is reported now as one line (see
    :func:`_exit_if`), the others still list and run.
    """
    from pmo_analysis.core.config import PROJ_ROOT
    from pmo_analysis.runs.schedule import load_schedules

    schedules, problems = load_schedules(file or PROJ_ROOT / "schedules.yml")
    for problem in problems:
        click.secho(problem, fg="red", err=True)
    return schedules, problems


def _exit_if(failed: bool) -> None:
    if failed:
        sys.exit(1)


_SCHEDULE_FILE = click.option(
    "--file",
    "file",
    type=click.Path(path_type=Path),
    default=None,
    help="Schedule file (default: schedules.yml in the workbook).",
)


@schedule.command("list")
@_SCHEDULE_FILE
def schedule_list(file: Path | None) -> None:
    """Show every schedule with its next 3 run times, in its own time zone and in UTC."""
    import datetime as dt

    from pmo_analysis.runs.schedule import next_runs

    schedules, problems = _schedules(file)
    for name, s in schedules.items():
        click.echo(
            f"{name}: cron '{s.cron}' ({s.timezone}), data {s.data_dir}, "
            f"notebooks {', '.join(s.notebooks) if s.notebooks else 'all'}"
        )
        for t in next_runs(s):
            click.echo(f"    {t:%Y-%m-%d %H:%M %Z}   =   {t.astimezone(dt.UTC):%Y-%m-%d %H:%M UTC}")
    _exit_if(bool(problems))


@schedule.command("run-due")
@_SCHEDULE_FILE
@click.option("--reports-dir", type=click.Path(path_type=Path), default=None)
def schedule_run_due(file: Path | None, reports_dir: Path | None) -> None:
    """Run each schedule's latest slot if it has not run yet (safe to call every minute).

    Prints one line per schedule with its status; exits 1 if a run of this call did not end in
    success or a schedule is invalid.
    """
    from pmo_analysis.core.config import REPORTS_DIR
    from pmo_analysis.runs.schedule import run_schedules

    schedules, problems = _schedules(file)
    outcomes = run_schedules(schedules, reports_dir=reports_dir or REPORTS_DIR, say=click.echo)
    for outcome in outcomes:
        click.secho(str(outcome), fg=None if outcome.ok else "red")
    _exit_if(bool(problems) or not all(o.ok for o in outcomes))


@schedule.command("serve")
@_SCHEDULE_FILE
@click.option("--reports-dir", type=click.Path(path_type=Path), default=None)
def schedule_serve(file: Path | None, reports_dir: Path | None) -> None:  # pragma: no cover - long-running
    """Keep running: every minute, run what is due (the same slots, state and lock as run-due)."""
    from pmo_analysis.core.config import REPORTS_DIR
    from pmo_analysis.runs.schedule import serve

    schedules, _problems = _schedules(file)
    _exit_if(not schedules)
    serve(schedules, reports_dir=reports_dir or REPORTS_DIR, say=click.echo)


@main.group()
def reports() -> None:
    """Manage published report runs."""


@reports.command("prune")
@click.option("--keep", type=int, required=True, help="Number of newest runs to keep.")
@click.option("--reports-dir", type=click.Path(path_type=Path), default=None)
def reports_prune(keep: int, reports_dir: Path | None) -> None:
    """Remove old runs, keeping the KEEP newest and always the latest good one."""
    from pmo_analysis.core.config import REPORTS_DIR
    from pmo_analysis.runs.publish import prune_reports

    reports_dir = reports_dir or REPORTS_DIR
    if not reports_dir.is_dir():
        raise ParameterError(f"reports folder not found: {str(reports_dir)!r}")
    removed = prune_reports(reports_dir, keep=keep)
    click.echo(f"removed {len(removed)} run(s)" + (": " + ", ".join(removed) if removed else ""))


if __name__ == "__main__":  # pragma: no cover
    main()
