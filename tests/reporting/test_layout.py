"""Nothing cut, wherever leadership reads a page: at 1440 px, on a 390 px phone and on A4 paper.

One browser opens every kind of page of the session's suite run (the reports index, the run's index,
each report, the project page with the widest tables, a department page) and measures it: the page is
never wider than the screen; a table fits its frame, or scrolls inside it on a phone (never at 1440 px);
a chart fits its frame, and no text of an inline SVG chart runs past the chart's edge. Printed, every
report, the project page and the department page are laid out at the printable width of their A4 page
(landscape for the executive summary) and measured the same way (nothing scrolls on paper), then
printed to PDF: the executive summary on one page that keeps every decision needing money or people,
grouped with their totals. Screenshots and PDFs go to tests/artifacts/.
"""

from __future__ import annotations

import re

import pytest

from pmo_analysis.core import formatting as fmt
from pmo_analysis.model import load_model
from tests.helpers import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.notebook]

#: Printable width in CSS pixels (96 per inch) of the A4 pages the report template asks for:
#: portrait with 10 mm margins, landscape (the executive summary's briefing) with 8 mm margins.
PORTRAIT_PX = round((210 - 2 * 10) / 25.4 * 96)
LANDSCAPE_PX = round((297 - 2 * 8) / 25.4 * 96)

#: Everything in the page that is cut or sticks out, as sentences naming the table (its caption) or chart.
MEASURE = """(scrollOk) => {
  const vw = document.documentElement.clientWidth, out = [];
  const label = (e) => {
    const cap = e.querySelector && e.querySelector('caption');
    const alt = e.getAttribute && e.getAttribute('alt');
    return e.tagName.toLowerCase() + ' ' + JSON.stringify((cap ? cap.textContent : alt || '').trim().slice(0, 60));
  };
  if (document.documentElement.scrollWidth > vw + 1)
    out.push('page ' + document.documentElement.scrollWidth + ' px wide in ' + vw);
  for (const e of document.querySelectorAll('table, img, svg')) {
    if (e.parentElement.closest('svg')) continue;
    const r = e.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;  // not shown here (screen only, print only, collapsed)
    let frame = e.parentElement;
    while (frame && frame !== document.body && getComputedStyle(frame).overflowX === 'visible') frame = frame.parentElement;
    const edge = frame && frame !== document.body ? frame.getBoundingClientRect().right : vw;
    const scrolls = frame && frame !== document.body && ['auto', 'scroll'].includes(getComputedStyle(frame).overflowX);
    if (r.right > edge + 1 && !(e.tagName === 'TABLE' && scrolls && scrollOk))
      out.push(label(e) + ' cut: ends at ' + Math.round(r.right) + ' px, its frame at ' + Math.round(edge));
    if (e.tagName.toLowerCase() === 'svg')
      for (const t of e.querySelectorAll('text')) {
        const tr = t.getBoundingClientRect();
        if (tr.width && (tr.right > r.right + 2 || tr.left < r.left - 2))
          out.push(label(e) + ' chart text cut: ' + JSON.stringify(t.textContent.slice(0, 40)));
      }
  }
  return out;
}"""


def _briefing_heads(run_dir) -> list[str]:
    """The printed briefing's group heads, from the run's decisions and capacity, summed here: the funding
    need of the proposals to fund, of the running projects deferred, to re-scope or to re-plan, what
    stopping frees, and the people short by role."""
    model = load_model(run_dir / "model")
    d = model.decisions
    need = d.groupby("decision")["funding_need"].sum()
    running_defer = d.loc[(d["decision"] == "defer") & (d["status"] != "proposed"), "funding_need"].sum()
    find = running_defer + need.get("re-scope", 0.0) + need.get("re-plan", 0.0)
    short = -model.capacity_by_role.loc[model.capacity_by_role["gap_fte"] < -0.05, "gap_fte"].sum()
    with fmt.using(currency="USD", language="en"):
        return [
            f"Fund: needs {fmt.money(need['fund'])}",
            f"Find money: needs {fmt.money(find)}",
            f"Stop: frees {fmt.money(need['stop'] + need.get('reject', 0.0))}",
            f"Add capacity: short {short:.1f} FTE",
        ]


def _pages(run_dir):
    """Every kind of page: (name, path, prints) where prints says whether the test prints it."""
    projects = sorted((run_dir / "projects").glob("*.html"))
    widest = max(projects, key=lambda p: p.read_text("utf-8").count("<th "))  # the most table columns
    department = sorted((run_dir / "departments").glob("*.html"))[0]
    reports = sorted(p for p in run_dir.glob("*.html") if p.name != "index.html")
    return [
        ("reports-index", run_dir.parent / "index.html", False),
        ("run-index", run_dir / "index.html", False),
        *[(p.stem, p, True) for p in reports],
        (f"project-{widest.stem}", widest, True),
        ("department", department, True),
    ]


def test_no_table_or_chart_is_cut_on_screen_or_paper(suite_run, chromium):
    ARTIFACTS.mkdir(exist_ok=True)
    pages = _pages(suite_run.run_dir)
    assert len(pages) == 9
    found: dict[str, list[str]] = {}
    with chromium() as browser:
        for width in (1440, 390):
            context = browser.new_context(viewport={"width": width, "height": 900})
            page = context.new_page()
            for name, path, _prints in pages:
                page.goto(path.as_uri())
                # a table may scroll inside its frame on a phone; at 1440 px every table fits
                found[f"{name} at {width}"] = page.evaluate(MEASURE, width < 1000)
                if width == 390:  # charts scale to the phone's screen
                    assert page.evaluate(
                        "Array.from(document.querySelectorAll('img, .jp-OutputArea-output svg'))"
                        ".every(i => i.getBoundingClientRect().width <= document.documentElement.clientWidth)"
                    ), name
                page.screenshot(path=str(ARTIFACTS / f"layout-{name}-{width}.png"), full_page=True)
            context.close()
        page = browser.new_page()
        page.emulate_media(media="print")
        for name, path, prints in pages:
            if not prints:
                continue
            html = path.read_text("utf-8")
            landscape = re.search(r"@page\s*\{\s*size:\s*A4 landscape", html) is not None
            page.set_viewport_size({"width": LANDSCAPE_PX if landscape else PORTRAIT_PX, "height": 1100})
            page.goto(path.as_uri())
            found[f"{name} printed"] = page.evaluate(MEASURE, False)  # nothing scrolls on paper
            pdf = page.pdf(prefer_css_page_size=True, print_background=True)
            pages_printed = len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))
            assert pdf.startswith(b"%PDF") and pages_printed >= 1, name
            if name == "executive_summary":  # the one-page briefing keeps every ask for money or people
                assert pages_printed == 1
                heads = page.locator(".pmo-briefing .pmo-brief-group .h").all_inner_texts()
                assert heads == _briefing_heads(suite_run.run_dir), heads
            (ARTIFACTS / f"layout-{name}.pdf").write_bytes(pdf)
    assert {k: v for k, v in found.items() if v} == {}
