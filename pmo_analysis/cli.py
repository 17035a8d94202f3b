"""The ``pmo-analysis`` command: a thin layer that reads options and calls one library function.

Our own errors (:class:`~pmo_analysis.exceptions.PMOError`) print as clear messages and exit 1;
``--debug`` shows the traceback.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__
from .config import SAMPLE_AS_OF, SAMPLE_SEED
from .exceptions import DataValidationError, PMOError


class _Group(click.Group):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except PMOError as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.secho(str(exc), fg="red", err=True)
            sys.exit(1)


@click.group(cls=_Group)
@click.version_option(__version__, prog_name="pmo-analysis")
@click.option("--debug", is_flag=True, help="Show full tracebacks on errors.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Portfolio analysis for a PMO: validate data, generate samples, run reports."""
    ctx.obj = {"debug": debug}


@main.command()
@click.argument("data_dir", type=click.Path(path_type=Path))
@click.option("--as-of", default=None, help="Report date (YYYY-MM-DD); enables as-of checks.")
def validate(data_dir: Path, as_of: str | None) -> None:
    """Check DATA_DIR against the data contract and print a row count per table.

    Exits 1 and lists every problem (file, row, column, value, rule) when the data breaks
    the contract. Warnings are printed but do not fail.
    """
    from .data import load_portfolio

    try:
        portfolio = load_portfolio(data_dir, as_of=as_of)
    except DataValidationError as exc:
        click.secho(str(exc), fg="red", err=True)
        warnings = [p for p in exc.problems if p.severity == "warning"]
        for w in warnings:
            click.secho(f"warning: [{w.table}] {w}", fg="yellow", err=True)
        sys.exit(1)
    click.echo(f"{data_dir}: valid")
    for table, rows in portfolio.row_counts().items():
        shown = "absent" if rows is None else f"{rows:>12,} rows  ({portfolio.files[table].name})"
        click.echo(f"  {table:<12} {shown}")
    for w in portfolio.warnings:
        click.secho(f"warning: [{w.table}] {w}", fg="yellow", err=True)


@main.command("sample-data")
@click.argument("out_dir", type=click.Path(path_type=Path))
@click.option("--seed", default=SAMPLE_SEED, show_default=True, help="Random seed.")
@click.option("--scale", default="sample", show_default=True,
              help="'sample' (40 projects), 'large' (10,000 projects, ~11M timesheet rows, "
                   "Parquet) or a multiple of the sample such as 10.")
@click.option("--as-of", default=SAMPLE_AS_OF, show_default=True,
              help="Date the generated portfolio is current at.")
@click.option("--format", "fmt", type=click.Choice(["csv", "parquet"]), default=None,
              help="File format (default: csv for the sample, parquet otherwise).")
def sample_data(out_dir: Path, seed: int, scale: str, as_of: str, fmt: str | None) -> None:
    """Write a generated sample portfolio to OUT_DIR (deterministic for a given seed)."""
    import time

    from .sample import write_sample

    t0 = time.perf_counter()
    try:
        written = write_sample(out_dir, seed=seed, scale=scale, as_of=as_of, fmt=fmt)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    for table, path in written.items():
        click.echo(f"  {table:<12} {path}")
    click.echo(f"wrote {len(written)} tables to {out_dir} in {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":  # pragma: no cover
    main()
