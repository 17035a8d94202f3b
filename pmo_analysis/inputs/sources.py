"""Read the portfolio from a SQL database instead of a data folder.

Wherever a data folder is accepted (``pmo-analysis validate``, ``run --data-dir``, a schedule's
``data_dir``, a notebook's ``data_dir``, :func:`~pmo_analysis.inputs.portfolio.load_portfolio`), a *data
source* may be given instead:

* a **database URL** (SQLAlchemy's form): ``postgresql://pmo_reader@ppm-db:5432/ppm``,
  ``sqlite:///exports/ppm.sqlite``, ``duckdb:///warehouse.duckdb``. Each contract table is read
  from the database table of the same name (any case);
* a **mapping file** (``*.yml``) for a database whose schema is not ours: its ``url`` and, per
  contract table, the database table or the SQL query to read it from::

      url: postgresql://pmo_reader@ppm-db.example.org:5432/ppm
      password_env: PPM_DB_PASSWORD    # optional: the variable holding the password
      tables:
        projects: ppm.project_register           # a table, optionally schema-qualified
        cashflows:
          query: |
            SELECT project_code AS project_id, fiscal_month AS period,
                   plan_cost AS planned_cost, plan_benefit AS planned_benefit,
                   actual_cost, actual_benefit
            FROM finance.monthly_forecast

  A contract table the mapping does not name is read from the table of its own name, if any.
  A mapping file without ``url:`` reads the PMO's own files instead (:mod:`pmo_analysis.inputs.mapping`).

The rows read are checked by the same contract and give the same messages as files, with the
database table's primary key (``project_id 'PRJ-007'``) or, for a query or a table without one,
the row of the query result (``result row 12``) in place of the spreadsheet row.

**The password never travels with the source.** A URL holding one is refused, wherever it is: in
the user part (``pmo:secret@``), in a query parameter (``?password=``, ``?sslpassword=``, any
parameter whose name says it is a secret, a ``dsn`` or ``options`` holding ``password=``) or in a
fragment (``#...``, which no database URL needs); the password comes
from the environment variable named by ``password_env``, or, for PostgreSQL, from libpq's own
``PGPASSWORD`` or ``~/.pgpass`` (``PGPASSFILE``). What is shown, logged or recorded in a manifest
is :func:`describe_source`, the URL without a password.

**A read never writes.** The session is opened read-only where the driver allows it: PostgreSQL
with ``default_transaction_read_only``, SQLite with ``mode=ro`` (a mistyped path is then an error,
never a new empty database file), DuckDB with ``read_only``. A mapping file's ``query`` must be a
single ``SELECT`` or ``WITH`` statement, or it is refused before anything is sent
(:func:`check_query`).

Each table read gets a fingerprint (:func:`fingerprint_rows`): its row count and a SHA-256 of
its rows that does not depend on their order, recorded in the run's manifest so that two runs
can be told to have read the same data.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pmo_analysis.core.exceptions import DataValidationError, ParameterError, Problem, ReadError
from pmo_analysis.inputs.mapping import mapping_kind
from pmo_analysis.inputs.pushdown import PUSHDOWN_ROWS
from pmo_analysis.inputs.readers import RawTable
from pmo_analysis.inputs.schema import TABLES
from pmo_analysis.inputs.validation import key_labels

__all__ = [
    "SqlSource",
    "is_database_url",
    "is_mapping_file",
    "is_sql_source",
    "data_source",
    "describe_source",
    "open_sql_source",
    "fingerprint_rows",
    "check_query",
]

_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")
_MAPPING_SUFFIXES = (".yml", ".yaml")
_NO_PASSWORD_IN_URL = (
    "give it in the environment (the variable named by password_env in a mapping file, "  # noqa: S105 - a message
    "or PGPASSWORD) or in a .pgpass file, never in the URL"
)


# --------------------------------------------------------------------------- what a data source is
def is_database_url(value: Any) -> bool:
    """True when ``value`` is a URL (``scheme://...``) rather than a path.

    Examples
    --------
    >>> is_database_url("postgresql://pmo@db/ppm"), is_database_url("data/sample")
    (True, False)
    """
    return isinstance(value, str) and bool(_URL.match(value.strip()))


def is_mapping_file(value: Any) -> bool:
    """True when ``value`` names a ``.yml``/``.yaml`` file: a mapping file (see the module docstring)."""
    return (
        not is_database_url(value)
        and isinstance(value, (str, Path))
        and Path(str(value)).suffix.lower() in _MAPPING_SUFFIXES
    )


def is_sql_source(value: Any) -> bool:
    """True when ``value`` is read from a database: a database URL or a mapping file."""
    return is_database_url(value) or is_mapping_file(value)


#: Query parameters of a URL that hold a secret: libpq's ``password`` and ``sslpassword``, and any
#: parameter whose name says it is one (``pwd``, ``passwd``, ``db_password``, ``secret``, ``token``);
#: not ``passfile``, which names a .pgpass file.
_SECRET_PARAM = re.compile(r"pass(?!file$)|pwd|secret|token|credential|api[-_]?key", re.IGNORECASE)
#: A parameter value that holds a libpq connection string with a secret in it (``dsn``, ``options``).
_SECRET_IN_VALUE = re.compile(r"(?:^|[\s;&])\w*(?:pass|pwd|secret|token)\w*\s*=", re.IGNORECASE)


def _url(text: str, *, where: str):
    """The SQLAlchemy URL of ``text``; a URL that cannot be read or that holds a password anywhere
    (user part, query parameters, fragment) is refused, and the message shows none of it.
    """
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    text = text.strip()
    if "#" in text:  # no database URL needs a fragment; it would carry its text into every record
        raise ParameterError(
            f"{where}: the database URL {_scheme_only(text)} has a fragment ('#...'), which may hold a "
            f"password and no database needs; remove it ({_NO_PASSWORD_IN_URL})"
        )
    try:
        url = make_url(text)
    except (ArgumentError, ValueError):
        raise ParameterError(
            f"{where}: not a database URL such as postgresql://user@host:5432/dbname: {_scheme_only(text)!r}"
        ) from None
    if url.password is not None:
        raise ParameterError(f"{where}: the database URL {_masked(url)} holds a password; {_NO_PASSWORD_IN_URL}")
    secret = _secret_params(url)
    if secret:
        raise ParameterError(
            f"{where}: the database URL {_masked(url)} holds a secret in its query parameter(s) "
            f"{', '.join(map(repr, secret))}; {_NO_PASSWORD_IN_URL}"
        )
    return url


def _secret_params(url) -> list[str]:
    """The names of ``url``'s query parameters that hold a secret (see :data:`_SECRET_PARAM`)."""
    found = []
    for name, value in url.query.items():
        values = value if isinstance(value, tuple) else (value,)
        if _SECRET_PARAM.search(name) or any(_SECRET_IN_VALUE.search(str(v)) for v in values):
            found.append(name)
    return found


def _masked(url) -> str:
    """``url`` as text with its password and every secret query parameter shown as ``***``."""
    secret = _secret_params(url)
    if secret:
        url = url.update_query_dict({name: "SECRET" for name in secret})
    return url.render_as_string(hide_password=True).replace("=SECRET", "=***")


def _scheme_only(text: str) -> str:
    """``text`` cut after its host: a URL that cannot be parsed may still hold a password."""
    m = re.match(r"^([^:/]+://)(?:[^@/]*@)?([^/]*)", text.strip())
    return (m.group(1) + m.group(2) + "/...") if m else "..."


def _database_url(text: str, *, where: str) -> str:
    """``text`` stripped, once :func:`_url` has checked it is a database URL without a password."""
    text = text.strip()
    _url(text, where=where)
    return text


def data_source(value: str | Path, *, base: Path | None = None, where: str = "data_dir") -> str | Path:
    """``value`` as a data source: a database URL stays text (checked: no password in it), a folder
    or a mapping file becomes a path (relative to ``base`` when given).

    Examples
    --------
    >>> data_source("sqlite:///ppm.sqlite")
    'sqlite:///ppm.sqlite'
    >>> data_source("postgresql://pmo:secret@db/ppm")
    Traceback (most recent call last):
    ...
    pmo_analysis.core.exceptions.ParameterError: data_dir: the database URL postgresql://pmo:***@db/ppm holds a \
password; give it in the environment (the variable named by password_env in a mapping file, or PGPASSWORD) \
or in a .pgpass file, never in the URL
    """
    if is_database_url(value):
        return _database_url(str(value), where=where)
    path = Path(value).expanduser()
    return path if base is None or path.is_absolute() else base / path


def describe_source(value: str | Path) -> str:
    """How a data source is shown in messages, logs, manifests and reports: a folder or mapping
    file as its path, a database URL without any password.

    Examples
    --------
    >>> describe_source("postgresql://pmo@db.example.org:5432/ppm")
    'postgresql://pmo@db.example.org:5432/ppm'
    >>> describe_source("postgresql://pmo:secret@db/ppm")
    'postgresql://pmo:***@db/ppm'
    """
    if not is_database_url(value):
        return str(value)
    from sqlalchemy.engine import make_url

    text = str(value).strip()
    if "#" in text:  # a fragment may hold anything: show no more than scheme and host
        return _scheme_only(text)
    try:
        url = make_url(text)
        return text if url.password is None and not _secret_params(url) else _masked(url)
    except Exception:  # noqa: BLE001 - unreadable: show no more than scheme and host
        return _scheme_only(text)


def short_name(value: str | Path) -> str:
    """A short name of a data source for a report header: a folder's name, ``ppm (postgresql)``."""
    if is_database_url(value):
        from sqlalchemy.engine import make_url

        url = make_url(str(value))
        return f"{Path(url.database or '').name or url.host} ({url.get_backend_name()})"
    return Path(value).name


# --------------------------------------------------------------------------- the SQL source
@dataclass
class SqlSource:
    """A database to read the portfolio from: its URL (no password), where each table comes from,
    and how to get the password. Made by :func:`open_sql_source`.
    """

    url: str
    """The URL as given, without a password (see :func:`describe_source`)."""
    tables: dict[str, dict[str, str]] = field(default_factory=dict)
    """Per contract table: ``{"table": "schema.name"}`` or ``{"query": "SELECT ..."}``."""
    password_env: str | None = None
    mapping_file: Path | None = None

    @property
    def display(self) -> str:
        """The source as shown to people: the URL without a password."""
        return describe_source(self.url)

    def _engine(self):
        import sqlalchemy as sa

        url = _url(self.url, where=str(self.mapping_file or "data_dir"))
        if url.drivername == "postgresql":  # psycopg 3, the driver installed with the workbook
            url = url.set(drivername="postgresql+psycopg")
        url, connect_args = _read_only(url)
        if self.password_env:
            password = os.environ.get(self.password_env)
            if password is None:
                raise ParameterError(
                    f"{self.mapping_file}: password_env names {self.password_env!r}, "
                    "which is not set in the environment"
                )
            url = url.set(password=password)
        return sa.create_engine(url, poolclass=sa.pool.NullPool, connect_args=connect_args)

    def _scrub(self, text: str) -> str:
        """``text`` without the password, should a driver ever repeat it."""
        password = os.environ.get(self.password_env) if self.password_env else None
        return text.replace(password, "***") if password else text

    def read(
        self, wanted: set[str], engine: str = "auto"
    ) -> tuple[dict[str, RawTable | Pushed], dict[str, str], list[Problem], list[dict[str, Any]]]:
        """Read every wanted contract table the database holds.

        Returns ``(raw tables, where each was read from, problems, fingerprints)``: ``where`` is
        ``table ppm.project_register`` or ``query``; a problem names a mapped table that does not
        exist or a query that failed (the other tables are still read). A database that cannot
        be reached raises :class:`DataValidationError` with one problem saying why.

        A large table that the database can check and aggregate itself (:func:`push_down`) is not
        read: it is returned as :class:`Pushed`, and its fingerprint is computed in the database
        once it is checked (:mod:`pmo_analysis.inputs.pushdown`).
        """
        import sqlalchemy as sa

        if self.backend in _IBIS_ONLY:
            return self._read_through_ibis(wanted, engine)
        db = self._engine()
        raws: dict[str, RawTable | Pushed] = {}
        where: dict[str, str] = {}
        problems: list[Problem] = []
        prints: list[dict[str, Any]] = []
        try:
            with db.connect() as conn:
                present = self._present_tables(sa.inspect(conn))
                for table, spec in self._specs(wanted, present):
                    try:
                        pushed = self._pushed(conn, table, spec, engine)
                        if pushed is not None:
                            raws[table], where[table] = pushed, pushed.origin
                            continue
                        raw, where[table] = self._read_one(conn, table, spec, present)
                    except _NotFound as exc:
                        problems.append(Problem(table, self.label(table, "mapping"), None, None, None, str(exc)))
                        continue
                    except sa.exc.SQLAlchemyError as exc:
                        conn.rollback()
                        origin = "query" if "query" in spec else f"table {spec['table']}"
                        problems.append(
                            Problem(
                                table,
                                self.label(table, origin),
                                None,
                                None,
                                None,
                                f"cannot read it: {self._scrub(_first_line(exc))}",
                            )
                        )
                        continue
                    raws[table] = raw
                    prints.append({"table": table, "from": where[table], **fingerprint_rows(raw.df)})
        except sa.exc.OperationalError as exc:
            raise DataValidationError(
                [
                    Problem(
                        "-",
                        self.display,
                        None,
                        None,
                        None,
                        f"cannot read the database: {self._scrub(_first_line(exc))}",
                    )
                ],
                self.display,
            ) from None
        finally:
            db.dispose()
        return raws, where, problems, prints

    def label(self, table: str, origin: str) -> str:
        """How problems name where ``table`` was read from (in place of a file name)."""
        return f"{table} [{origin}] in {self.display}"

    def _specs(self, wanted: set[str], present: dict[str, str]) -> Iterator[tuple[str, dict[str, str]]]:
        """The wanted contract tables, in contract order, each with where to read it: the mapping
        file's table or query, else the table of its own name the database holds (``present``);
        a table found in neither is left out.
        """
        for table in TABLES:
            spec = self.tables.get(table) or ({"table": present[table]} if table in present else None)
            if table in wanted and spec is not None:
                yield table, spec

    def _present_tables(self, inspector) -> dict[str, str]:
        """Contract tables the database holds under their own name (any case), to the name as written."""
        names = inspector.get_table_names() + inspector.get_view_names()
        return {n.lower(): n for n in names if n.lower() in TABLES}

    def _read_one(self, conn, table: str, spec: dict[str, str], present: dict[str, str]) -> tuple[RawTable, str]:
        """One table as a :class:`RawTable` whose rows are labelled by primary key or result row."""
        import sqlalchemy as sa

        if "query" in spec:
            check_query(spec["query"], where=f"{self.mapping_file}: tables.{table}.query")
            raw = _read_result(conn.execute(sa.text(spec["query"])))
            raw.row_numbers = _result_rows(len(raw.df))
            return raw, "query"
        schema, _, name = spec["table"].rpartition(".")
        key = _primary_key(conn, spec["table"])
        select = sa.select(sa.text("*")).select_from(sa.table(name, schema=schema or None))
        raw = _read_result(conn.execute(select.order_by(*map(sa.column, key))))
        # the key as the table's columns name it (a label for people, read before validation renames)
        raw.row_numbers = key_labels(raw.df, key) if key else _result_rows(len(raw.df))
        return raw, f"table {spec['table']}"

    # ----------------------------------------------------------------------- pushdown
    @property
    def backend(self) -> str:
        """The kind of database: ``postgresql``, ``duckdb``, ``sqlite``, ``spark``, ``sc`` (Spark Connect)."""
        return _url(self.url, where=str(self.mapping_file or "data_dir")).get_backend_name()

    def _pushed(self, conn, table: str, spec: dict[str, str], engine: str) -> Pushed | None:
        """``table`` left in the database when it is large and the database can check it
        (:func:`push_down`); ``None`` when it is read whole.
        """
        import sqlalchemy as sa

        if not push_down(self.backend, table, engine):
            return None
        counted: Any
        if "query" in spec:
            check_query(spec["query"], where=f"{self.mapping_file}: tables.{table}.query")
            counted = sa.text(f"SELECT count(*) FROM ({spec['query'].strip().rstrip(';')}) AS q")
            key: list[str] = []
        else:
            schema, _, name = spec["table"].rpartition(".")
            if not sa.inspect(conn).has_table(name, schema=schema or None):
                raise _NotFound(f"the mapping names table {spec['table']!r}, which is not in the database")
            counted = sa.select(sa.func.count()).select_from(sa.table(name, schema=schema or None))
            key = _primary_key(conn, spec["table"])
        rows = _estimated_rows(conn, spec) if engine == "auto" and self.backend == "postgresql" else None
        if rows is None or rows <= 2 * PUSHDOWN_ROWS:  # near the threshold, or unknown: counted
            rows = conn.execute(counted).scalar_one()
        if engine == "auto" and rows <= PUSHDOWN_ROWS:
            return None
        return Pushed(spec, key, rows, "query" if "query" in spec else f"table {spec['table']}")

    def read_whole(self, table: str, spec: dict[str, str]) -> RawTable:
        """``table`` read whole, as a small table is: when the database cannot type it (:class:`Pushed` given up)."""
        if self.backend in _IBIS_ONLY:
            from pmo_analysis.inputs.pushdown import read_whole

            df = read_whole(self.ibis_table(self.ibis_backend(), spec))
            return RawTable(df, row_numbers=_result_rows(len(df)))
        db = self._engine()
        try:
            with db.connect() as conn:
                return self._read_one(conn, table, spec, {})[0]
        finally:
            db.dispose()

    def ibis_backend(self):
        """An ibis connection to the database, read-only as :func:`_read_only` opens it."""
        import ibis

        url = _url(self.url, where=str(self.mapping_file or "data_dir"))
        backend = url.get_backend_name()
        if backend == "postgresql":
            url, connect_args = _read_only(url)
            password = os.environ.get(self.password_env) if self.password_env else None
            query = {k: v for k, v in url.query.items() if isinstance(v, str)}
            return ibis.postgres.connect(
                host=url.host,
                port=url.port or 5432,
                user=url.username,
                password=password,
                database=url.database,
                **{**query, **connect_args},
            )
        if backend == "duckdb":
            _read_only(url)  # a missing file is one line
            return ibis.duckdb.connect(url.database, read_only=True)
        if backend in _IBIS_ONLY:
            return _spark_backend(url)
        raise ParameterError(f"{self.display}: {backend} is read whole; pushdown needs PostgreSQL, DuckDB or Spark")

    def ibis_table(self, con, spec: dict[str, str]):
        """The ibis table of a mapping's ``{"table": ...}`` or ``{"query": ...}``."""
        if "query" in spec:
            query = check_query(spec["query"], where=f"{self.mapping_file}: query").strip().rstrip(";")
            # ibis learns a query's columns from a temporary view, which a read-only session may not create
            return con.sql(query, schema=_query_schema(con, query)) if con.name == "postgres" else con.sql(query)
        schema, _, name = spec["table"].rpartition(".")
        return con.table(name, database=schema or None)

    def _read_through_ibis(self, wanted: set[str], engine: str):
        """:meth:`read` for an engine SQLAlchemy does not reach (Spark): every table through ibis,
        the large ones left there (:class:`Pushed`), rows named by their row in the result.
        """
        from pmo_analysis.inputs.pushdown import read_whole

        raws: dict[str, RawTable | Pushed] = {}
        where: dict[str, str] = {}
        problems: list[Problem] = []
        prints: list[dict[str, Any]] = []
        try:
            con = self.ibis_backend()
            present = {n.lower(): n for n in con.list_tables() if n.lower() in TABLES}
        except Exception as exc:  # noqa: BLE001 - an engine that cannot be reached: one line
            raise DataValidationError(
                [Problem("-", self.display, None, None, None, f"cannot reach the engine: {_first_line(exc)}")],
                self.display,
            ) from None
        for table, spec in self._specs(wanted, present):
            origin = "query" if "query" in spec else f"table {spec['table']}"
            try:
                t = self.ibis_table(con, spec)
                if push_down(self.backend, table, engine) and (
                    engine != "auto" or int(t.count().to_pyarrow().as_py()) > PUSHDOWN_ROWS
                ):
                    raws[table], where[table] = Pushed(spec, [], -1, origin), origin
                    continue
                df = read_whole(t)
            except Exception as exc:  # noqa: BLE001 - a table or query that fails: reported, the others read
                problems.append(
                    Problem(table, self.label(table, origin), None, None, None, f"cannot read it: {_first_line(exc)}")
                )
                continue
            raws[table], where[table] = RawTable(df, row_numbers=_result_rows(len(df))), origin
            prints.append({"table": table, "from": origin, **fingerprint_rows(df)})
        return raws, where, problems, prints


def _estimated_rows(conn, spec: dict[str, str]) -> int | None:
    """PostgreSQL's own estimate of a table's rows (``pg_class.reltuples``, kept by ``ANALYZE`` and
    autovacuum), read without a scan; ``None`` for a query or a table it has no estimate of. Only
    decides whether a table is large: a count of a hundred million rows is a scan of its own.
    """
    import sqlalchemy as sa

    if "query" in spec:
        return None
    got = conn.execute(
        sa.text("SELECT reltuples FROM pg_class WHERE oid = to_regclass(:name)"), {"name": spec["table"]}
    ).scalar()
    return None if got is None or got < 0 else int(got)


@dataclass
class Pushed:
    """A table left in the database, to be checked and aggregated there (:mod:`pmo_analysis.inputs.pushdown`)."""

    spec: dict[str, str]
    key: list[str]
    rows: int
    origin: str


#: Engines reached through ibis alone: Spark (``spark://host:7077``, ``spark://local`` for local
#: mode) and Spark Connect (``sc://host:15002``).
_IBIS_ONLY = ("spark", "sc")
#: Engines that check and aggregate a large table themselves (through ibis).
_PUSHDOWN_BACKENDS = ("postgresql", "duckdb", *_IBIS_ONLY)


def push_down(backend: str, table: str, engine: str) -> bool:
    """True when ``table`` of a ``backend`` database may be checked and aggregated there: a table
    that grows with days (:data:`~pmo_analysis.inputs.engine.OUT_OF_CORE`), an engine ibis reaches,
    ibis installed, and ``engine`` not ``"pandas"``; ``engine="auto"`` then decides by row count
    (:data:`~pmo_analysis.inputs.pushdown.PUSHDOWN_ROWS`).
    """
    from pmo_analysis.inputs.engine import OUT_OF_CORE
    from pmo_analysis.inputs.pushdown import available

    return engine != "pandas" and table in OUT_OF_CORE and backend in _PUSHDOWN_BACKENDS and available()


def _spark_backend(url):
    """An ibis connection to Spark: ``spark://local`` (local mode, or the session already running),
    ``spark://host:7077`` (a standalone master), ``sc://host:15002`` (Spark Connect).
    """
    import ibis
    from pyspark.sql import SparkSession

    if url.get_backend_name() == "sc":
        session = SparkSession.builder.remote(str(url)).getOrCreate()
    elif url.host in (None, "", "local"):
        session = SparkSession.getActiveSession() or SparkSession.builder.master("local[2]").getOrCreate()
    else:
        session = SparkSession.builder.master(f"spark://{url.host}:{url.port or 7077}").getOrCreate()
    con = ibis.pyspark.connect(session)
    if url.database:
        con.raw_sql(f"USE {url.database}")
    return con


def _query_schema(con, query: str):
    """The ibis schema of a PostgreSQL query's result, from the types of its columns (nothing is created)."""
    import ibis
    from ibis.backends.sql.datatypes import PostgresType

    with con.con.cursor() as cur:
        cur.execute(f"SELECT * FROM ({query}) AS q LIMIT 0")
        columns = [(d.name, d.type_code) for d in cur.description]
        cur.execute("SELECT oid, format_type(oid, NULL) FROM pg_type WHERE oid = ANY(%s)", [[t for _, t in columns]])
        names = dict(cur.fetchall())
    return ibis.schema({name: PostgresType.from_string(names[oid]) for name, oid in columns})


def _primary_key(conn, table: str) -> list[str]:
    """The primary key columns of ``table`` (``schema.name``); ``[]`` when there is none or the dialect cannot tell."""
    import sqlalchemy as sa

    schema, _, name = table.rpartition(".")
    inspector = sa.inspect(conn)
    if not inspector.has_table(name, schema=schema or None):
        raise _NotFound(f"the mapping names table {table!r}, which is not in the database")
    try:
        return inspector.get_pk_constraint(name, schema=schema or None).get("constrained_columns") or []
    except (sa.exc.SQLAlchemyError, NotImplementedError):  # a dialect that cannot tell: rows of the result
        conn.rollback()
        return []


def _read_only(url) -> tuple[Any, dict[str, Any]]:
    """``url`` and the driver's connection arguments that open the session read-only.

    PostgreSQL: every transaction read-only (``default_transaction_read_only``, added to any
    ``options`` the URL gives). SQLite: the file opened with ``mode=ro`` as a URI, so a mistyped
    path is an error and never a new empty file. DuckDB: ``read_only`` (a missing file is an error
    too). Other databases: as the URL says (the query check still holds).
    """
    backend = url.get_backend_name()
    if backend == "postgresql":
        given = url.query.get("options")
        options = " ".join(
            filter(None, [given if isinstance(given, str) else None, "-c default_transaction_read_only=on"])
        )
        return url.difference_update_query(["options"]), {"options": options}
    if backend == "sqlite" and url.database and url.database != ":memory:" and not url.database.startswith("file:"):
        path = Path(url.database).expanduser().resolve()
        if not path.is_file():  # sqlite would say only "unable to open database file"
            raise DataValidationError(
                [Problem("-", describe_source(str(url)), None, None, None, f"no database file at {str(path)!r}")],
                describe_source(str(url)),
            )
        return url.set(database=f"file:{path.as_uri().removeprefix('file://')}?mode=ro").update_query_dict(
            {"uri": "true"}
        ), {}
    if backend == "duckdb" and url.database and url.database != ":memory:":
        path = Path(url.database).expanduser()
        if not path.is_file():
            raise DataValidationError(
                [
                    Problem(
                        "-", describe_source(str(url)), None, None, None, f"no database file at {str(path.resolve())!r}"
                    )
                ],
                describe_source(str(url)),
            )
        return url, {"read_only": True}
    return url, {}


def check_query(query: str, *, where: str = "query") -> str:
    """``query`` if it is a single ``SELECT`` or ``WITH`` statement that only reads; otherwise a
    :class:`ParameterError` naming it, raised before anything is sent to the database.

    The statements are split by ``sqlparse`` (a well-kept SQL tokenizer: a ``;`` inside a string
    or a comment does not split). A ``WITH`` that writes, a ``SELECT ... INTO`` and every other
    statement (``DROP``, ``DELETE``, ``COMMIT``, ``SET``, ``PRAGMA``, ``ATTACH``) are refused;
    where the driver allows it the session is read-only as well (:func:`_read_only`).

    Examples
    --------
    >>> check_query("SELECT * FROM risks -- a comment; with a semicolon")
    'SELECT * FROM risks -- a comment; with a semicolon'
    >>> check_query("SELECT * FROM risks; DELETE FROM audit; COMMIT")
    Traceback (most recent call last):
    ...
    pmo_analysis.core.exceptions.ParameterError: query: must be a single SELECT or WITH statement, got 3 \
statements; nothing was sent to the database
    """
    import sqlparse
    from sqlparse import tokens

    statements = [st for st in sqlparse.parse(query) if str(st).strip().strip(";").strip()]
    if len(statements) != 1:
        raise ParameterError(
            f"{where}: must be a single SELECT or WITH statement, got {len(statements)} statements; "
            "nothing was sent to the database"
        )
    statement = statements[0]
    keywords = [t.normalized.upper() for t in statement.flatten() if t.ttype in tokens.Keyword]
    # every data or schema verb in it a SELECT (a WITH ... DELETE is a DML verb), and no SELECT ... INTO
    verbs = {t.normalized.upper() for t in statement.flatten() if t.ttype in (tokens.DML, tokens.DDL)}
    first = keywords[0] if keywords else "non-SQL"
    if statement.get_type() != "SELECT":
        why = f"it is a {first} statement"
    elif verbs - {"SELECT"}:
        why = f"it holds {', '.join(sorted(verbs - {'SELECT'}))}"
    elif "INTO" in keywords:
        why = "it selects INTO a table"
    else:
        return query
    raise ParameterError(
        f"{where}: must be a single SELECT or WITH statement that only reads; {why}; nothing was sent to the database"
    )


class _NotFound(ReadError):
    """A table named by the mapping file is not in the database."""


def _read_result(result) -> RawTable:
    """The rows of a query result, untyped, noting the cells that hold a floating-point NaN.

    A NaN stored in a float column is "not a number" to validation, as in Parquet; pandas' own
    readers turn it into an empty cell, so the rows are read as the driver gives them and NULL
    (``None``) is told from NaN before the columns are typed.
    """
    names = list(result.keys())
    # plain tuples: numpy asks a driver's row object for attributes it lacks, one exception each
    values = np.array([tuple(r) for r in result.fetchall()], dtype=object).reshape(-1, len(names))
    nan_cells = {}
    for i in range(len(names)):  # columns, not rows
        column = values[:, i]
        nan = pd.isna(column) & (column != None)  # noqa: E711 - elementwise: NaN, not NULL
        if nan.any():
            nan_cells[i] = nan
    df = pd.DataFrame(values, columns=names).infer_objects()
    return RawTable(df, nan_cells=nan_cells)


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip().splitlines()
    return text[0] if text else type(orig).__name__


def _result_rows(n: int) -> np.ndarray:
    """``result row 1`` ... ``result row n``: rows of a query result, in the order returned."""
    return np.char.add("result row ", np.arange(1, n + 1).astype(str)).astype(object)


def fingerprint_rows(df: pd.DataFrame) -> dict[str, Any]:
    """Row count, columns and a SHA-256 of the rows of ``df`` that does not depend on their order.

    Each row is hashed (pandas' stable row hash of its values as read), the row hashes are sorted
    and the SHA-256 is taken of them and the column names: the same rows in any order give the
    same fingerprint, and any changed value, added or removed row gives another.

    Examples
    --------
    >>> a = pd.DataFrame({"id": ["P1", "P2"], "budget": [10.0, 20.0]})
    >>> fingerprint_rows(a)["sha256"] == fingerprint_rows(a.iloc[::-1])["sha256"]
    True
    >>> fingerprint_rows(a)["sha256"] == fingerprint_rows(a.assign(budget=[10.0, 21.0]))["sha256"]
    False
    """
    rows = np.sort(pd.util.hash_pandas_object(df.astype(str), index=False).to_numpy())
    h = hashlib.sha256()
    h.update("\x1f".join(map(str, df.columns)).encode("utf-8"))
    h.update(rows.tobytes())
    return {"rows": len(df), "columns": [str(c) for c in df.columns], "sha256": h.hexdigest()}


def open_sql_source(value: str | Path) -> SqlSource:
    """The :class:`SqlSource` of a database URL or a mapping file; a bad file is one line naming it."""
    if is_database_url(value):
        return SqlSource(url=_database_url(str(value), where="data_dir"))
    from pmo_analysis.core.yaml_files import read_yaml

    path = Path(value)
    spec = read_yaml(path, what="mapping file")
    if mapping_kind(spec, path) == "files":  # neither kind: one line saying what each needs
        raise ParameterError(f"{path}: a mapping of files (it has no url:): give it as the data folder itself")
    if not isinstance(spec, dict) or not isinstance(spec.get("url"), str):
        raise ParameterError(
            f"{path}: a mapping file needs 'url: <database URL>' and 'tables:' (see README, 'Reading from a database')"
        )
    unknown = set(spec) - {"url", "password_env", "tables"}
    if unknown:
        raise ParameterError(
            f"{path}: unknown field(s) {', '.join(sorted(map(str, unknown)))}; use url, password_env, tables"
        )
    url = _database_url(spec["url"], where=str(path))
    tables = spec.get("tables") or {}
    if not isinstance(tables, dict):
        raise ParameterError(f"{path}: 'tables' must map contract tables to a table name or {{query: ...}}")
    mapped: dict[str, dict[str, str]] = {}
    for name, how in tables.items():
        if str(name).lower() not in TABLES:
            raise ParameterError(
                f"{path}: 'tables' names {name!r}, which is not a contract table; use {', '.join(TABLES)}"
            )
        if isinstance(how, str) and how.strip():
            mapped[str(name).lower()] = {"table": how.strip()}
        elif (
            isinstance(how, dict)
            and set(how) <= {"table", "query"}
            and len(how) == 1
            and isinstance(next(iter(how.values())), str)
        ):
            mapped[str(name).lower()] = {k: v.strip() for k, v in how.items()}
            if "query" in how:  # refused here, before the database is reached
                check_query(how["query"], where=f"{path}: tables.{name}.query")
        else:
            raise ParameterError(f"{path}: tables.{name} must be a table name or {{query: SELECT ...}}, got {how!r}")
    password_env = spec.get("password_env")
    if password_env is not None and not (isinstance(password_env, str) and password_env.strip()):
        raise ParameterError(f"{path}: password_env must name an environment variable, got {password_env!r}")
    return SqlSource(url=url, tables=mapped, password_env=password_env, mapping_file=path)
