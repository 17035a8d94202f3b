"""Write Excel workbooks of tables, a whole column at a time.

A run's ``report.xlsx`` holds every table its reports export, up to 20,000 rows a sheet: on the
enterprise portfolio about 1.5 M cells. XlsxWriter, which wrote it before, takes one Python call
per cell (about 8 µs each: 13 s, the largest single cost of a run after the notebooks). A table
is a regular grid, so this module makes each column's XML at once with Arrow's string kernels
(``pyarrow.compute``) and adds each sheet to the file as soon as it is made: the enterprise
workbook, CSVs read included, takes 3.8 s instead of 13.4 s.

It writes the part of SpreadsheetML (ECMA-376 Part 1, chapter 18) that a table needs, and no
more: a workbook with its sheets in a given order; per sheet, a header row in bold, frozen, with
an autofilter and printed atop every page; column widths; printing on A4 landscape, one page
wide (the sample's workbook prints on 67 pages instead of 248); one number format per column
(``#,##0``, ``0.0%``, ``yyyy-mm-dd``...);
cells that are numbers, booleans, blanks or text. Text is written inline and escaped as Excel
expects: ``& < >`` as XML entities, control characters and text that looks like Excel's own
``_xHHHH_`` escape as ``_xHHHH_``. Nothing is ever written as a formula or a link: a cell is
exactly the value given, and a number reads back as the same float. ``tests/test_xlsx.py`` reads
random workbooks back with openpyxl and compares them with the same cells written by XlsxWriter.

Examples
--------
>>> import tempfile, openpyxl, pandas as pd
>>> from pathlib import Path
>>> path = Path(tempfile.mkdtemp()) / "t.xlsx"
>>> with Workbook(path) as wb:
...     wb.add_sheet("NPV & ROI", [Column("name", pd.Series(["ERP <new>", None])),
...                                Column("npv", pd.Series([-1500.5, 20.0]), "#,##0;[Red]-#,##0", width=12)])
>>> ws = openpyxl.load_workbook(path)["NPV & ROI"]
>>> [[c.value for c in row] for row in ws.iter_rows()]
[['name', 'npv'], ['ERP <new>', -1500.5], [None, 20]]
>>> ws["B2"].number_format, ws.freeze_panes, ws.auto_filter.ref
('#,##0;[Red]-#,##0', 'A2', 'A1:B3')
"""

from __future__ import annotations

import html
import numbers
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pmo_analysis.inputs.readers import column_letter

__all__ = ["Column", "Workbook"]

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

#: number formats Excel knows by id (ECMA-376 §18.8.30); any other gets an id from 164 on
_BUILTIN_FORMATS = {"General": 0, "0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4, "0%": 9, "0.00%": 10}

#: characters XML 1.0 cannot hold, a carriage return (an XML reader would turn it into a line feed),
#: and text that Excel would read as one of its escapes: each is written as Excel's escape
_NEEDS_ESCAPE_RE2 = r"[\x00-\x08\x0b-\x1f\x{FFFE}\x{FFFF}]|_x[0-9A-Fa-f]{4}_"
_ESCAPE_OWN = re.compile(r"_(x[0-9A-Fa-f]{4}_)")
_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\ufffe\uffff]")


@dataclass
class Column:
    """One column of a sheet: its header, its values, its number format and its width.

    ``data`` may be numeric (NaN: a blank cell; ±inf is not allowed, as Excel has no such number),
    boolean, or of objects: ``str``, ``bool``, ``int``, ``float`` (finite) and missing values
    (``None`` or NaN, a blank). ``width`` is in characters of the default font.
    """

    header: str
    data: pd.Series
    number_format: str | None = None
    width: float | None = None
    note: str | None = None
    """A note on the header cell (a comment, shown when the reader points at it): in a Chinese
    workbook, the column's name in the data contract (``npv`` under ``净现值``)."""


def _join(*parts, nulls: str | None = None) -> pa.Array:
    """Strings joined element by element (scalars repeat); a null part makes the result null, or
    counts as ``nulls`` when given.
    """
    if nulls is None:
        return pc.binary_join_element_wise(*parts, "")
    return pc.binary_join_element_wise(*parts, "", null_handling="replace", null_replacement=nulls)


def _text(values) -> pa.Array:
    """Text (``str`` objects, ``None`` or NaN for none) as an Arrow string array."""
    try:
        return pa.array(values, type=pa.string(), from_pandas=True)
    except UnicodeEncodeError:  # a lone surrogate, which no file can hold: shown as U+FFFD
        return pa.array(
            [_SURROGATE.sub("\ufffd", v) if isinstance(v, str) else v for v in values],
            type=pa.string(),
            from_pandas=True,
        )


def _escape(text: pa.Array) -> pa.Array:
    """Text as the content of an XML element, with Excel's escapes where XML cannot hold a character."""
    for char, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        text = pc.replace_substring(text, char, entity)
    odd = pc.fill_null(pc.match_substring_regex(text, _NEEDS_ESCAPE_RE2), False)
    if pc.any(odd).as_py():  # rare: only these cells go through Python's regular expressions
        values = text.to_numpy(zero_copy_only=False).copy()
        mask = odd.to_numpy(zero_copy_only=False)
        values[mask] = [
            _CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", _ESCAPE_OWN.sub(r"_x005F_\1", v)) for v in values[mask]
        ]
        text = _text(values)
    return text


def _numbers(values: np.ndarray) -> pa.Array:
    """Floats as the shortest text that reads back as the same number (``3``, ``0.1``, ``1e+20``);
    NaN as null.
    """
    return pc.cast(pa.array(values, type=pa.float64(), from_pandas=True), pa.string())


def _cells(values: pd.Series, ref: pa.Array, style: int, name: str) -> pa.Array:
    """The ``<c>`` elements of column ``name``, one string per row (null for a blank)."""
    s = pd.Series(values).reset_index(drop=True)
    st = f' s="{style}"' if style else ""
    number, boolean, text = f'"{st}><v>', f'"{st} t="b"><v>', f'"{st} t="inlineStr"><is><t xml:space="preserve">'
    if pd.api.types.is_bool_dtype(s) and not s.hasnans:
        return _join('<c r="', ref, boolean, pa.array(np.where(s.to_numpy(dtype=bool), "1", "0")), "</v></c>")
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        v = s.to_numpy(dtype=float, na_value=np.nan)
        if np.isinf(v).any():
            raise ValueError(f"column {name!r}: Excel has no infinite number")
        return _join('<c r="', ref, number, _numbers(v), "</v></c>")
    objs = s.to_numpy(dtype=object)
    try:  # text alone, the usual case
        return _join('<c r="', ref, text, _escape(_text(objs)), "</t></is></c>")
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        pass
    is_bool = pd.Series(objs, dtype=object).map(type).isin([bool, np.bool_]).to_numpy()
    is_text = np.array([isinstance(v, str) for v in objs], dtype=bool)
    is_number = ~(is_bool | is_text) & pd.notna(objs)
    odd = [v for v in objs[is_number] if not isinstance(v, numbers.Real)]
    if odd:
        raise TypeError(f"column {name!r}: a cell cannot hold {odd[0]!r} ({type(odd[0]).__name__})")
    f = np.where(is_number, objs, np.nan).astype(float)
    if np.isinf(f).any():
        raise ValueError(f"column {name!r}: Excel has no infinite number")
    flags = pa.array(np.where(is_bool, objs, None).tolist(), type=pa.bool_())
    return pc.coalesce(
        _join('<c r="', ref, text, _escape(_text(np.where(is_text, objs, None))), "</t></is></c>"),
        _join('<c r="', ref, number, _numbers(f), "</v></c>"),
        _join('<c r="', ref, boolean, pc.if_else(flags, "1", "0"), "</v></c>"),
    )


def _range(columns: int, rows: int, *, absolute: bool = False) -> str:
    """The cells from A1 across ``columns`` and down ``rows``, as Excel writes them (one cell: ``A1``).

    >>> _range(3, 4), _range(1, 1), _range(2, 1, absolute=True)
    ('A1:C4', 'A1', '$A$1:$B$1')
    """
    d = "$" if absolute else ""
    last = f"{d}{column_letter(columns - 1)}{d}{rows}"
    return f"{d}A{d}1" if columns == rows == 1 else f"{d}A{d}1:{last}"


def _attr(value: str) -> str:
    return html.escape(value, quote=True)


class Workbook:
    """An ``.xlsx`` file written sheet by sheet; sheets are listed in the order given to
    :meth:`add_sheet`, or in ``order`` at :meth:`close` (a contents sheet made last, shown first).
    The file is complete only after :meth:`close`; use it as a context manager.
    """

    def __init__(self, path: str | Path, *, compresslevel: int = 6) -> None:
        self.path = Path(path)
        self.zip = zipfile.ZipFile(self.path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=compresslevel)
        self.sheets: list[tuple[str, str, int, int]] = []  # name, part, rows, columns
        self.formats: dict[str, int] = {}  # number format -> its style (cellXfs index)
        self.noted: list[int] = []  # the sheets (numbers) with notes on their headers

    def __enter__(self) -> Workbook:
        return self

    def __exit__(self, kind, *_exc) -> None:
        if kind is None:
            self.close()
        else:
            self.abandon()

    def abandon(self) -> None:
        """Stop writing: the file is left incomplete, for the caller to remove."""
        self.zip.close()

    def _style(self, number_format: str | None) -> int:
        """The cell style of a number format (0: General; 1: the bold header)."""
        if not number_format or number_format == "General":
            return 0
        return self.formats.setdefault(number_format, len(self.formats) + 2)

    def add_sheet(self, name: str, columns: list[Column]) -> None:
        """Write a sheet: ``name`` (a valid, unique Excel sheet name), then a header row and the
        columns' values, all columns of equal length.
        """
        rows = len(columns[0].data) if columns else 0
        if any(len(c.data) != rows for c in columns):
            raise ValueError(f"sheet {name!r}: columns of unequal length")
        part = f"xl/worksheets/sheet{len(self.sheets) + 1}.xml"
        area = _range(max(len(columns), 1), rows + 1)
        # made in a buffer (in memory up to 64 MB, then on disk), copied in once whole: a sheet that
        # fails half-way leaves nothing in the workbook
        with tempfile.SpooledTemporaryFile(max_size=64 << 20) as f:
            f.write(self._sheet_head(columns, area).encode())
            if columns:
                texts = _escape(_text([str(c.header) for c in columns])).to_pylist()
                header = "".join(
                    f'<c r="{column_letter(j)}1" s="1" t="inlineStr"><is><t xml:space="preserve">{t}</t></is></c>'
                    for j, t in enumerate(texts)
                )
                f.write(f'<row r="1">{header}</row>'.encode("utf-8", "surrogatepass"))
            step = 5000  # rows per piece, made at once
            for start in range(0, rows, step):
                stop = min(rows, start + step)
                nums = pc.cast(pa.array(np.arange(start + 2, stop + 2)), pa.string())
                cells = [
                    _cells(
                        c.data.iloc[start:stop], _join(column_letter(j), nums), self._style(c.number_format), c.header
                    )
                    for j, c in enumerate(columns)
                ]
                piece = _join('<row r="', nums, '">', *cells, "</row>", nulls="")
                offsets = np.frombuffer(piece.buffers()[1], dtype=np.int32)[
                    piece.offset : piece.offset + len(piece) + 1
                ]
                f.write(memoryview(piece.buffers()[2])[offsets[0] : offsets[-1]])
            f.write(
                (
                    "</sheetData>"
                    + (f'<autoFilter ref="{area}"/>' if columns else "")
                    + '<pageMargins left="0.4" right="0.4" top="0.5" bottom="0.5" header="0.3" footer="0.3"/>'
                    # printed on A4 landscape, all columns on one page's width, as many pages down as it takes
                    '<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/>'
                    + ('<legacyDrawing r:id="rId1"/>' if any(c.note for c in columns) else "")
                    + "</worksheet>"
                ).encode()
            )
            f.seek(0)
            with self.zip.open(part, "w", force_zip64=True) as out:
                shutil.copyfileobj(f, out, 1 << 20)
        if any(c.note for c in columns):
            self._notes(len(self.sheets) + 1, columns)
        self.sheets.append((name, part, rows, len(columns)))

    def _notes(self, n: int, columns: list[Column]) -> None:
        """The header notes of sheet ``n``: its comments part, and the VML drawing Excel shows them
        with (ECMA-376 Part 1, §18.7; Part 4, legacy VML), linked from the sheet.
        """
        noted = [(j, c.note) for j, c in enumerate(columns) if c.note]
        texts = _escape(_text([str(note) for _j, note in noted])).to_pylist()
        comments = "".join(
            f'<comment ref="{column_letter(j)}1" authorId="0"><text><t xml:space="preserve">{t}</t></text></comment>'
            for (j, _note), t in zip(noted, texts, strict=True)
        )
        self.zip.writestr(
            f"xl/comments{n}.xml",
            f'{_HEAD}<comments xmlns="{_MAIN}"><authors><author>pmo-analysis</author></authors>'
            f"<commentList>{comments}</commentList></comments>",
        )
        shapes = "".join(
            f'<v:shape id="_x0000_s{1025 + i}" type="#_x0000_t202" style="position:absolute;margin-left:59.25pt;'
            'margin-top:1.5pt;width:108pt;height:30pt;z-index:1;visibility:hidden" fillcolor="#ffffe1" '
            'o:insetmode="auto"><v:fill color2="#ffffe1"/><v:shadow on="t" color="black" obscured="t"/>'
            '<v:path o:connecttype="none"/><v:textbox style="mso-direction-alt:auto"><div style="text-align:left">'
            '</div></v:textbox><x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/>'
            f"<x:Anchor>{j + 1}, 15, 0, 2, {j + 3}, 15, 2, 16</x:Anchor><x:AutoFill>False</x:AutoFill>"
            f"<x:Row>0</x:Row><x:Column>{j}</x:Column></x:ClientData></v:shape>"
            for i, (j, _note) in enumerate(noted)
        )
        self.zip.writestr(
            f"xl/drawings/vmlDrawing{n}.vml",
            '<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
            'xmlns:x="urn:schemas-microsoft-com:office:excel"><o:shapelayout v:ext="edit">'
            f'<o:idmap v:ext="edit" data="{n}"/></o:shapelayout><v:shapetype id="_x0000_t202" '
            'coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/>'
            f'<v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>{shapes}</xml>',
        )
        self.zip.writestr(
            f"xl/worksheets/_rels/sheet{n}.xml.rels",
            f'{_HEAD}<Relationships xmlns="{_PKG_REL}">'
            f'<Relationship Id="rId1" Type="{_REL}/vmlDrawing" Target="../drawings/vmlDrawing{n}.vml"/>'
            f'<Relationship Id="rId2" Type="{_REL}/comments" Target="../comments{n}.xml"/></Relationships>',
        )
        self.noted.append(n)

    def _sheet_head(self, columns: list[Column], area: str) -> str:
        cols = "".join(
            f'<col min="{j + 1}" max="{j + 1}" width="{_excel_width(c.width)}" customWidth="1"'
            + (f' style="{self._style(c.number_format)}"' if self._style(c.number_format) else "")
            + "/>"
            for j, c in enumerate(columns)
            if c.width is not None or c.number_format
        )
        return (
            f'{_HEAD}<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}">'
            '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'  # the page setup's fitTo* apply
            f'<dimension ref="{area}"/>'
            '<sheetViews><sheetView workbookViewId="0">'
            '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
            '<sheetFormatPr defaultRowHeight="15"/>' + (f"<cols>{cols}</cols>" if cols else "") + "<sheetData>"
        )

    def close(self, order: list[str] | None = None, names: dict[str, str] | None = None) -> Path:
        """Write the workbook's own parts and finish the file; ``order``: the names given to
        :meth:`add_sheet`, first to last; ``names``: the names the sheets show instead, if others.
        """
        sheets = self.sheets
        if order is not None:
            by_name = {s[0]: s for s in self.sheets}
            sheets = [by_name[n] for n in order]
        sheets = [((names or {}).get(n, n), *rest) for n, *rest in sheets]
        z = self.zip
        try:
            z.writestr("[Content_Types].xml", self._content_types())
            z.writestr(
                "_rels/.rels",
                f'{_HEAD}<Relationships xmlns="{_PKG_REL}"><Relationship Id="rId1" '
                f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
            )
            rels = "".join(
                f'<Relationship Id="rId{i + 1}" Type="{_REL}/worksheet" Target="{p[3:]}"/>'
                for i, (_n, p, _r, _c) in enumerate(sheets)
            )
            rels += f'<Relationship Id="rId{len(sheets) + 1}" Type="{_REL}/styles" Target="styles.xml"/>'
            z.writestr("xl/_rels/workbook.xml.rels", f'{_HEAD}<Relationships xmlns="{_PKG_REL}">{rels}</Relationships>')
            z.writestr("xl/workbook.xml", self._workbook(sheets))
            z.writestr("xl/styles.xml", self._styles())
        finally:
            z.close()
        return self.path

    def _content_types(self) -> str:
        parts = "".join(
            f'<Override PartName="/{p}" ContentType="{_CT}.worksheet+xml"/>' for _n, p, _r, _c in self.sheets
        )
        parts += "".join(
            f'<Override PartName="/xl/comments{n}.xml" ContentType="{_CT}.comments+xml"/>' for n in self.noted
        )
        vml = (
            '<Default Extension="vml" ContentType="application/vnd.openxmlformats-officedocument.vmlDrawing"/>'
            if self.noted
            else ""
        )
        return (
            f'{_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f"{vml}"
            f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.styles+xml"/>{parts}</Types>'
        )

    @staticmethod
    def _workbook(sheets) -> str:
        listed = "".join(
            f'<sheet name="{_attr(n)}" sheetId="{i + 1}" r:id="rId{i + 1}"/>'
            for i, (n, _p, _r, _c) in enumerate(sheets)
        )
        quoted = [n.replace("'", "''") for n, _p, _r, _c in sheets]
        names = "".join(
            f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">{_attr(ref)}</definedName>'
            # the header row printed at the top of every page
            f'<definedName name="_xlnm.Print_Titles" localSheetId="{i}">{_attr(q_ref)}!$1:$1</definedName>'
            for i, ((_n, _p, rows, cols), q) in enumerate(zip(sheets, quoted, strict=True))
            if cols
            for ref, q_ref in [(f"'{q}'!" + _range(cols, rows + 1, absolute=True), f"'{q}'")]
        )
        return (
            f'{_HEAD}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><bookViews><workbookView activeTab="0"/>'
            f"</bookViews><sheets>{listed}</sheets>"
            + (f"<definedNames>{names}</definedNames>" if names else "")
            + '<calcPr calcId="124519"/></workbook>'
        )

    def _styles(self) -> str:
        custom = {f: 164 + i for i, f in enumerate(f for f in self.formats if f not in _BUILTIN_FORMATS)}
        num_fmts = "".join(f'<numFmt numFmtId="{i}" formatCode="{_attr(f)}"/>' for f, i in custom.items())
        xfs = [
            '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>',
            '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>',
        ]
        xfs += [
            f'<xf numFmtId="{_BUILTIN_FORMATS.get(f, custom.get(f))}" fontId="0" fillId="0" borderId="0" '
            'xfId="0" applyNumberFormat="1"/>'
            for f in self.formats
        ]
        font = '<sz val="11"/><name val="Calibri"/><family val="2"/>'
        return (
            f'{_HEAD}<styleSheet xmlns="{_MAIN}">'
            + (f'<numFmts count="{len(custom)}">{num_fmts}</numFmts>' if custom else "")
            + f'<fonts count="2"><font>{font}</font><font><b/>{font}</font></fonts>'
            '<fills count="2"><fill><patternFill patternType="none"/></fill>'
            '<fill><patternFill patternType="gray125"/></fill></fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            f'<cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
            "</styleSheet>"
        )


def _excel_width(chars: float | None) -> float:
    """A column width in characters as Excel stores it: in pixels with its 5-pixel padding, at
    Calibri 11's 7 pixels a digit, in 256ths of a digit (as Excel and XlsxWriter compute it).

    >>> _excel_width(8), _excel_width(None)
    (8.7109375, 9.140625)
    """
    chars = 8.43 if chars is None else chars
    pixels = int(chars * 7 + 0.5) + 5 if chars >= 1 else int(chars * 12 + 0.5)
    return (pixels * 256 // 7) / 256
