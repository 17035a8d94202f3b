"""The report pipeline end to end: offline HTML, manifest, honest failures, schedules."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import hashlib
import json
import re
import shutil
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from nbformat.v4 import new_code_cell, new_notebook

from pmo_analysis import ParameterError
from pmo_analysis.cli import main
from pmo_analysis.core.config import NOTEBOOKS_DIR, SAMPLE_AS_OF, SAMPLE_DATA_DIR
from pmo_analysis.model import load_model
from pmo_analysis.runs.plan import SCENARIO_NOTEBOOKS
from pmo_analysis.runs.publish import REPORT_NOTEBOOKS, prune_reports
from pmo_analysis.runs.runner import run_reports
from pmo_analysis.runs.schedule import Schedule, _lock, due_slot, next_runs, render_params, run_due
from tests.helpers import ARTIFACTS


def test_suite_succeeds_and_publishes(suite_run):
    assert suite_run.status == "success", [n.error for n in suite_run.notebooks]
    run = suite_run.run_dir
    # a page per project; the scenario notebooks run only in a run with scenarios (or in JupyterLab)
    names = [
        p.stem for p in sorted(NOTEBOOKS_DIR.glob("*.ipynb")) if p.stem not in ("project_report", *SCENARIO_NOTEBOOKS)
    ]
    assert (run / "projects" / "PRJ-007.html").exists()
    for name in names:
        assert (run / f"{name}.html").exists() and (run / f"{name}.ipynb").exists()
    assert not [n for n in SCENARIO_NOTEBOOKS if (run / f"{n}.html").exists()]
    reports = run.parent
    assert (reports / "latest").resolve() == run.resolve()
    index = (reports / "index.html").read_text(encoding="utf-8")
    assert run.name in index and "SUCCESS" in index and "30 Jun 2026" in index  # SAMPLE_AS_OF, in the date style
    assert not [p for p in reports.iterdir() if p.name.startswith(".tmp-")]


def test_html_is_offline_without_code(suite_run):
    for html_file in suite_run.run_dir.glob("*.html"):
        text = html_file.read_text(encoding="utf-8")
        assert not re.search(r"<script[^>]+src=[\"']https?://", text), html_file.name
        assert not re.search(r"<link[^>]+href=[\"']https?://", text), html_file.name
        assert "@import url(http" not in text
        if html_file.name == "index.html":
            continue
        assert not re.search(r'class="[^"]*(jp-CodeMirrorEditor|jp-InputPrompt)', text), (
            f"code shown in {html_file.name}"
        )
        assert "import pmo_analysis" not in text and "resolve_params(" not in text
        assert 'class="pmo-header"' in text and "All reports" in text
        imgs = re.findall(r"<img[^>]+src=\"([^\"]{0,30})", text)
        assert all(src.startswith("data:image/png;base64,") for src in imgs), html_file.name
        # a first executive summary has no trend chart yet; every other report has charts
        assert imgs or html_file.stem == "executive_summary", html_file.name
        assert html_file.stat().st_size < 5_000_000


def test_manifest_lists_inputs_with_sha256(suite_run):
    m = json.loads((suite_run.run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert m["status"] == "success" and m["schedule"] == "adhoc"
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$", m["started"])
    files = {f["name"]: f for f in m["data"]["files"]}
    assert set(files) == {p.name for p in SAMPLE_DATA_DIR.iterdir() if p.is_file()}
    for name, f in files.items():
        data = (SAMPLE_DATA_DIR / name).read_bytes()
        assert f["sha256"] == hashlib.sha256(data).hexdigest() and f["size"] == len(data)
    nb = {n["name"]: n for n in m["notebooks"]}
    assert nb["portfolio_roi"]["parameters"]["as_of"] == SAMPLE_AS_OF
    assert "portfolio_roi/roi_by_project.csv" in nb["portfolio_roi"]["outputs"]
    assert set(m["versions"]) >= {"python", "pandas", "pmo_analysis"}


# ---------------------------------------------------------------- failures, using tiny notebooks
def _nb(folder: Path, name: str, body: str) -> Path:
    nb = new_notebook()
    params = new_code_cell("data_dir = None\noutput_dir = None\nas_of = None")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [
        params,
        new_code_cell("from pathlib import Path\nPath(output_dir, 'done.txt').write_text('x')"),
        new_code_cell(body),
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = folder / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.mark.notebook
def test_failing_notebook_is_reported_honestly(tmp_path):
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    _nb(nbs, "good", "print('fine')")
    reports = tmp_path / "reports"
    first = run_reports(notebooks_dir=nbs, reports_dir=reports, progress=None, schedule="t")
    assert first.status == "success"
    _nb(nbs, "bad", "raise ValueError('budget sheet is missing <b>column</b>')")
    cli = CliRunner().invoke(
        main,
        [
            "run",
            "--reports-dir",
            str(reports),
            "--schedule",
            "t",
            "-n",
            str(nbs / "good.ipynb"),
            "-n",
            str(nbs / "bad.ipynb"),
        ],
    )
    assert cli.exit_code == 1, cli.output
    runs = sorted(p for p in reports.iterdir() if p.is_dir() and not p.is_symlink())
    second = runs[-1]
    m = json.loads((second / "manifest.json").read_text())
    assert m["status"] == "partial"
    status = {n["name"]: n for n in m["notebooks"]}
    assert status["good"]["status"] == "success" and status["bad"]["status"] == "failed"
    assert status["bad"]["error"]["ename"] == "ValueError" and status["bad"]["error"]["cell"] == 4
    html = (second / "bad.html").read_text(encoding="utf-8")
    assert 'class="pmo-banner"' in html and "This report failed" in html and "In [4]" in html
    assert "budget sheet is missing &lt;b&gt;column&lt;/b&gt;" in html
    assert (second / "good.html").exists()
    assert (reports / "latest").resolve() == first.run_dir.resolve()  # latest keeps the good run
    assert "PARTIAL" in (reports / "index.html").read_text()


@pytest.mark.notebook
def test_hanging_notebook_is_stopped(tmp_path):
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    _nb(nbs, "hang", "print('reached the slow step')\nimport time\ntime.sleep(600)")
    r = run_reports(notebooks_dir=nbs, reports_dir=tmp_path / "reports", timeout=3, progress=None)
    assert r.status == "failed" and r.duration_s < 60
    assert r.notebooks[0].error.ename in ("CellTimeoutError", "Timeout", "TimeoutError")
    # papermill saves the notebook once, at its end, whatever the ending: the report shows how far it got
    html = (r.run_dir / "hang.html").read_text(encoding="utf-8")
    assert 'class="pmo-banner"' in html and "reached the slow step" in html


def test_report_pages_match_nbconverts_own_rendering():
    """The report exporter leaves out nbconvert's BeautifulSoup pass: the page reads the same, and
    what the pass added (alt text, focusable outputs) the template gives."""
    import base64

    from bs4 import BeautifulSoup
    from nbconvert import HTMLExporter
    from nbformat.v4 import new_markdown_cell, new_output

    from pmo_analysis.reporting.rendering import TEMPLATES, report_exporter

    png = base64.b64encode(
        bytes.fromhex(
            "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
            "1f15c4890000000d49444154789c6360f8cfc0f01f0005fe02fea7d6a4e80000000049454e44ae426082"
        )
    ).decode()
    nb = new_notebook(
        cells=[
            new_markdown_cell("## Health <of> running projects\n\nA *note* with 供应商 text."),
            new_code_cell(
                "x",
                outputs=[
                    new_output("display_data", data={"text/html": "<table><tr><td>PRJ-001 &amp; co</td></tr></table>"}),
                    new_output(
                        "display_data", data={"image/png": png}, metadata={"image/png": {"alt": 'NPV "ranked" <top>'}}
                    ),
                    new_output("display_data", data={"image/png": png}),
                    new_output("stream", name="stdout", text="printed\n"),
                ],
            ),
        ]
    )
    res = {"pmo": {"title": "T"}, "metadata": {"name": "T"}}
    ours, _ = report_exporter().from_notebook_node(nb, resources=dict(res))
    theirs, _ = HTMLExporter(
        template_name="pmo",
        extra_template_basedirs=[str(TEMPLATES)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    ).from_notebook_node(nb, resources=dict(res))
    words = [" ".join(BeautifulSoup(page, "html.parser").get_text().split()) for page in (ours, theirs)]
    assert words[0] == words[1] and "PRJ-001 & co" in words[0] and "供应商" in words[0]
    imgs = BeautifulSoup(ours, "html.parser").find_all("img")
    assert [i["alt"] for i in imgs] == ['NPV "ranked" <top>', "Chart"]
    assert 'document.querySelectorAll(".jp-OutputArea-output").forEach(function (e) { e.tabIndex = 0; });' in ours


@pytest.mark.notebook
def test_killed_kernel_does_not_hang_the_runner(tmp_path):
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    _nb(nbs, "die", "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)")
    r = run_reports(notebooks_dir=nbs, reports_dir=tmp_path / "reports", timeout=30, progress=None)
    assert r.status == "failed" and r.duration_s < 90


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"as_of": "2026-13-01"}, "parameter 'as_of' must be a date YYYY-MM-DD, got '2026-13-01'"),
        ({"discount_rate": "ten"}, "executive_summary: parameter 'discount_rate' must be a number, got 'ten'"),
        ({"over_threshold": 0}, "resource_utilization: parameter 'over_threshold' must be > 0 and <= 3, got 0"),
        ({"no_such": 1}, "unknown parameter(s) 'no_such'"),
    ],
)
def test_bad_parameters_rejected_before_any_kernel(tmp_path, params, message):
    reports = tmp_path / "reports"
    with pytest.raises(ParameterError) as info:
        run_reports(params=params, reports_dir=reports, progress=None)
    assert message in str(info.value)
    assert not reports.exists() or not any(reports.iterdir())


@pytest.mark.notebook
def test_script_in_data_is_shown_as_text(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(SAMPLE_DATA_DIR, data)
    path = data / "projects.csv"
    text = path.read_text(encoding="utf-8").replace(
        "CRM Replacement", "<script>alert(1)</script><img src=x onerror=alert(2)>"
    )
    # spreadsheet formulas in names: leadership opens the exported tables in Excel
    for name, payload in (
        ("ERP Upgrade", '"=HYPERLINK(""http://x.test"",""ERP"")"'),
        ("Data Lake Migration", "+SUM(1)"),
        ("Customer Portal", "@cmd"),
        ("Network Refresh", "-2+3 Refresh"),
    ):
        text = text.replace(name, payload)
    path.write_text(text, encoding="utf-8")
    r = run_reports(
        data_dir=data,
        notebooks=["portfolio_roi"],
        params={"as_of": SAMPLE_AS_OF},
        reports_dir=tmp_path / "reports",
        progress=None,
    )
    assert r.status == "success", r.notebooks[0].error
    html = (r.run_dir / "portfolio_roi.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html and "<img src=x onerror" not in html
    cells = [cell for f in r.run_dir.rglob("*.csv") for row in csv.reader(f.open(encoding="utf-8-sig")) for cell in row]
    assert "'+SUM(1)" in cells and "'@cmd" in cells and "'-2+3 Refresh" in cells
    for cell in cells:
        assert not cell.startswith(("=", "+", "@", "\t", "\r")), cell
        if cell.startswith("-"):
            float(cell.replace(",", ""))  # a negative number, never text that Excel would evaluate


def test_prune_keeps_latest_good(tmp_path):
    reports = tmp_path / "reports"
    for i, status in enumerate(["success", "failed", "failed"]):
        d = reports / f"2026010{i + 1}T000000Z-x"
        d.mkdir(parents=True)
        (d / "manifest.json").write_text(
            json.dumps(
                {
                    "run_id": d.name,
                    "schedule": "x",
                    "status": status,
                    "started": "",
                    "as_of": "2026-06-30",
                    "complete": True,
                    "notebooks": [],
                }
            )
        )
    removed = prune_reports(reports, keep=1)  # the latest good run comes from the manifests
    assert removed == ["20260102T000000Z-x"]
    assert (reports / "20260101T000000Z-x").exists() and (reports / "20260103T000000Z-x").exists()
    assert (reports / "latest").resolve() == (reports / "20260101T000000Z-x").resolve()


# ---------------------------------------------------------------- schedules
LONDON = Schedule("daily", "0 7 * * *", "Europe/London", "data/sample", params={"as_of": "{{ last_month_end }}"})


def test_schedule_across_daylight_saving_change():
    # clocks go forward in London on Sunday 29 March 2026
    runs = next_runs(LONDON, after=dt.datetime(2026, 3, 27, 12, tzinfo=dt.UTC), n=3)
    utc = [t.astimezone(dt.UTC).strftime("%m-%d %H:%M") for t in runs]
    assert [t.strftime("%H:%M") for t in runs] == ["07:00"] * 3
    assert utc == ["03-28 07:00", "03-29 06:00", "03-30 06:00"]


def test_templated_parameters():
    slot = dt.datetime(2026, 3, 2, 7, tzinfo=dt.UTC)
    assert render_params(LONDON, slot) == {"as_of": "2026-02-28"}
    weekly = Schedule(
        "w", "0 7 * * MON", "Asia/Shanghai", "d", params={"as_of": "{{ last_week_end }}", "x": "{{ today }}"}
    )
    # 23:30 UTC on Sunday is already Monday 07:30 in Shanghai
    assert render_params(weekly, dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC)) == {
        "as_of": "2026-03-01",
        "x": "2026-03-02",
    }


def test_run_due_runs_each_slot_once(tmp_path):
    calls = []
    now = dt.datetime(2026, 3, 29, 6, 30, tzinfo=dt.UTC)  # 07:30 BST: today's slot is due
    runner = lambda **kw: calls.append(kw)  # noqa: E731
    first = run_due({"daily": LONDON}, reports_dir=tmp_path, now=now, runner=runner, say=lambda m: None)
    second = run_due(
        {"daily": LONDON}, reports_dir=tmp_path, now=now + dt.timedelta(minutes=1), runner=runner, say=lambda m: None
    )
    assert first == [("daily", "2026-03-29T07:00:00+01:00")] and second == []
    assert len(calls) == 1 and calls[0]["params"] == {"as_of": "2026-02-28"} and calls[0]["schedule"] == "daily"
    later = run_due(
        {"daily": LONDON}, reports_dir=tmp_path, now=now + dt.timedelta(days=1), runner=runner, say=lambda m: None
    )
    assert later == [("daily", "2026-03-30T07:00:00+01:00")]


def test_run_due_skips_while_another_call_holds_the_lock(tmp_path):
    calls = []
    with _lock(tmp_path / ".schedule.lock") as got:
        assert got
        ran = run_due({"daily": LONDON}, reports_dir=tmp_path, runner=lambda **kw: calls.append(kw), say=lambda m: None)
    assert ran == [] and calls == []


def test_due_slot_none_before_first_slot_passes():
    s = Schedule("m", "0 6 2 * *", "Asia/Shanghai", "d")
    now = dt.datetime(2026, 3, 1, 21, 59, tzinfo=dt.UTC)  # 05:59 on the 2nd in Shanghai
    assert due_slot(s, now=now, last_slot="2026-02-02T06:00:00+08:00") is None
    assert (
        due_slot(s, now=now + dt.timedelta(minutes=1), last_slot="2026-02-02T06:00:00+08:00").isoformat()
        == "2026-03-02T06:00:00+08:00"
    )


def test_report_notebooks_are_known():
    from pmo_analysis.runs.pages import PAGE_NOTEBOOK
    from pmo_analysis.runs.plan import SCENARIO_NOTEBOOKS

    assert set(REPORT_NOTEBOOKS) | {PAGE_NOTEBOOK, *SCENARIO_NOTEBOOKS} >= {
        p.stem for p in NOTEBOOKS_DIR.glob("*.ipynb")
    }


@pytest.mark.browser
def test_reports_open_offline_in_chromium(suite_run, chromium):
    ARTIFACTS.mkdir(exist_ok=True)
    pages = [suite_run.run_dir / "index.html", *sorted(suite_run.run_dir.glob("*.html"))]
    with chromium() as browser:
        for path in dict.fromkeys(pages):
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            external, errors = [], []

            def route(r, external=external):
                url = r.request.url
                if url.startswith(("file:", "data:")):
                    r.continue_()
                else:
                    external.append(url)
                    r.abort()

            page.route("**/*", route)
            page.on("console", lambda m, errors=errors: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
            page.goto(path.as_uri())
            page.wait_for_load_state("load")
            broken = page.evaluate(
                "Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).length"
            )
            images = page.evaluate("document.images.length")
            page.screenshot(path=str(ARTIFACTS / f"{path.stem}.png"), full_page=path.stem != "index")
            page.close()
            assert external == [], f"{path.name} requested {external}"
            assert errors == [], f"{path.name} console errors {errors}"
            assert broken == 0, f"{path.name}: {broken} of {images} images did not load"
            if path.name != "index.html":
                assert images >= (0 if path.stem == "executive_summary" else 3), path.name


# --------------------------------------------------------------------------- one answer per question
_TILE = re.compile(r'<div class="l">(.*?)</div><div class="v(?: neg)?">(.*?)</div>', re.S)
_KEYS = [("project_id",), ("resource_id", "period"), ("resource_id",), ("role", "period"), ("role",), ("lesson_id",)]


def test_figures_shown_twice_are_identical(suite_run):
    """Every headline tile shown in more than one report reads the same in each."""
    tiles: dict[str, dict[str, str]] = {}
    for page in suite_run.run_dir.glob("*.html"):
        for label, value in _TILE.findall(page.read_text(encoding="utf-8")):
            tiles.setdefault(label, {})[page.stem] = value
    shared = {label: by_report for label, by_report in tiles.items() if len(by_report) > 1}
    assert len(shared) >= 4, tiles  # NPV, ROI, CPI/SPI, running projects, utilization, ...
    for label, by_report in shared.items():
        assert len(set(by_report.values())) == 1, (label, by_report)


def _same(a: pd.Series, b: pd.Series) -> bool:
    na, nb = a.isna(), b.isna()
    if not (na == nb).all():
        return False
    a, b = a[~na], b[~nb]
    if pd.api.types.is_numeric_dtype(a) and pd.api.types.is_numeric_dtype(b):
        return bool(np.allclose(a.astype(float), b.astype(float), rtol=1e-9, atol=1e-9))
    return bool((a.astype(str).to_numpy() == b.astype(str).to_numpy()).all())


# --------------------------------------------------------------------------- the pages agree with the model
def _soup(path: Path):
    from bs4 import BeautifulSoup  # the pages as a reader's browser parses them

    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def _table(soup, caption: re.Pattern) -> list[dict[str, str]]:
    """The rows of the page's table whose caption matches, as {header: cell text}."""
    for t in soup.find_all("table"):
        cap = t.find("caption")
        if cap is not None and caption.search(cap.get_text(" ", strip=True)):
            heads = [th.get_text(" ", strip=True) for th in t.find("thead").find_all("th")]
            return [
                dict(zip(heads, [td.get_text(" ", strip=True) for td in tr.find_all("td")], strict=True))
                for tr in t.find("tbody").find_all("tr")
            ]
    raise AssertionError(f"no table captioned {caption.pattern!r}")


def _caption(template: str, **known) -> re.Pattern:
    """The caption or title ``template`` in the report language, as a pattern: the fields given
    read their value, the others any whole number."""
    from pmo_analysis.core.i18n import CATALOGUE, current

    text = CATALOGUE[template] if current() == "zh" else template
    fields = re.findall(r"{(\w+)}", text)
    pattern = re.escape(text)
    for f in fields:
        pattern = pattern.replace(re.escape("{" + f + "}"), re.escape(str(known[f])) if f in known else r"\d+")
    return re.compile("^" + pattern + "$")


def _tiles(soup) -> dict[str, str]:
    return {
        lab.get_text(" ", strip=True): lab.find_next_sibling("div").get_text(" ", strip=True)
        for lab in soup.find_all("div", class_="l")
    }


@pytest.mark.parametrize("run", ["suite_run", "suite_run_zh"])
def test_pages_agree_with_the_model(run, request):
    """What leadership reads on the pages, parsed from the HTML, is the model's answer, in English
    and in Chinese: each decision's label (the executive summary's asks, the ROI report's table,
    each project page), the thresholds drawn and stated (the assumptions line, the CPI/SPI chart's
    lines on the department pages), the planned and forecast end dates (the health table, the
    project pages) and the counts (tiles, the health table, the CPI/SPI chart's title)."""
    from pmo_analysis.analyses import summary
    from pmo_analysis.core import formatting as fmt
    from pmo_analysis.core.i18n import _, label
    from pmo_analysis.model import load_model
    from pmo_analysis.reporting.display import pretty_label

    result = request.getfixturevalue(run)
    lang, currency = ("zh", "CNY") if run.endswith("_zh") else ("en", "USD")
    folder = Path(result.run_dir)
    m = load_model(folder / "model")
    h = m.headline.iloc[0]
    decision = m.decisions.set_index("project_id")["decision"]
    p = m.projects.set_index("project_id")
    es, roi_page = _soup(folder / "executive_summary.html"), _soup(folder / "portfolio_roi.html")
    with fmt.using(language=lang, currency=currency):
        labels = decision.map(label)
        # decisions: the executive summary asks by the label every other page shows
        asks = [r[pretty_label("decision")] for r in _table(es, _caption("{n} decision(s)"))]
        exported = pd.read_csv(folder / "executive_summary" / "decisions_needed.csv", dtype=str, keep_default_na=False)
        about = exported.loc[exported["project_id"] != ""]
        assert len(about) == 7 and about["decision"].isin(asks).all()
        for pid, text in zip(about["project_id"], about["decision"], strict=True):
            assert text.startswith(f"{labels[pid]} {pid} "), (text, decision[pid])
        assert f"{label('defer')} PRJ-019 {p.loc['PRJ-019', 'name']}" in asks
        rows = _table(roi_page, re.compile(re.escape(_("One decision per open project, with its reason"))))
        assert len(rows) == (~decision.isin(["closed"])).sum() == 29
        for r in rows:
            assert r[pretty_label("decision")] == labels[r[pretty_label("project_id")]]
        pages = sorted((folder / "projects").glob("PRJ-*.html"))
        assert len(pages) >= 20
        for page in pages:
            pid, tiles = page.stem, _tiles(_soup(page))
            assert tiles[_("Decision")] == labels[pid], pid
            end, forecast = p.loc[pid, "end_date"], p.loc[pid, "forecast_end"]
            shown = _(" (forecast end {date})", date=fmt.date(forecast))  # in the report's date style
            assert (shown in page.read_text(encoding="utf-8")) == (forecast != end), pid
        # thresholds: stated once, the same on both reports; drawn on every department's chart
        line = summary.assumptions_line(m)
        a = m.assumptions.iloc[0]
        for soup in (es, roi_page):
            assert line in soup.get_text(" ", strip=True)
        assert fmt.money(a["budget_cap"]) in line and fmt.ratio(a["cpi_amber"]) in line
        red = _("Off track below CPI {cpi} or SPI {spi}", cpi=fmt.ratio(a["cpi_red"]), spi=fmt.ratio(a["spi_red"]))
        amber = _("At risk below CPI {cpi} or SPI {spi}", cpi=fmt.ratio(a["cpi_amber"]), spi=fmt.ratio(a["spi_amber"]))
        charts = [d.read_text(encoding="utf-8") for d in (folder / "departments").glob("*.html")]
        drawn = [c for c in charts if "<svg" in c]
        assert drawn and all(red in c and amber in c for c in drawn)
        # end dates: the health table shows the plan and the forecast of the model
        troubled = int(h["off_track"] + h["at_risk"])
        health = _table(es, _caption("{n} running projects off track or at risk, worst first", n=troubled))
        assert len(health) == troubled == 20
        for r in health:
            pid = r[pretty_label("project_id")]
            assert r[pretty_label("end_date")] == fmt.date(p.loc[pid, "end_date"])
            assert r[pretty_label("forecast_end")] == fmt.date(p.loc[pid, "forecast_end"])
        # PRJ-022: planned 28 Feb 2027, 16 Sep 2027 by its milestones, Jan 2028 at its Earned Schedule pace
        assert fmt.date(p.loc["PRJ-022", "forecast_end"]) == fmt.date("2028-01-31")
        assert p.loc["PRJ-022", "forecast_end_source"] == "earned_schedule"
        # counts: tiles, the health table and the CPI/SPI chart's title read the headline
        tiles = _tiles(es)
        assert tiles[_("Off track / at risk (running projects)")] == f"{int(h['off_track'])} / {int(h['at_risk'])}"
        assert tiles[_("Off track / at risk (running projects)")] == "10 / 10"
        assert tiles[_("Data needed (running projects whose health waits for data)")] == str(int(h["data_needed"]))
        assert str(int(h["data_needed"])) == "0"
        title = _caption(
            "Earned value: {n} of {total} running projects off track or at risk, {k} of them below an amber CPI or "
            "SPI line",
            n=troubled,
            total=int(h["running_projects"]),
        )
        assert roi_page.find("img", alt=title) is not None


def test_columns_exported_twice_are_identical(suite_run):
    """Two exported tables that share a key and a column agree on every shared row."""
    tables = {
        str(p.relative_to(suite_run.run_dir)): pd.read_csv(p, dtype={"project_id": str, "resource_id": str})
        for p in suite_run.run_dir.rglob("*.csv")
    }
    compared = 0
    names = sorted(tables)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            ta, tb = tables[a], tables[b]
            key = next(
                (
                    list(k)
                    for k in _KEYS
                    if set(k) <= set(ta)
                    and set(k) <= set(tb)
                    and not ta.duplicated(list(k)).any()
                    and not tb.duplicated(list(k)).any()
                ),
                None,
            )
            if key is None:
                continue
            common = [c for c in ta.columns if c in tb.columns and c not in key]
            joined = ta.merge(tb, on=key, suffixes=("_a", "_b"))
            for c in common:
                assert _same(joined[f"{c}_a"], joined[f"{c}_b"]), f"{c} differs between {a} and {b}"
                compared += 1
    assert compared >= 20


def test_no_project_is_both_stopped_and_funded_in_the_run(suite_run):
    d = pd.read_csv(suite_run.run_dir / "decisions.csv")
    assert len(d) == 40 and d["project_id"].is_unique
    assert not (d["decision"].isin(["stop", "reject"]) & d["funded"]).any()
    sel = pd.read_csv(suite_run.run_dir / "portfolio_roi" / "portfolio_selection.csv")
    assert not set(sel.loc[sel["selected"], "project_id"]) & set(d.loc[d["decision"] == "stop", "project_id"])
    html = (suite_run.run_dir / "executive_summary.html").read_text(encoding="utf-8")
    for pid in d.loc[d["decision"] == "stop", "project_id"]:
        assert f"Stop {pid}" in html


@pytest.mark.notebook
def test_stale_data_is_not_a_good_run(tmp_path):
    """as_of months after the data ends: the run says stale everywhere, latest stays on the last good run,
    and accepting it publishes a good run with the banner kept."""
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    _nb(nbs, "tiny", "print(as_of)")
    reports = tmp_path / "reports"
    # as_of given: a default one is stale once the sample is a year older than the day the test runs
    good = run_reports(notebooks_dir=nbs, reports_dir=reports, progress=None, params={"as_of": "2026-06-30"})
    assert good.status == "success"
    m = json.loads((good.run_dir / "manifest.json").read_text())
    assert m["as_of"] == "2026-06-30" and m["stale"] == []
    assert (good.run_dir / "decisions.csv").exists() and (good.run_dir / "model" / "model.json").exists()

    cli = CliRunner().invoke(
        main, ["run", "--reports-dir", str(reports), "-n", str(nbs / "tiny.ipynb"), "-p", "as_of", "2026-11-22"]
    )
    assert cli.exit_code == 1, cli.output
    assert "stale data: actual costs end in 2026-06, 4 months before the last complete month 2026-10" in cli.output
    stale = max((p for p in reports.iterdir() if p.is_dir() and not p.is_symlink()), key=lambda p: p.name)
    m = json.loads((stale / "manifest.json").read_text())
    assert m["status"] == "stale" and len(m["stale"]) == 2 and m["as_of"] == "2026-11-22"
    assert (reports / "latest").resolve() == good.run_dir.resolve()
    assert "STALE" in (reports / "index.html").read_text() and "Stale data" in (stale / "index.html").read_text()

    accepted = run_reports(
        notebooks_dir=nbs, reports_dir=reports, progress=None, params={"as_of": "2026-11-22", "accept_stale": True}
    )
    assert accepted.status == "success"
    m = json.loads((accepted.run_dir / "manifest.json").read_text())
    assert m["accept_stale"] and len(m["stale"]) == 2
    assert "accepted for this run" in (accepted.run_dir / "index.html").read_text()


def test_where_no_child_process_may_start_the_run_works_in_its_own(tmp_path, monkeypatch):
    """A daemonic worker of a task queue may not start processes: the lessons part of the model and
    report.xlsx are then made in the run's own process, with the same result."""
    import multiprocessing.context

    from pmo_analysis.model import lessons_process
    from pmo_analysis.runs.workbook import _Workbook

    def refuse(self):
        raise AssertionError("daemonic processes are not allowed to have children")

    monkeypatch.setattr(multiprocessing.context.SpawnProcess, "start", refuse)
    with lessons_process() as pool:
        assert pool is None
    (tmp_path / "report_a").mkdir()
    pd.DataFrame({"project_id": ["P1"], "npv": [1.5]}).to_csv(tmp_path / "report_a" / "roi.csv", index=False)
    said = []
    book = _Workbook(tmp_path, ["report_a"])
    book.report_ended("report_a")
    book.finish(said.append)
    book.stop()
    import openpyxl

    assert said == [] and openpyxl.load_workbook(tmp_path / "report.xlsx").sheetnames == ["Contents", "roi"]


# --------------------------------------------------------------------------- data with only some of the tables
REAL_NASA = Path(__file__).resolve().parents[3] / "shared" / "real-data" / "nasa-llis"


def test_reports_whose_tables_are_missing_are_not_run(tmp_path):
    """The plan keeps the reports whose tables are present (and notebooks nobody declared), and says
    in one sentence why each other one is not run."""
    from pmo_analysis.runs.plan import _plan_run, _reports_to_run

    nbs = tmp_path / "nbs"
    nbs.mkdir()
    for name in ("portfolio_roi", "lessons_learned", "resource_utilization", "scratch"):
        _nb(nbs, name, "print(1)")
    plan = _plan_run(
        data_dir=SAMPLE_DATA_DIR,
        notebooks=None,
        params=None,
        notebook_params=None,
        reports_dir=tmp_path / "reports",
        notebooks_dir=nbs,
    )
    runnable, not_run = _reports_to_run(plan, ["projects", "lessons", "resources", "holidays"])
    assert [p.stem for p in runnable.paths] == ["lessons_learned", "scratch"]
    assert not_run == {
        "portfolio_roi": "needs the table(s) cashflows",
        "resource_utilization": "needs the table(s) assignments, timesheets",
    }
    assert runnable.complete == plan.complete  # the run was asked for the whole suite all the same
    # a Chinese run says why in Chinese, the tables listed as Chinese lists them
    zh = dataclasses.replace(plan, common={**plan.common, "language": "zh"})
    assert _reports_to_run(zh, ["projects", "lessons", "resources", "holidays"])[1] == {
        "portfolio_roi": "需要数据表 cashflows",
        "resource_utilization": "需要数据表 assignments、timesheets",
    }


def test_a_report_not_run_is_no_failure_and_the_index_says_why():
    from pmo_analysis.runs.execute import NotebookResult
    from pmo_analysis.runs.manifest import _run_status
    from pmo_analysis.runs.publish import render_run_index

    model = type("M", (), {"stale": [], "params": {"accept_stale": False}})()
    ran = NotebookResult("lessons_learned", status="success", duration_s=3.0, outputs=["lessons_learned.html"])
    skipped = NotebookResult("portfolio_roi", status="not run", reason="needs the table(s) cashflows")
    assert _run_status([ran, skipped], model) == "success"
    failed = NotebookResult("lessons_learned", status="failed")
    assert _run_status([failed, skipped], model) == "failed"
    assert _run_status([skipped], model) == "failed"  # nothing could run: nothing to read
    manifest = {
        "run_id": "r1",
        "schedule": "adhoc",
        "status": "success",
        "started": "2026-07-01T07:00:00+00:00",
        "duration_s": 5.0,
        "as_of": "2026-06-30",
        "data": {"dir": "/data/nasa-llis", "files": []},
        "model": {"tables": ["lessons", "headline"]},
        "notebooks": [vars(ran) | {"error": None}, vars(skipped) | {"error": None}],
        "pages_not_run": "needs the table(s) cashflows",
    }
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", render_run_index(manifest)))
    assert "Portfolio ROI and performance NOT RUN Not run: needs the table(s) cashflows." in text
    assert "Project and department pages: not run: needs the table(s) cashflows." in text
    assert "decisions.csv" not in text  # the model has no decisions without cash flows
    assert 'class="status not-run"' in render_run_index(manifest)


@pytest.mark.slow
@pytest.mark.notebook
@pytest.mark.skipif(not REAL_NASA.exists(), reason=f"real public data not present at {REAL_NASA}")
def test_nasa_lessons_register_runs_the_lessons_report(tmp_path):
    """The 1,292 NASA lessons (tables projects and lessons, real data): `pmo-analysis run` publishes
    the lessons report, and the run's index says which reports were not run and why."""
    reports = tmp_path / "reports"
    cli = CliRunner().invoke(
        main, ["run", "--data-dir", str(REAL_NASA), "--reports-dir", str(reports), "-p", "as_of", "2020-12-31"]
    )
    assert cli.exit_code == 0, cli.output
    assert "portfolio_roi: not run: needs the table(s) cashflows" in cli.output
    run = (reports / "latest").resolve()
    m = json.loads((run / "manifest.json").read_text())
    assert m["status"] == "success" and m["complete"] is True
    assert {n["name"]: (n["status"], n["reason"]) for n in m["notebooks"]} == {
        "executive_summary": ("not run", "needs the table(s) cashflows"),
        "portfolio_roi": ("not run", "needs the table(s) cashflows"),
        "resource_utilization": ("not run", "needs the table(s) resources, assignments, timesheets"),
        "lessons_learned": ("success", None),
        "portfolio_delivery": ("not run", "needs the table(s) cashflows"),
    }
    assert m["pages"] == [] and m["pages_not_run"] == "needs the table(s) cashflows"
    assert "lessons" in m["model"]["tables"] and "decisions" not in m["model"]["tables"]
    model = load_model(run / "model")  # the model the lessons report read, as the run saved it
    assert model.missing_parts == {"finance": ["cashflows"], "resources": ["resources", "assignments", "timesheets"]}
    assert len(model.lessons) == 1292 and model.lessons["project_id"].nunique() == 14
    assert model.headline.loc[0, "running_projects"] == 0 and np.isnan(model.headline.loc[0, "portfolio_npv"])
    assert len(model.themes) >= 2 and model.relevant.empty  # no project runs: no lesson is matched to one
    assert not (run / "decisions.csv").exists() and not (run / "portfolio_roi.html").exists()
    lessons = pd.read_csv(run / "lessons_learned" / "lesson_themes.csv")
    assert len(lessons) >= 2
    html = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", (run / "lessons_learned.html").read_text(encoding="utf-8")))
    assert "Lessons 1,292" in html and "Recurring problems" in html
    assert "No project is running at 31 Dec 2020, so no past lesson is matched to one." in html
    index = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", (run / "index.html").read_text(encoding="utf-8")))
    assert "Executive portfolio summary NOT RUN Not run: needs the table(s) cashflows." in index
    assert (
        "Resource utilization and capacity NOT RUN Not run: needs the table(s) resources, assignments, timesheets."
        in index
    )
