"""Relative links between the pages of one run: a portfolio report's project ids link to the project
pages, and every project page links back.

A run folder holds ``pages.json`` (written by the runner before any notebook starts), the pages the
run renders, by kind and key, each as a path relative to the run folder::

    {"projects": {"PRJ-020": "projects/PRJ-020.html"}, "departments": {"Finance": "departments/Finance.html"}}

Links are relative, so a copied or zipped run folder works offline; an id is linked only when the
run renders its page, so no link ever points at a missing file. Outside a run (a notebook opened
in JupyterLab) there is no ``pages.json`` and tables are shown without links.

A link is a :class:`markupsafe.Markup` cell in a column of dtype object: the workbook's tables
escape every text cell, and markupsafe, which pandas' Styler escapes with, leaves Markup as it is.
The id and href inside it are escaped here.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import numpy as np
import pandas as pd
from markupsafe import Markup

__all__ = ["PAGES_FILE", "page_stem", "page_path", "read_pages", "link", "link_projects", "run_folder"]

#: The run's list of pages, in the run folder.
PAGES_FILE = "pages.json"
#: Columns that hold a project id in the report tables.
PROJECT_COLUMNS = ("project_id", "from_project")
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")
_MARKUP = np.frompyfunc(Markup, 1, 1)


#: Bytes of a page's file name kept from its key (the name stays far below the 255-byte limit).
_STEM_BYTES = 60
#: Names Windows reserves whatever their case and extension (``CON.html`` cannot be opened there).
_RESERVED = re.compile(r"(?i)(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)")


def page_stem(key: str) -> str:
    """A file name (without ``.html``) for a project id or a department name, safe on every system
    a run folder is copied or unzipped to.

    A key of capitals, digits, ``_`` and ``-`` only (``PRJ-020``), of at most 60 characters and not
    a name Windows reserves (``CON``, ``NUL``, ``COM1``), is its own file name. Any other key is
    written with letters, digits, ``_`` and ``-`` kept and every other character as ``~`` and its
    code point in hex, cut at 60 bytes, followed by ``~`` and 12 hex digits of the SHA-256 of the key
    exactly as written. So no name is longer than 78 bytes, none reaches outside its folder, and
    two keys never share a file, also where file names ignore case (Windows, macOS) or
    Unicode normalisation (macOS): ``PRJ-012`` and ``prj-012``, or ``é`` written as one character
    or two, get two files. The key keeps its exact text in the page and its links (``pages.json``).

    Examples
    --------
    >>> page_stem("PRJ-020"), page_stem("..")
    ('PRJ-020', '~2e~2e~5ec1f7e700f3')
    >>> page_stem("prj-012") != page_stem("PRJ-012").lower()
    True
    """
    key = str(key)
    readable = _UNSAFE.sub(lambda m: f"~{ord(m.group()):x}", key)
    if (
        readable == key
        and len(key) <= _STEM_BYTES
        and not any("a" <= ch <= "z" for ch in key)
        and not _RESERVED.fullmatch(key)
    ):
        return key
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    return f"{readable[:_STEM_BYTES]}~{digest}"


def page_path(kind: str, key: str) -> str:
    """The page of ``key`` relative to the run folder: ``projects/PRJ-020.html``."""
    return f"{kind}/{page_stem(key)}.html"


def run_folder(output_dir: str | Path | None) -> Path | None:
    """The run folder of a notebook whose exported tables go to ``output_dir`` (``<run>/<notebook>``)."""
    return None if output_dir is None else Path(output_dir).resolve().parent


def read_pages(run_dir: str | Path | None) -> dict[str, dict[str, str]]:
    """The run's pages (``pages.json``), or no pages outside a run."""
    if run_dir is None:
        return {}
    path = Path(run_dir) / PAGES_FILE
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        return {}
    return _read(str(path), stamp)


@lru_cache(maxsize=8)
def _read(path: str, _stamp: int) -> dict[str, dict[str, str]]:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def link(text: Any, href: str) -> Markup:
    """``<a href="href">text</a>`` with both escaped, as a cell the tables show as a link."""
    return Markup(f'<a href="{_href(href)}">{html.escape(str(text))}</a>')  # noqa: S704 - both parts escaped


def _href(href: str) -> str:
    return html.escape(quote(href, safe="/~#.-_"))


def link_projects(
    df: pd.DataFrame, report: Any, *, columns: tuple[str, ...] = PROJECT_COLUMNS, prefix: str = ""
) -> pd.DataFrame:
    """A copy of ``df`` whose project-id columns link to the project pages of the run.

    ``report`` is the notebook's open report (``R``; its ``P.output_dir`` is inside the run folder)
    or the run folder itself. ``prefix`` leads from the page showing the table to the run folder
    (``"../"`` from a project page). Ids without a page stay text; outside a run, ``df`` is
    returned as it is. Call it on the frame just before it is shown, never on one to export.

    Examples
    --------
    >>> import tempfile
    >>> run = Path(tempfile.mkdtemp())
    >>> _ = (run / PAGES_FILE).write_text('{"projects": {"PRJ-1": "projects/PRJ-1.html"}}')
    >>> link_projects(pd.DataFrame({"project_id": ["PRJ-1", "PRJ-2"]}), run)["project_id"].tolist()
    [Markup('<a href="projects/PRJ-1.html">PRJ-1</a>'), 'PRJ-2']
    """
    folder = Path(report) if isinstance(report, (str, Path)) else run_folder(report.P.output_dir)
    pages = read_pages(folder).get("projects", {})
    if not pages:
        return df
    out = df.copy()
    for col in (c for c in columns if c in out.columns):
        ids = out[col]
        hrefs = ids.astype(object).map(pages)
        has = hrefs.notna()
        out[col] = ids.astype(object)
        cells = '<a href="' + (prefix + hrefs[has]).map(_href) + '">' + ids[has].astype(str).map(html.escape) + "</a>"
        # object cells of Markup (pandas would turn a mapped column back into plain text)
        out.loc[has, col] = pd.Series(_MARKUP(cells.to_numpy(dtype=object)), index=cells.index, dtype=object)
    return out
