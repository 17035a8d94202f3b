"""Fixtures shared by the tests of inputs: one throwaway PostgreSQL cluster for the test session
(test_sql.py and test_pushdown.py read the same sample from it), started with ``initdb`` /
``pg_ctl`` on a free port, skipped, with the reason, only where PostgreSQL's binaries cannot be
found (``.ci/run`` installs Debian's ``postgresql``); and the sample's model from its files, built
once for the session (test_pushdown.py, test_spark.py and test_file_mapping.py compare with it).
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from pmo_analysis import load_portfolio
from pmo_analysis.core.config import SAMPLE_AS_OF, SAMPLE_DATA_DIR
from pmo_analysis.inputs.schema import TABLES

PASSWORD = "s3cret-Pa55-never-shown"  # the cluster's password: no message, manifest or report may hold it
KEYS = {
    "projects": ["project_id"],
    "resources": ["resource_id"],
    "cashflows": ["project_id", "period"],
    "lessons": ["lesson_id"],
    "holidays": ["date"],
}


@pytest.fixture(scope="session")
def model(sample):
    """The sample's portfolio model as of the sample's date, built once for the tests of inputs
    (they only read it): the files' model that a database, a cluster or a mapping must equal."""
    from pmo_analysis.model import build_model

    return build_model(sample, as_of=SAMPLE_AS_OF)


@pytest.fixture(scope="session")
def sample_undated():
    """The sample read with no ``as_of``, as the database sources below are read (the session's
    ``sample`` has the sample's as_of)."""
    return load_portfolio(SAMPLE_DATA_DIR)


def _load(engine, portfolio, *, keys: bool = True) -> None:
    """Write every table of ``portfolio`` into the database, with primary keys as a PPM tool has them."""
    with engine.begin() as conn:
        for table in TABLES:
            getattr(portfolio, table).to_sql(table, conn, if_exists="replace", index=False)
            if keys and table in KEYS:
                conn.execute(sa.text(f"ALTER TABLE {table} ADD PRIMARY KEY ({', '.join(KEYS[table])})"))


# --------------------------------------------------------------------------- the PostgreSQL cluster
def _pg_bin() -> Path | None:
    """The folder of initdb and pg_ctl: on PATH, or where Debian's postgresql package puts them."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).parent
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True):
        return Path(candidate).parent
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def pg(tmp_path_factory, sample_undated):
    """A PostgreSQL cluster of its own on a free port, with password (scram) login and the sample
    loaded into database ``ppm``; yields its URL (no password) and stops the cluster afterwards.
    """
    bin_dir = _pg_bin()
    if bin_dir is None:
        pytest.skip(
            "PostgreSQL not found: neither initdb on PATH nor /usr/lib/postgresql/*/bin (apt-get install postgresql)"
        )
    # PostgreSQL refuses to run as root: as root the cluster belongs to the 'postgres' user, in a
    # folder that user can reach (pytest's own temporary folders are private to root)
    user = "postgres" if os.geteuid() == 0 else None
    base = Path(tempfile.mkdtemp(prefix="pmo-pg-")) if user else tmp_path_factory.mktemp("pg")
    if user:
        shutil.chown(base, user)
    data, port = base / "data", _free_port()
    (base / "pw").write_text(PASSWORD)

    def run(*args):
        return subprocess.run(
            [str(bin_dir / args[0]), *args[1:]], check=True, capture_output=True, text=True, user=user, cwd=base
        )

    run(
        "initdb",
        "-D",
        str(data),
        "-U",
        "pmo",
        "--auth=scram-sha-256",
        f"--pwfile={base / 'pw'}",
        "-E",
        "UTF8",
        "--locale=C",
    )
    (base / "pw").unlink()
    run(
        "pg_ctl",
        "-D",
        str(data),
        "-l",
        str(base / "log"),
        "-w",
        "-o",
        f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off",
        "start",
    )
    os.environ["PGPASSWORD"] = PASSWORD  # libpq's own variable: the password never is in the URL
    try:
        admin = sa.create_engine(f"postgresql+psycopg://pmo@127.0.0.1:{port}/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text("CREATE DATABASE ppm"))
            conn.execute(sa.text("CREATE DATABASE broken"))
        admin.dispose()
        url = f"postgresql://pmo@127.0.0.1:{port}/ppm"
        engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
        _load(engine, sample_undated)
        engine.dispose()
        yield {"url": url, "port": port, "log": base / "log"}
    finally:
        os.environ.pop("PGPASSWORD", None)
        subprocess.run(
            [str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
            user=user,
            cwd=base,
        )
        shutil.rmtree(base, ignore_errors=True)
