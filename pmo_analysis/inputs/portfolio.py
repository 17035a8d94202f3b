"""Load a portfolio data folder into typed DataFrames and validate it against the data contract.

The contract is documented in ``docs/data-dictionary.md`` and declared once, in
:data:`~pmo_analysis.inputs.schema.SCHEMA`. Loading runs in named steps, each in the module a reader
looks for it in:

* :mod:`pmo_analysis.inputs.schema`: the contract (tables, columns, kinds, ranges, references);
* :mod:`pmo_analysis.inputs.readers`: finding and reading the files (CSV and its encoding rule, Excel
  and its percent cells, Parquet);
* :mod:`pmo_analysis.inputs.validation`: typing every value and collecting every problem;
* this module: :func:`load_portfolio`, which runs those steps, and the :class:`Portfolio` it returns.

A data folder holds one file per table (``<table>.csv``, ``<table>.xlsx`` or ``<table>.parquet``)
or one workbook ``portfolio.xlsx`` with one sheet per table; the timesheets may also be a folder
``timesheets/`` of Parquet files (one per month, say).

Large timesheets stay in their files: :mod:`pmo_analysis.inputs.engine` checks them with DuckDB, with the
same messages, and the model reads hours per person and month from them
(:meth:`Portfolio.booked_hours`), so memory does not grow with their rows. Column names are matched
case-insensitively with surrounding spaces stripped; extra columns are kept.

Loading never guesses: a value that cannot be read as its type is reported (file, spreadsheet
row, column, value, rule), every problem is collected before raising, and nothing is silently
dropped or coerced. Non-fatal oddities are returned as warnings.

Numbers are finite and plausible in every format: ``inf``, ``-inf`` and ``nan`` (text in a CSV
or a workbook, floats in Parquet) are "not a number"; an empty cell (a Parquet null) stays empty;
a number larger than :data:`~pmo_analysis.inputs.schema.AMOUNT_LIMIT` (1e15) in absolute value is
rejected. In a workbook, a percent-formatted cell in a percent column (``percent_complete``,
``allocation_pct``) holds 0.64 for the 64% the user sees, and is read as 64.

A header is read as written: two columns whose names are equal once spaces are stripped and case
ignored (``budget,budget`` or ``Budget, budget``) are an error naming the column, whatever the format.

CSV encodings are chosen by one rule (written out in :mod:`pmo_analysis.inputs.readers`), and a file is
refused rather than garbled: a byte-order mark decides, then UTF-8, then whichever of GB18030 and
Windows-1252 alone reads as words of one script; otherwise the file is refused with one problem
asking for it to be saved as UTF-8.

With ``on_error="drop"`` every invalid row, and every row that refers to one, is removed and listed
in :attr:`Portfolio.dropped`; loading still fails for problems no row removal can fix: a file that
cannot be read, a missing projects table, a missing or repeated column, a table that refers to a
missing table, or a table left with no rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, cast

import pandas as pd

from pmo_analysis.core.exceptions import DataValidationError, MissingTableError, Problem
from pmo_analysis.inputs.engine import ENGINES, use_engine, validate_out_of_core
from pmo_analysis.inputs.mapping import FileMapping, is_file_mapping, open_file_mapping, read_problem
from pmo_analysis.inputs.pushdown import CannotPush, validate_pushed
from pmo_analysis.inputs.readers import ReadError, find_tables, find_workbook_tables, is_workbook, read_table
from pmo_analysis.inputs.schema import (  # SCHEMA and Column re-exported: the contract's old home
    SCHEMA,
    TABLES,
    Column,
    references,
)
from pmo_analysis.inputs.sources import Pushed, fingerprint_rows, is_sql_source, open_sql_source
from pmo_analysis.inputs.validation import (
    MAX_LISTED,
    Collector,
    check_references,
    check_warnings,
    drop_invalid_rows,
    validate_table,
)

if TYPE_CHECKING:
    from pmo_analysis.inputs.engine import OutOfCoreTable

__all__ = [
    "SCHEMA",
    "TABLES",
    "Column",
    "Portfolio",
    "load_portfolio",
]


@dataclass
class Portfolio:
    """The tables of one data folder, typed and validated. A missing table is ``None``."""

    data_dir: Path | str  # a folder, or a database shown without its password (pmo_analysis.inputs.sources)
    projects: pd.DataFrame | None = None
    cashflows: pd.DataFrame | None = None
    resources: pd.DataFrame | None = None
    assignments: pd.DataFrame | None = None
    timesheets: pd.DataFrame | None = None
    lessons: pd.DataFrame | None = None
    holidays: pd.DataFrame | None = None
    dependencies: pd.DataFrame | None = None  # the delivery tables (optional, pmo_analysis.analyses.delivery)
    milestones: pd.DataFrame | None = None
    risks: pd.DataFrame | None = None
    files: dict[str, Path] | dict[str, str] = field(default_factory=dict)  # for a database: "table x" or "query"
    source: dict | None = None  # for a database: what a run's manifest records (no password, row fingerprints)
    warnings: list[Problem] = field(default_factory=list)
    dropped: list[Problem] = field(default_factory=list)
    out_of_core: dict[str, OutOfCoreTable] = field(default_factory=dict)
    """Tables left in their files (their attribute is then ``None``): see :mod:`pmo_analysis.inputs.engine`."""

    def has(self, name: str) -> bool:
        """True when table ``name`` is present, in memory or left in its files."""
        return getattr(self, name) is not None or name in self.out_of_core

    booked: dict[tuple, tuple[object, pd.DataFrame | None]] = field(default_factory=dict, repr=False, compare=False)
    """:meth:`booked_hours` already computed, by as_of and start, with the timesheets they were
    computed from: a copy of this portfolio (a what-if scenario's, which changes no timesheet)
    shares them, and a copy with other timesheets computes its own."""

    def booked_hours(self, as_of, start=None) -> pd.DataFrame | None:
        """Hours per resource_id, project_id (empty: non-project time), activity (of non-project
        time) and period (month) of the timesheet entries dated on or before ``as_of`` (and from
        the month of ``start``); ``None`` without timesheets. The same table whether the timesheets
        are in memory or in their files. A new frame on every call (computed once per timesheets).
        """
        from pmo_analysis.inputs.timesheets import monthly_hours

        source = self.out_of_core.get("timesheets", self.timesheets)
        key = (str(pd.Timestamp(as_of)), None if start is None else str(pd.Timestamp(start)))
        done = self.booked.get(key)
        if done is not None and done[0] is source:
            return None if done[1] is None else done[1].copy()
        hours: pd.DataFrame | None
        if "timesheets" in self.out_of_core:
            hours = self.out_of_core["timesheets"].booked_hours(as_of, start)
        else:
            hours = None if self.timesheets is None else monthly_hours(self.timesheets, as_of, start)
        self.booked[key] = (source, hours)
        return None if hours is None else hours.copy()

    def timesheet_span(self) -> tuple[pd.Timestamp, pd.Timestamp] | None:
        """The first and last date of the timesheet entries (``None`` without any)."""
        if "timesheets" in self.out_of_core:
            return self.out_of_core["timesheets"].span()
        ts = self.timesheets
        return None if ts is None or not len(ts) else (ts["date"].min(), ts["date"].max())

    def table(self, name: str) -> pd.DataFrame:
        """Return table ``name`` or raise :class:`MissingTableError` saying which file to add.

        A table left in its files is loaded whole: for small data and tests.
        """
        if name in self.out_of_core:
            return self.out_of_core[name].to_frame()
        df = getattr(self, name)
        if df is None:
            raise MissingTableError(
                f"this analysis needs the {name!r} table, which is not in {self.data_dir}: "
                f"add {name}.csv, {name}.xlsx, {name}.parquet or a {name!r} sheet in portfolio.xlsx "
                "(see docs/data-dictionary.md)"
            )
        return df

    def require(self, *names: str) -> None:
        """Raise :class:`MissingTableError` listing every table in ``names`` that is missing."""
        missing = [n for n in names if not self.has(n)]
        if missing:
            raise MissingTableError(
                f"this analysis needs the table(s) {', '.join(missing)}, not found in "
                f"{self.data_dir} (expected <table>.csv/.xlsx/.parquet or sheets of "
                "portfolio.xlsx; see docs/data-dictionary.md)"
            )

    def row_counts(self) -> dict[str, int | None]:
        """Rows per table (``None`` for a table that is absent)."""
        return {
            t: (
                self.out_of_core[t].valid_rows()
                if t in self.out_of_core
                else None
                if getattr(self, t) is None
                else len(getattr(self, t))
            )
            for t in TABLES
        }


def load_portfolio(
    data_dir: str | Path,
    *,
    as_of: str | pd.Timestamp | None = None,
    tables: Iterable[str] | None = None,
    on_error: str = "raise",
    engine: str = "auto",
) -> Portfolio:
    """Load and validate a portfolio data folder.

    Parameters
    ----------
    data_dir : path or str
        Folder with ``<table>.csv|.xlsx|.parquet`` files or a ``portfolio.xlsx`` workbook; or a
        database URL (``postgresql://pmo@db/ppm``) or a mapping file (``ppm.yml``), read as
        :mod:`pmo_analysis.inputs.sources` says; or a mapping file of the PMO's own files
        (``tracker.yml``, no ``url:``), read as :mod:`pmo_analysis.inputs.mapping` says.
    as_of : date, optional
        Report date; enables the "actual after as-of" warning.
    tables : iterable of str, optional
        Only load these tables (plus the tables they refer to). Default: every table present.
    on_error : {"raise", "drop"}
        ``"raise"`` (default) raises :class:`DataValidationError` listing every problem.
        ``"drop"`` removes the offending rows (and rows that refer to them) and reports each one
        in :attr:`Portfolio.dropped`; for exploring messy exports, never for leadership reports.
    engine : {"auto", "duckdb", "pandas"}
        How the timesheets are read (:mod:`pmo_analysis.inputs.engine`): ``"auto"`` leaves large ones in
        their files, ``"duckdb"`` always, ``"pandas"`` never (a folder of Parquet files always). For a
        database or Spark the same choice decides whether the engine holding them checks and
        aggregates them (:mod:`pmo_analysis.inputs.pushdown`): ``"auto"`` above
        :data:`~pmo_analysis.inputs.pushdown.PUSHDOWN_ROWS` rows, ``"duckdb"`` always (in the
        engine, whichever it is), ``"pandas"`` never.

    Returns
    -------
    Portfolio
        Typed tables: ids as strings, dates as ``datetime64``, amounts as ``float64``.

    Examples
    --------
    >>> from pmo_analysis import load_portfolio
    >>> from pmo_analysis.core.config import SAMPLE_DATA_DIR
    >>> p = load_portfolio(SAMPLE_DATA_DIR)
    >>> p.projects["budget"].dtype
    dtype('float64')
    """
    if on_error not in ("raise", "drop"):
        raise ValueError(f"on_error must be 'raise' or 'drop', got {on_error!r}")
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, got {engine!r}")
    as_of_ts = pd.Timestamp(as_of) if as_of is not None else None
    wanted = _with_referred_tables(TABLES if tables is None else tables)
    limit = MAX_LISTED if on_error == "raise" else None
    source: dict | None = None
    mapping: FileMapping | None = None
    if is_file_mapping(data_dir):  # a mapping file of the PMO's own files (pmo_analysis.inputs.mapping)
        mapping = open_file_mapping(data_dir)
        data_dir, files, loaded, collectors, problems, source = _read_and_validate_files(mapping, wanted, limit, engine)
    elif is_sql_source(data_dir):  # a database URL or a mapping file (pmo_analysis.inputs.sources)
        data_dir, files, loaded, collectors, problems, source = _read_and_validate_sql(data_dir, wanted, limit, engine)
    else:
        data_dir = Path(data_dir)
        if is_workbook(data_dir):  # one workbook, one sheet per table (a filled input template)
            files, sheets, problems = _workbook_tables(data_dir)
        else:
            data_dir = _data_folder(data_dir)
            files, sheets, problems = find_tables(data_dir)
            problems += _check_tables_found(data_dir, files)
        loaded, collectors, unreadable = _read_and_validate(files, sheets, wanted, limit=limit, engine=engine)
        problems += unreadable
    if not problems:
        check_references(loaded, collectors)
    if on_error == "drop":
        drop_invalid_rows(loaded, collectors)
    check_warnings(loaded, collectors, as_of_ts)
    if mapping is not None:  # messages in the PMO's own headers, cells as typed
        mapping.relabel(collectors)
    all_problems = _raise_unless_usable(data_dir, problems, collectors, on_error)
    portfolio = _portfolio(data_dir, files, loaded, collectors, all_problems)
    portfolio.source = source
    return portfolio


def _data_folder(data_dir: Path) -> Path:
    """``data_dir`` if it is a folder, else a :class:`DataValidationError` saying what it is."""
    if not data_dir.is_dir():
        what = "is a file, not a folder" if data_dir.exists() else "does not exist"
        raise DataValidationError(
            [Problem("-", str(data_dir), None, None, None, f"the data folder {what}")], str(data_dir)
        )
    return data_dir


def _workbook_tables(workbook: Path) -> tuple[dict[str, Path], dict[str, str], list[Problem]]:
    """The tables of a workbook given as the data source (:func:`find_workbook_tables`), or a
    :class:`DataValidationError` saying why it cannot be read: missing, not a workbook, or
    without a sheet named after a table.
    """

    def refuse(rule: str) -> DataValidationError:
        return DataValidationError([Problem("-", str(workbook), None, None, None, rule)], str(workbook))

    if not workbook.is_file():
        raise refuse("the data workbook does not exist" if not workbook.exists() else "the data workbook is a folder")
    try:
        files, sheets, problems = find_workbook_tables(workbook)
    except Exception as exc:  # noqa: BLE001 - a damaged or encrypted file: one line, not a traceback
        raise refuse(f"cannot read the workbook: {exc}") from None
    if not files:
        raise refuse(
            "no table has a row: name each sheet after its table (projects, cashflows, ...), "
            "as the input template (pmo-analysis template) does, and fill at least the projects sheet"
        )
    if "projects" not in files:
        problems.append(
            Problem(
                "projects",
                f"{workbook.name} [sheet projects]",
                None,
                None,
                None,
                "the projects table is required: fill the projects sheet (every other table refers to it)",
            )
        )
    return files, sheets, problems


def _read_and_validate_sql(value: str | Path, wanted: set[str], limit: int | None, engine: str = "auto"):
    """Read the wanted tables from a database and check them as :func:`_read_and_validate` does
    files; rows are named by primary key or result row (see :mod:`pmo_analysis.inputs.sources`).
    A large table is checked in the database and stays there (:mod:`pmo_analysis.inputs.pushdown`).

    Returns ``(source shown, where each table was read from, typed tables, problems per table,
    other problems, the manifest's record of the source)``.
    """
    sql = open_sql_source(value)
    raws, where, problems, prints = sql.read(wanted, engine)
    if "projects" not in raws and not any(p.table == "projects" for p in problems):
        problems.append(
            Problem(
                "projects",
                sql.label("projects", "mapping"),
                None,
                None,
                None,
                "the projects table is required: add a 'projects' table to the database "
                "or name its table or query in a mapping file",
            )
        )
    loaded: dict[str, pd.DataFrame | OutOfCoreTable] = {}
    collectors: dict[str, Collector] = {}
    con = None
    for table, raw in raws.items():
        label = sql.label(table, where[table])
        if isinstance(raw, Pushed):
            con = con or sql.ibis_backend()
            try:
                pushed, collectors[table] = validate_pushed(
                    table, sql.ibis_table(con, raw.spec), label, raw.key, sql.backend, limit=limit
                )
            except CannotPush:  # a column the database cannot type: the table is read whole
                raw = sql.read_whole(table, raw.spec)
            else:
                if pushed is not None:  # answers what an OutOfCoreTable answers (pmo_analysis.inputs.pushdown)
                    loaded[table] = cast("OutOfCoreTable", pushed)
                    prints.append({"table": table, "from": where[table], **pushed.fingerprint()})
                continue
            prints.append({"table": table, "from": where[table], **fingerprint_rows(raw.df)})
        df, collectors[table] = validate_table(table, raw, label, text_source=False, limit=limit)
        if df is not None:
            loaded[table] = df
    prints.sort(key=lambda p: TABLES.index(p["table"]))
    record = {
        "source": sql.display,
        "mapping_file": None if sql.mapping_file is None else str(sql.mapping_file),
        "tables": prints,
    }
    return sql.display, where, loaded, collectors, problems, record


def _read_and_validate_files(mapping: FileMapping, wanted: set[str], limit: int | None, engine: str):
    """Read the tables a file mapping names, reshaped as it says, and the tables it does not name
    from its folder as in a data folder; check them all as :func:`_read_and_validate` does.

    Returns what :func:`_read_and_validate_sql` returns: ``(the mapping file, where each table was
    read from, typed tables, problems per table, other problems, the manifest's record)``.
    """
    loaded: dict[str, pd.DataFrame | OutOfCoreTable] = {}
    collectors: dict[str, Collector] = {}
    problems: list[Problem] = []
    prints = []
    where: dict[str, Path | str] = {}
    for table in TABLES:
        if table not in mapping.tables or table not in wanted:
            continue
        tm = mapping.tables[table]
        try:
            raw = mapping.read(table)
        except Exception as exc:  # noqa: BLE001 - unreadable file: report it as a problem, keep going
            problems.append(read_problem(tm, exc))
            continue
        where[table] = tm.shown
        prints.append({"table": table, "from": tm.shown, **fingerprint_rows(raw.df)})
        df, collectors[table] = mapping.validate(table, raw, limit=limit)
        if df is not None:
            loaded[table] = df
    files, sheets, found = find_tables(mapping.folder)  # the tables it does not name, in contract shape
    own = set(mapping.files())
    files = {t: f for t, f in files.items() if t not in mapping.tables and f.resolve() not in own}
    problems += [p for p in found if p.table not in mapping.tables]
    more, more_collectors, unreadable = _read_and_validate(files, sheets, wanted, limit=limit, engine=engine)
    loaded.update(more)
    collectors.update(more_collectors)
    problems += unreadable
    where.update({t: f for t, f in files.items() if t in more_collectors})
    if "projects" not in mapping.tables and "projects" not in files:
        problems.append(
            Problem(
                "projects",
                mapping.path.name,
                None,
                None,
                None,
                "the projects table is required: name its file or sheet under tables: projects: "
                f"or put projects.csv beside {mapping.path.name}",
            )
        )
    record = {
        "kind": "files",
        "source": str(mapping.path),
        "mapping_file": str(mapping.path),
        "files": [str(f) for f in [*mapping.files(), *(files[t] for t in more_collectors)]],
        "tables": prints,
    }
    return mapping.path, where, loaded, collectors, problems, record


def _with_referred_tables(tables: Iterable[str]) -> set[str]:
    """``tables`` and the tables they refer to (loaded to check the references)."""
    wanted = set(tables)
    for t in list(wanted):
        wanted.update(ref_table for _, ref_table, _ in references(t))
    return wanted


def _check_tables_found(data_dir: Path, files: dict[str, Path]) -> list[Problem]:
    """Raise when the folder holds no table at all; a problem when the projects table is missing."""
    if not files:
        raise DataValidationError(
            [
                Problem(
                    "-",
                    str(data_dir),
                    None,
                    None,
                    None,
                    "no portfolio tables found: expected files such as "
                    "projects.csv, cashflows.csv (see docs/data-dictionary.md)",
                )
            ],
            str(data_dir),
        )
    if "projects" not in files:
        return [
            Problem(
                "projects",
                "projects.csv",
                None,
                None,
                None,
                "the projects table is required: add projects.csv (or .xlsx/.parquet, or a 'projects' sheet)",
            )
        ]
    return []


def _read_and_validate(
    files: dict[str, Path], sheets: dict[str, str], wanted: set[str], *, limit: int | None, engine: str = "auto"
) -> tuple[dict[str, pd.DataFrame | OutOfCoreTable], dict[str, Collector], list[Problem]]:
    """Read and type each wanted table that has a file, in :data:`TABLES` order; a large table
    is checked where it lies and stays there (:mod:`pmo_analysis.inputs.engine`).

    Returns the typed tables, the problems of each table read, and a problem for each file that
    could not be read at all (reported, and the other tables still read).
    """
    loaded: dict[str, pd.DataFrame | OutOfCoreTable] = {}
    collectors: dict[str, Collector] = {}
    unreadable: list[Problem] = []
    for table in TABLES:
        if table not in files or table not in wanted:
            continue
        path = files[table]
        label = path.name if table not in sheets else f"{path.name} [sheet {sheets[table]}]"
        if table not in sheets and use_engine(engine, table, path):
            try:
                checked = validate_out_of_core(table, path, label, limit=limit)
            except Exception as exc:  # noqa: BLE001 - unreadable file: report it as a problem, keep going
                unreadable.append(Problem(table, label, None, None, None, f"cannot read the file: {exc}"))
                continue
            # None: a CSV DuckDB cannot number as a spreadsheet does; the pandas path below says why
            if checked is not None:
                large, collectors[table] = checked
                if large is not None:
                    loaded[table] = large
                continue
        try:
            raw = read_table(path, table, sheets.get(table))
        except ReadError as exc:
            unreadable.append(Problem(table, label, None, None, None, str(exc)))
            continue
        except Exception as exc:  # noqa: BLE001 - unreadable file: report it as a problem, keep going
            unreadable.append(Problem(table, label, None, None, None, f"cannot read the file: {exc}"))
            continue
        df, collectors[table] = validate_table(table, raw, label, text_source=path.suffix != ".parquet", limit=limit)
        if df is not None:
            loaded[table] = df
    return loaded, collectors, unreadable


def _raise_unless_usable(
    data_dir: Path | str, problems: list[Problem], collectors: dict[str, Collector], on_error: str
) -> list[Problem]:
    """Every problem found, in order; raise :class:`DataValidationError` listing them when there is
    an error and either ``on_error`` is ``"raise"`` or no row removal can fix it.
    """
    all_problems = problems + [p for c in collectors.values() for p in c.problems]
    errors = [p for p in all_problems if p.severity == "error"]
    fatal = problems + [p for c in collectors.values() for p in c.fatal]
    if errors and (on_error == "raise" or fatal):
        raise DataValidationError(all_problems, str(data_dir))
    return all_problems


def _portfolio(
    data_dir: Path | str,
    files: dict[str, Path],
    loaded: dict[str, pd.DataFrame | OutOfCoreTable],
    collectors: dict[str, Collector],
    all_problems: list[Problem],
) -> Portfolio:
    """The loaded tables (index reset), with the files read, the warnings and the rows left out."""
    portfolio = Portfolio(data_dir=data_dir, files={t: files[t] for t in collectors})
    for table, df in loaded.items():
        if isinstance(df, pd.DataFrame):
            setattr(portfolio, table, df.reset_index(drop=True))
        else:
            portfolio.out_of_core[table] = df
    portfolio.warnings = [p for p in all_problems if p.severity == "warning"]
    portfolio.dropped = [p for p in all_problems if p.severity in ("error", "dropped")]
    return portfolio
