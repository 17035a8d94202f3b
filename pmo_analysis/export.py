"""Write tables for people to open in Excel: safe from formula injection, readable, all-or-nothing.

Leadership opens the exported CSVs in Excel. A cell whose text starts with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return (or the full-width ``＝＋－＠``) is run by Excel as a formula, so a
project name, resource name or lesson text typed as ``=HYPERLINK("http://evil", "Report")`` would
become a live link or command on a director's machine. Following the OWASP guidance on CSV
injection (https://owasp.org/www-community/attacks/CSV_Injection), every such text cell gets a
single quote in front (``'=HYPERLINK(...)``): Excel then shows it as text, and a reader still sees
what was typed. Numbers are written as numbers and never changed (a negative NPV stays ``-5.0``);
text that happens to look like a number (``"-5"`` in a text column) is prefixed too, as OWASP asks,
since it came from a text column and may be followed by anything.

Files are written as UTF-8 with a byte-order mark, so Excel shows Chinese text correctly, with
CRLF line ends (RFC 4180; a cell holding a line break or carriage return is quoted), and
atomically: the table goes to a temporary file in the same folder that then replaces the target,
so a reader never sees half a file.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

import pandas as pd

__all__ = ["FORMULA_PREFIXES", "neutralise", "write_csv"]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
"""First characters that make Excel (or LibreOffice) treat a cell as a formula."""

_QUOTE = "'"


def _neutralise_text(s: pd.Series) -> pd.Series:
    """Prefix the text cells of ``s`` that start with a formula character; leave the rest."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        s = s.astype(object)
    if pd.api.types.infer_dtype(s, skipna=True) in ("string", "empty"):
        risky = s.str.startswith(FORMULA_PREFIXES, na=False)
        return s.where(~risky, _QUOTE + s.astype("string")) if risky.any() else s
    # mixed values (text beside numbers or dates): only the text cells are looked at
    return s.map(lambda v: _QUOTE + v if isinstance(v, str) and v.startswith(FORMULA_PREFIXES) else v)


def _is_text_column(s: pd.Series) -> bool:
    if isinstance(s.dtype, pd.CategoricalDtype):
        return not (pd.api.types.is_numeric_dtype(s.cat.categories) or
                    pd.api.types.is_datetime64_any_dtype(s.cat.categories))
    return pd.api.types.is_object_dtype(s) or pd.api.types.is_string_dtype(s)


def neutralise(df: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``df`` whose text cells and column names cannot run as Excel formulas.

    Text that starts with one of :data:`FORMULA_PREFIXES` gets a single quote in front. Numeric,
    boolean and date columns are returned unchanged; so are missing values. ``df`` is not modified.

    Parameters
    ----------
    df : DataFrame
        A table about to be exported.

    Returns
    -------
    DataFrame
        The same table with risky text prefixed by ``'``.

    Examples
    --------
    >>> import pandas as pd
    >>> from pmo_analysis.export import neutralise
    >>> df = pd.DataFrame({"name": ["=1+2", "-5", "Roll-out", None], "npv": [-5.0, 1.0, 2.0, 3.0]})
    >>> safe = neutralise(df)
    >>> safe["name"].tolist()
    ["'=1+2", "'-5", 'Roll-out', nan]
    >>> safe["npv"].tolist()
    [-5.0, 1.0, 2.0, 3.0]
    """
    out = df.copy()
    for i in range(out.shape[1]):
        s = out.iloc[:, i]
        if _is_text_column(s):
            out.isetitem(i, _neutralise_text(s))
    out.columns = [_QUOTE + c if isinstance(c, str) and c.startswith(FORMULA_PREFIXES) else c
                   for c in out.columns]
    return out


def write_csv(df: pd.DataFrame, path: str | Path, *, index: bool = False) -> Path:
    """Write ``df`` as a CSV for Excel: formula-safe, UTF-8 with BOM, replaced in one step.

    Parameters
    ----------
    df : DataFrame
        The table to export; it is not modified.
    path : path
        The CSV file to write; its folder must exist. An existing file is replaced only once the
        new one is complete.
    index : bool, default False
        Write the index as the first column.

    Returns
    -------
    Path
        ``path``.

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> from pathlib import Path
    >>> from pmo_analysis.export import write_csv
    >>> folder = Path(tempfile.mkdtemp())
    >>> df = pd.DataFrame({"project": ["=cmd|' /C calc'!A0", "数据中台建设"], "npv": [-1500.5, 20.0]})
    >>> out = write_csv(df, folder / "npv.csv")
    >>> print(out.read_text(encoding="utf-8-sig"), end="")
    project,npv
    '=cmd|' /C calc'!A0,-1500.5
    数据中台建设,20.0
    """
    path = Path(path)
    safe = neutralise(df.reset_index() if index else df)
    # O_EXCL on a random name in the same folder: created with the usual permissions (umask),
    # on the same file system, so os.replace swaps it in at once
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as f:
            safe.to_csv(f, index=False, lineterminator="\r\n")  # RFC 4180; CR or LF in a cell is quoted
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path
