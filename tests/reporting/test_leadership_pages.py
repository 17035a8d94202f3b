"""What leadership sees: each report in English and in Chinese, at 1440 px and on a 390 px phone,
printed (the executive summary on one landscape A4 page), with nothing in it but the report.

Screenshots of every report in each language at both widths are written to tests/artifacts/.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pmo_analysis.core.config import SAMPLE_DATA_DIR
from tests.helpers import ARTIFACTS

REPORTS = ["executive_summary", "portfolio_roi", "resource_utilization", "lessons_learned"]


@pytest.fixture(params=["en", "zh"])
def run_of(request):
    """The suite run in one language (``en``: the session's shared run)."""
    name = "suite_run" if request.param == "en" else "suite_run_zh"
    return request.param, request.getfixturevalue(name)


# --------------------------------------------------------------------------- nothing but the report
_ABSOLUTE = re.compile(r"(?<![\w.:/])/(?:work|tmp|home|root|usr|var|private|Users)/[\w.\-/]+")


def _outputs(run_dir: Path, name: str):
    nb = json.loads((run_dir / f"{name}.ipynb").read_text(encoding="utf-8"))
    return [o for c in nb["cells"] if c["cell_type"] == "code" for o in c.get("outputs", [])]


@pytest.mark.notebook
def test_reports_hold_no_stderr_no_warning_and_no_path(run_of):
    lang, run = run_of
    assert run.ok, [(n.name, n.error) for n in run.notebooks]
    for name in REPORTS:
        outputs = _outputs(run.run_dir, name)
        stderr = [o.get("text") for o in outputs if o.get("output_type") == "stream" and o.get("name") == "stderr"]
        assert stderr == [], (lang, name, stderr)
        html = (run.run_dir / f"{name}.html").read_text(encoding="utf-8")
        text = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
        text = re.sub(r'src="data:[^"]*"', "", text)
        assert _ABSOLUTE.findall(text) == [], (lang, name)
        assert ".tmp-" not in text and "findfont" not in text and "Warning" not in text, (lang, name)
        assert "Run id" not in text and str(SAMPLE_DATA_DIR) not in text


@pytest.mark.notebook
def test_chinese_reports_read_in_chinese(suite_run_zh):
    html = (suite_run_zh.run_dir / "executive_summary.html").read_text(encoding="utf-8")
    for text in (
        "项目组合执行摘要",
        "需要的决策",
        "在建项目健康状况",
        "截至 2026年6月30日",
        "偏离",
        "¥",
        "缩写说明",
        'lang="zh"',
    ):
        assert text in html, text
    for name in REPORTS[1:]:
        page = (suite_run_zh.run_dir / f"{name}.html").read_text(encoding="utf-8")
        assert 'lang="zh"' in page, name
    # the exported CSVs keep the data contract's English column names and codes
    head = (suite_run_zh.run_dir / "executive_summary" / "project_health.csv").read_text(encoding="utf-8-sig")
    assert head.startswith("project_id,name,department,sponsor,manager,status,health")
    assert "off track" in head


@pytest.mark.notebook
def test_chinese_run_pages_read_in_chinese(suite_run_zh):
    """A Chinese run's project and department pages read in Chinese, header and navigation included."""
    run = suite_run_zh.run_dir
    page = sorted((run / "projects").glob("*.html"))[0].read_text(encoding="utf-8")
    for text in (
        'lang="zh"',
        "<h1>项目 PRJ-",
        "本次运行索引",
        "执行摘要",
        "投资回报报告",
        "截至 2026年6月30日",
        "全部报告",
    ):
        assert text in page, text
    for text in ("Run index", "ROI report", ">Project PRJ-", "As of "):
        assert text not in page, text
    dept = sorted((run / "departments").glob("*.html"))[0].read_text(encoding="utf-8")
    for text in (
        'lang="zh"',
        "<h1>部门：",
        "本次运行索引",
        "资源利用率报告",
        "项目（在建）",
        "剩余净现值",
        "项目编号",
        "¥",
    ):
        assert text in dept, text
    for text in ("Run index", "Department:", "Projects (running)", "<th>Name</th>", "department report"):
        assert text not in dept, text


@pytest.mark.notebook
def test_every_run_writes_a_formatted_workbook(suite_run):
    import openpyxl

    wb = openpyxl.load_workbook(suite_run.run_dir / "report.xlsx")
    assert {"decisions", "project_health", "roi_by_project", "utilization_by_resource"} <= set(wb.sheetnames)
    ws = wb["roi_by_project"]
    header = [c.value for c in ws[1]]
    npv = header.index("npv") + 1
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:")
    assert ws.cell(2, npv).number_format == "#,##0;[Red]-#,##0"
    assert ws.column_dimensions["B"].width > 8
    formulas = [c.coordinate for row in wb["decisions"].iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []


# --------------------------------------------------------------------------- in the browser
def _open(browser, path: Path, *, width: int, external: list, errors: list):
    page = browser.new_page(viewport={"width": width, "height": 900})

    def route(r):
        if r.request.url.startswith(("file:", "data:")):
            r.continue_()
        else:
            external.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page


_CLIPPED_TEXT = """() => {
  const bad = [];
  for (const el of document.querySelectorAll('.pmo-table th, .pmo-tile .l, h1, h2')) {
    // a word broken over two lines: the element is narrower than its longest word
    const words = el.textContent.trim().split(/\\s+/);
    const probe = document.createElement('span');
    probe.style.cssText = 'position:absolute;visibility:hidden;white-space:nowrap;font:' + getComputedStyle(el).font;
    document.body.appendChild(probe);
    for (const w of words) { probe.textContent = w; if (probe.offsetWidth > el.clientWidth + 1 && /^[A-Za-z]+$/.test(w)) bad.push(w); }
    probe.remove();
  }
  return bad;
}"""


@pytest.mark.browser
@pytest.mark.notebook
@pytest.mark.parametrize("width", [1440, 390])
def test_reports_in_the_browser(run_of, width, chromium):
    """Each report at ``width`` px: no external request, no script error, every image loaded, tables
    sortable and filterable, nothing wider than the page but tables (which scroll in their frame), no
    word broken in a header or tile, charts as wide as a phone's screen at most; a screenshot of each."""
    lang, run = run_of
    ARTIFACTS.mkdir(exist_ok=True)
    with chromium() as browser:
        for name in [*REPORTS, "index", "reports-index"]:
            path = run.run_dir.parent / "index.html" if name == "reports-index" else run.run_dir / f"{name}.html"
            external, errors = [], []
            page = _open(browser, path, width=width, external=external, errors=errors)
            assert external == [] and errors == [], (name, external, errors)
            assert page.evaluate("Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)"), name
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 1, (name, width, overflow)  # tables and charts scroll inside the page
            assert page.evaluate(_CLIPPED_TEXT) == [], (name, width)
            if width == 390 and name in REPORTS:
                # every chart scales to the phone's screen (a reader zooms into it), none scrolls sideways
                assert page.evaluate(
                    "Array.from(document.images).every(i => i.getBoundingClientRect().right"
                    " <= document.documentElement.clientWidth)"
                ), name
            page.screenshot(path=str(ARTIFACTS / f"{name}-{lang}-{width}.png"), full_page=True)
            page.close()


@pytest.mark.browser
@pytest.mark.notebook
def test_tables_sort_filter_and_show_all(suite_run, chromium):
    with chromium() as browser:
        external, errors = [], []
        page = _open(browser, suite_run.run_dir / "portfolio_roi.html", width=1440, external=external, errors=errors)
        wrap = page.locator(".pmo-table-wrap", has=page.locator("caption", has_text="Projects by lifetime NPV"))
        rows = wrap.locator("tbody tr")
        total = rows.count()
        assert total == 40  # every project of the sample, none cut
        visible = wrap.locator("tbody tr:visible")
        assert visible.count() == 12  # collapsed behind "Show all"
        wrap.locator("button.pmo-more").click()
        assert visible.count() == total
        # sort by NPV ascending: the first row is the lowest NPV
        wrap.locator("th", has_text="NPV").first.click()
        keys = wrap.locator("tbody tr td:nth-child(8)").evaluate_all("tds => tds.map(t => parseFloat(t.dataset.sort))")
        assert keys == sorted(keys)
        wrap.locator("input[type=search]").fill("PRJ-01")
        assert 1 <= visible.count() < total
        assert all("PRJ-01" in t for t in visible.locator("td:first-child").all_inner_texts())
        assert errors == [] and external == []


def _pdf_pages(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", data))


@pytest.mark.browser
@pytest.mark.notebook
def test_printed_reports(run_of, chromium):
    """Printed to PDF: the executive summary is one landscape A4 page with the decisions on it;
    every other report prints with no chart cut across a page (images never split)."""
    lang, run = run_of
    with chromium() as browser:
        for name in REPORTS:
            external, errors = [], []
            page = _open(browser, run.run_dir / f"{name}.html", width=1440, external=external, errors=errors)
            page.emulate_media(media="print")
            pdf = page.pdf(prefer_css_page_size=True, print_background=True)
            (ARTIFACTS / f"{name}-{lang}.pdf").write_bytes(pdf)
            if name == "executive_summary":
                assert _pdf_pages(pdf) == 1, (lang, _pdf_pages(pdf))
                box = re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)", pdf)
                assert box and float(box.group(1)) > float(box.group(2)), "landscape"
            split = page.evaluate("""() => Array.from(document.images).filter(i => getComputedStyle(i).breakInside
                                     !== 'avoid').length""")
            assert split == 0, name
            page.close()
