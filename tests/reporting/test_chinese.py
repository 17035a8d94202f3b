"""A Chinese run reads in Chinese: every word a reader sees on every page (the reports index, the
run index, each report, each project and department page) comes from the catalogue, and money and
dates read in one style.

What may stay in Latin letters on a Chinese page (the allow-list, :func:`english_words`):

* **ids and codes with a digit**: PRJ-019, R-033, L0034, R001, the run id 20261207T055301Z-adhoc;
* **names from the data**, as the data writes them: every value of a text or id column of the
  portfolio (project, department, person, role, milestone, risk and lesson titles, lesson text,
  categories, activities), and the words of that text outside the English stop words (the lessons
  report names themes and top terms with them); a name cut short with "…" counts as the name. The
  contract's code columns (status, phase, kind, impact, action status, dependency type) are not
  names: their values are shown through ``label()`` and must read in Chinese;
* **abbreviations the report explains** in its "缩写说明" legend (``i18n.ABBREVIATIONS``: CPI, SPI,
  BAC, EAC, VAC, TCPI, PV, EV, AC, FTE, NPV, ROI, IRR, BCR), kept in Chinese text as the Chinese
  edition of the PMBOK Guide keeps them, the spreadsheet functions XNPV and XIRR, PMI and PMO,
  MTA (introduced as 里程碑趋势分析（MTA）), the "J 曲线" (J-curve), Excel, the CC-CEDICT dictionary and the CSV file format;
* **currency codes** (CNY, USD, ...) and **file names** (decisions.csv, report.xlsx,
  docs/definitions.md) and **names of the contract** a user types: table names, column names with
  an underscore, run parameters (``min_projects``), schedule names of schedules.yml, the data
  folder's name;
* **code**: text inside ``<code>`` (a call the analyst can type) is code, not prose.

Anything else in ASCII letters is an English word a Chinese reader should not meet.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from pmo_analysis.analyses.lessons.text import tokenize
from pmo_analysis.core import formatting as fmt
from pmo_analysis.core import i18n
from pmo_analysis.core.config import PROJ_ROOT, SAMPLE_DATA_DIR
from pmo_analysis.core.yaml_files import read_yaml
from pmo_analysis.inputs.params import NOTEBOOKS
from pmo_analysis.inputs.schema import SCHEMA, TABLES

# --------------------------------------------------------------------------- visible text
_HIDDEN = {"script", "style", "code", "metadata", "defs", "template", "noscript"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_SHOWN_ATTRIBUTES = ("alt", "placeholder", "title", "aria-label")


class _Visible(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.texts: list[str] = []

    def _attributes(self, attrs) -> None:
        if not _HIDDEN & set(self.open):
            self.texts += [v for k, v in attrs if k in _SHOWN_ATTRIBUTES and v]

    def handle_starttag(self, tag, attrs):
        self._attributes(attrs)
        if tag not in _VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag, attrs):
        self._attributes(attrs)

    def handle_endtag(self, tag):
        if tag in self.open:  # close up to the matching tag (HTML lets some end tags be left out)
            while self.open.pop() != tag:
                pass

    def handle_data(self, data):
        if not _HIDDEN & set(self.open) and data.strip():
            self.texts.append(data.strip())


def visible_text(html: str) -> list[str]:
    """The text a reader sees on a page, one string per text node: tags, scripts, styles and
    ``<code>`` left out; inline SVG text, image alt text, tooltips and placeholders kept.

    >>> visible_text('<p>Hi <b>there</b></p><script>x=1</script><svg><text>¥1万</text></svg><img alt="A chart">')
    ['Hi', 'there', '¥1万', 'A chart']
    """
    parser = _Visible()
    parser.feed(html)
    return parser.texts


# --------------------------------------------------------------------------- the allow-list
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_'’\-]*")
_FILE = re.compile(r"[\w./\-]+\.(?:csv|xlsx|md|html|json|parquet|yml|ipynb)\b")
_KEPT = {*i18n.ABBREVIATIONS, "XNPV", "XIRR", "PMI", "PMO", "MTA", "J", "CSV", "Excel", "CC-CEDICT", *fmt.CURRENCIES}


class Allowed:
    """What may stay in Latin letters on a Chinese page of a run on ``portfolio`` (module docstring)."""

    def __init__(self, portfolio, *, params=(), schedules=()) -> None:
        values: set[str] = set()
        for table in TABLES:
            df = getattr(portfolio, table, None)
            if df is None:
                continue
            for col in SCHEMA[table]:
                if col.kind in ("id", "text") and col.name in df.columns:
                    values.update(str(v).strip() for v in df[col.name].dropna().unique() if str(v).strip())
        # longest first, so "Data Lake Migration" goes before "Data"
        self.values = sorted((v for v in values if re.search("[A-Za-z]", v)), key=len, reverse=True)
        self._values = re.compile("|".join(re.escape(v) for v in self.values)) if self.values else None
        stop = ENGLISH_STOP_WORDS
        words = {p for v in self.values for w in _WORD.findall(v) for p in [w, *re.split(r"[-'’]", w)] if p}
        self.vocabulary = {w for w in words if w.lower() not in stop}
        # the terms the data's text reaches in the lessons' two-language concept space (a Chinese
        # lesson's 工作量 reaches "workload"): the lessons report names themes and top terms with them
        self._terms = {t for v in values for t in tokenize(v, phrases=False)}
        self.names = {
            *TABLES,
            *(c.name for cols in SCHEMA.values() for c in cols if "_" in c.name),
            *params,
            *schedules,
        }

    def english_words(self, text: str) -> list[str]:
        """The words of ``text`` that are English a Chinese reader should not meet."""
        if self._values is not None:
            text = self._values.sub(" ", text)
        text = _FILE.sub(" ", text)
        bad = []
        for m in _WORD.finditer(text):
            word = m.group().strip("'’-")
            if not word or any(ch.isdigit() for ch in word) or word in _KEPT or word in self.names:
                continue
            # a term in lower case (top terms); a code such as on_hold is no term
            terms = set(tokenize(word, phrases=False)) if word.islower() and "_" not in word else set()
            if word in self.vocabulary or (terms and terms <= self._terms):
                continue
            cut = text[m.end() : m.end() + 1] == "…"
            if cut and any(v.startswith(word) for v in self.vocabulary):
                continue  # a name cut short: "PRJ-026 Loyalty Progr…"
            bad.append(word)
        return bad


@pytest.fixture(scope="module")
def allowed(sample):
    schedules = read_yaml(PROJ_ROOT / "schedules.yml").get("schedules", {})
    params = {p.name for declared in NOTEBOOKS.values() for p in declared}
    return Allowed(sample, params={*params, SAMPLE_DATA_DIR.name}, schedules=schedules)


def test_the_check_finds_english_and_lets_names_ids_and_codes_through(allowed):
    project = next(v for v in allowed.values if v.startswith("Data Lake"))
    assert allowed.english_words(f"PRJ-010 {project} 的风险 R-033：CPI 0.84，见 decisions.csv（CNY）") == []
    assert allowed.english_words("PRJ-026 Loyalty Progr…") == []
    assert allowed.english_words("需要 resources 表；参数 min_projects；计划 weekly") == []
    assert allowed.english_words("same category 'Testing'; same department; text similarity 0.64") == [
        "same",
        "category",
        "same",
        "department",
        "text",
        "similarity",
    ]
    assert allowed.english_words("SUCCESS") == ["SUCCESS"]
    assert allowed.english_words("on_hold") == ["on_hold"]  # a code of the data is no name
    assert allowed.english_words("closing / executing") == ["closing", "executing"]
    # a single lower-case word the data's own text uses ("report") is let through: the page is
    # still caught by the other words of an English sentence
    assert allowed.english_words("Portfolio report") == ["Portfolio"]
    assert allowed.english_words("Lessons / Milestones / Risks") == ["Lessons", "Milestones", "Risks"]


# --------------------------------------------------------------------------- every page of a run
def pages_of(run_dir: Path) -> list[Path]:
    """Every page a reader opens in a run: the reports index, the run index, the reports, the
    project and department pages."""
    return [
        run_dir.parent / "index.html",
        run_dir / "index.html",
        *sorted(p for p in run_dir.glob("*.html") if p.name != "index.html"),
        *sorted((run_dir / "projects").glob("*.html")),
        *sorted((run_dir / "departments").glob("*.html")),
    ]


def english_on_pages(run_dir: Path, allowed: Allowed) -> dict[str, dict[str, str]]:
    """Per page: each English word found, with the first text it was found in."""
    found: dict[str, dict[str, str]] = {}
    for page in pages_of(run_dir):
        for text in visible_text(page.read_text(encoding="utf-8")):
            for word in allowed.english_words(text):
                found.setdefault(str(page.relative_to(run_dir.parent)), {}).setdefault(word, text[:120])
    return found


@pytest.mark.notebook
def test_a_chinese_run_has_no_english_word_on_any_page(suite_run_zh, allowed):
    pages = pages_of(suite_run_zh.run_dir)
    assert len(pages) > 20 and all(p.exists() for p in pages)
    assert english_on_pages(suite_run_zh.run_dir, allowed) == {}


# --------------------------------------------------------------------------- one money and date style
#: Money in a Chinese report: 万 or 亿 with at most one decimal, to the unit below 1万 (¥9,999).
_MONEY = re.compile(r"-?[¥$€£₹₩]\s?[\d,.]+[万亿]?")
_ONE_MONEY_STYLE = re.compile(r"-?[¥$€£₹₩]\s?(?:\d{1,3}(?:,\d{3})*(?:\.\d)?[万亿]|\d,\d{3}|\d{1,3})$")
#: A day or a month written as the data writes it (2026-03-31, 2026-03), or in English.
_OTHER_DATE = re.compile(
    r"(?<![\w-])\d{4}-\d{2}(?:-\d{2})?(?![\w-])|\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}\b"
)


def money_and_dates(texts: list[str]) -> tuple[list[str], list[str]]:
    """The money figures of ``texts`` not in the Chinese report's one money style, and the days or
    months not in its one date style (``2026年6月30日``, ``2026年3月``).

    >>> money_and_dates(["¥40.5万", "-¥2,500", "¥1.2亿", "¥2,000万", "¥405,500", "¥1,234.56万 2026-03-31", "2026年6月30日"])
    (['¥405,500', '¥1,234.56万'], ['2026-03-31'])
    """
    money = [m for t in texts for m in _MONEY.findall(t) if not _ONE_MONEY_STYLE.match(m)]
    return money, [d for t in texts for d in _OTHER_DATE.findall(t)]


@pytest.mark.notebook
def test_a_chinese_run_writes_money_and_dates_one_way(suite_run_zh):
    """Tiles, tables, sentences and chart text of every page: money in 万/亿 (never ¥405,500 beside
    a tile's ¥40.5万), days and months in Chinese (never 2026-03-31 beside 2026年6月30日). The
    charts' money axes use the same formatter (tests/reporting/test_plots.py)."""
    found = {}
    for page in pages_of(suite_run_zh.run_dir):
        money, dates = money_and_dates(visible_text(page.read_text(encoding="utf-8")))
        if money or dates:
            found[page.name] = (money[:5], dates[:5])
    assert found == {}


@pytest.mark.notebook
def test_a_chinese_run_writes_its_workbook_in_chinese(suite_run_zh):
    """report.xlsx of a Chinese run: headers in words with the contract's column name in the header's
    note, codes as their labels; the CSVs keep the contract (tests/reporting/test_leadership_pages.py)."""
    import openpyxl

    wb = openpyxl.load_workbook(suite_run_zh.run_dir / "report.xlsx")
    assert wb.sheetnames[0] == "目录"
    ws = wb["decisions"]
    header = {c.value: c.comment.text if c.comment else None for c in ws[1]}
    assert (
        header["项目编号"] == "project_id" and header["决策"] == "decision" and header["剩余净现值"] == "remaining_npv"
    )
    decisions = {ws.cell(r, 4).value for r in range(2, ws.max_row + 1)}
    assert decisions <= {label for _en, label in i18n.CODE_LABELS.values()} and "停止" in decisions
    codes = {"on_hold", "re-scope", "re-plan", "to_improve", "went_well", "off track", "at risk"}
    for sheet in wb.worksheets[1:]:  # the contents sheet names the tables (went_well: its sheet and CSV)
        assert not [c.value for row in sheet.iter_rows(max_row=60) for c in row if c.value in codes], sheet.title


_FIGURES_BROKEN = r"""() => {
  // every money figure of a tile on one line, however narrow the tile (a printed tile once read "¥2,092.4 / 万")
  const broken = [];
  for (const v of document.querySelectorAll('.pmo-tile .v')) {
    v.parentElement.style.width = '70px';
    const node = v.firstChild;
    if (!node || node.nodeType !== Node.TEXT_NODE) continue;
    for (const m of node.textContent.matchAll(/-?¥[\d,.]+[万亿]?/g)) {
      const r = document.createRange();
      r.setStart(node, m.index);
      r.setEnd(node, m.index + m[0].length);
      const tops = new Set(Array.from(r.getClientRects()).map(b => Math.round(b.top)));
      if (tops.size > 1) broken.push(m[0]);
    }
  }
  return broken;
}"""


@pytest.mark.browser
@pytest.mark.notebook
def test_a_tiles_money_is_never_broken_inside(suite_run_zh, chromium):
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1100, "height": 800})
        page.goto((suite_run_zh.run_dir / "executive_summary.html").as_uri())
        page.emulate_media(media="print")
        assert page.evaluate("document.querySelectorAll('.pmo-tile .v').length") > 5
        assert page.evaluate(_FIGURES_BROKEN) == []
        page.close()
