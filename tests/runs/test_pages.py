"""Tiered reporting: choosing pages, links between pages, the project page's figures, the pages of
a run (rendered from one kernel per worker), a failed page, and a browser following the links."""

from __future__ import annotations

import base64
import json
import re
import unicodedata
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nbformat
import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup

from pmo_analysis import ParameterError
from pmo_analysis.core import formatting as fmt
from pmo_analysis.core.config import SAMPLE_AS_OF, SAMPLE_DATA_DIR
from pmo_analysis.reporting.display import table
from pmo_analysis.reporting.links import PAGES_FILE, link_projects, page_path, page_stem
from pmo_analysis.runs.pages import (
    delivery_tables,
    parse_projects,
    plan_pages,
    project_notes,
    project_overallocations,
    project_tiles,
    select_projects,
)
from pmo_analysis.runs.schedule import _check_schedule
from tests.helpers import ARTIFACTS


# --------------------------------------------------------------------------- choosing pages
def test_parse_projects():
    assert parse_projects(None) == "running"
    assert parse_projects("all") == "all" and parse_projects("none") == "none"
    assert parse_projects("PRJ-001,PRJ-002,PRJ-001") == ("PRJ-001", "PRJ-002")
    for bad in ("", " ", "PRJ-001,,PRJ-002", 3, [], ["PRJ-1", ""]):
        with pytest.raises(ParameterError, match="must be one of running, off-track, all, none"):
            parse_projects(bad)


def test_select_projects_matches_the_headline(model):
    h = model.headline.iloc[0]
    assert len(select_projects(model.projects, "running")) == h["running_projects"] == 23
    off = select_projects(model.projects, "off-track")
    assert len(off) == h["off_track"] == 10 and set(off["health"]) == {"off track"}
    assert len(select_projects(model.projects, "all")) == 40 and select_projects(model.projects, "none").empty
    running = select_projects(model.projects, "running")
    assert running["health_rank"].is_monotonic_increasing  # worst first
    with pytest.raises(ParameterError) as err:
        select_projects(model.projects, ("PRJ-001", "PRJ-999"))
    assert str(err.value) == (
        "--projects: no project 'PRJ-999' in the portfolio (ids such as PRJ-001, PRJ-002, PRJ-003, PRJ-004, PRJ-005)"
    )


def test_plan_pages(model):
    planned = plan_pages(model, ("PRJ-007",))
    assert planned["projects"] == {"PRJ-007": "projects/PRJ-007.html"}
    assert planned["departments"]["Finance"] == page_path("departments", "Finance") and len(planned["departments"]) == 5
    assert planned["departments"]["Finance"].startswith("departments/Finance~")
    assert plan_pages(model, "none") == {"projects": {}, "departments": {}}


def test_schedules_can_set_projects():
    base = {"cron": "0 7 * * MON", "timezone": "Europe/London", "data_dir": "data/sample"}
    assert _check_schedule("w", base | {"projects": "off-track"}).projects == "off-track"
    assert _check_schedule("w", base | {"projects": ["PRJ-001"]}).projects == ("PRJ-001",)
    assert _check_schedule("w", base).projects is None
    with pytest.raises(ParameterError, match="'projects' must be one of"):
        _check_schedule("w", base | {"projects": ""})


# --------------------------------------------------------------------------- links
_KEYS = st.one_of(
    st.text(min_size=1, max_size=12),
    st.text(alphabet="PRJprj-0123CONULé\u0301研发中心", min_size=1, max_size=8),
    st.text(min_size=61, max_size=300),
)


@given(st.lists(_KEYS, min_size=2, max_size=6, unique=True))
def test_page_stems_are_distinct_and_safe_on_every_file_system(keys):
    """Distinct under case folding and Unicode normalisation (Windows, macOS), short in bytes,
    never a Windows-reserved name, never outside their folder."""
    stems = [page_stem(k) for k in keys]
    folded = {unicodedata.normalize("NFD", s).casefold() for s in stems}
    assert len(folded) == len(keys)
    assert all(re.fullmatch(r"[A-Za-z0-9_~-]+", s) and len(f"{s}.html".encode()) <= 83 for s in stems)
    assert not any(re.fullmatch(r"(?i)(con|prn|aux|nul|com\d|lpt\d)", s.split(".")[0]) for s in stems)


@pytest.mark.parametrize(
    ("keys", "kind"),
    [
        (["研发中心数据平台建设部门" * 6], "departments"),  # 60 CJK characters: 180 bytes as they are
        (["PRJ-" + "9" * 296], "projects"),  # a 300-character id
        (["PRJ-012", "prj-012", "Prj-012"], "projects"),  # one file each once zipped onto Windows or macOS
        (["CON", "nul", "Aux", "COM1", "lpt9"], "projects"),
        (["Caf\u00e9", "Cafe\u0301"], "departments"),  # é as one character and as two
    ],
)
def test_page_files_of_hard_keys_can_be_written_and_keep_their_exact_text(tmp_path, keys, kind):
    paths = [page_path(kind, k) for k in keys]
    assert len({unicodedata.normalize("NFC", p).casefold() for p in paths}) == len(keys)
    for key, path in zip(keys, paths, strict=True):
        (tmp_path / path).parent.mkdir(exist_ok=True)
        (tmp_path / path).write_text(key, encoding="utf-8")  # no "File name too long"
        assert Path(path).stem.upper() not in {"CON", "NUL", "AUX", "COM1", "LPT9"}
    assert sorted(p.read_text(encoding="utf-8") for p in (tmp_path / kind).iterdir()) == sorted(keys)
    # the link shows the key exactly as written, and points at its file
    (tmp_path / PAGES_FILE).write_text(json.dumps({kind: dict(zip(keys, paths, strict=True))}))
    if kind == "projects":
        linked = link_projects(pd.DataFrame({"project_id": keys}), tmp_path)["project_id"].tolist()
        assert linked == [Markup('<a href="{}">{}</a>').format(p, k) for k, p in zip(keys, paths, strict=True)]


def test_links_only_to_pages_of_the_run_and_escaped(tmp_path):
    odd = 'P<1>&"x'
    (tmp_path / PAGES_FILE).write_text(
        json.dumps({"projects": {"PRJ-1": page_path("projects", "PRJ-1"), odd: page_path("projects", odd)}})
    )
    df = pd.DataFrame({"project_id": ["PRJ-1", "PRJ-2", odd], "name": ["<b>A</b>", "B", "C"], "npv": [1.0, 2, 3]})
    linked = link_projects(df, tmp_path)
    assert df["project_id"].tolist() == ["PRJ-1", "PRJ-2", odd]  # the input is not changed
    assert isinstance(linked["project_id"][0], Markup) and linked["project_id"][1] == "PRJ-2"
    html = table(linked, money=["npv"]).to_html()
    assert '<a href="projects/PRJ-1.html">PRJ-1</a>' in html
    assert f'<a href="projects/{page_stem(odd)}.html">P&lt;1&gt;&amp;&quot;x</a>' in html
    assert page_stem(odd).startswith("P~3c1~3e~26~22x~")
    assert "&lt;b&gt;A&lt;/b&gt;" in html and "<b>A</b>" not in html  # other text is still escaped
    assert link_projects(df, tmp_path / "elsewhere") is df  # outside a run: no links


# --------------------------------------------------------------------------- what a page selects
def test_project_months_end_at_the_model_figures(model):
    m, p = model.project_months, model.projects.set_index("project_id")
    last = m.loc[m["is_actual"]].groupby("project_id").last()
    np.testing.assert_allclose(last["ac_cumulative"], p.loc[last.index, "ac"], rtol=1e-12)
    np.testing.assert_allclose(last["pv_cumulative"], p.loc[last.index, "pv"], rtol=1e-12)
    whole = m.groupby("project_id").last()
    # the cash curve ends at the net benefit; without benefit figures (net benefit n/a) at the costs
    known = p.loc[whole.index, "has_benefits"]
    np.testing.assert_allclose(
        whole.loc[known, "forecast_cumulative"], p.loc[known[known].index, "net_benefit"], rtol=1e-9
    )
    np.testing.assert_allclose(
        whole.loc[~known, "forecast_cumulative"], -p.loc[known[~known].index, "total_cost"], rtol=1e-9
    )
    assert (~known).sum() == 3  # the sample's cancelled projects recorded no benefit


def test_people_on_a_project_add_up_to_its_plan_and_bookings(model):
    per = model.project_people.groupby("project_id")[["planned_hours", "booked_hours"]].sum()
    pva = model.plan_vs_actual.set_index("project_id")[["planned_hours", "booked_hours"]]
    pd.testing.assert_frame_equal(per.loc[pva.index], pva, check_names=False, rtol=1e-9)


# --------------------------------------------------------------------------- what a project manager reads
def _page_row(model, pid):
    return model.projects.set_index("project_id", drop=False).loc[pid]


def test_project_page_shows_the_business_case_beside_the_remaining_npv(model):
    tiles = {t["label"]: t for t in fmt_context(project_tiles, _page_row(model, "PRJ-019"))}
    # PRJ-019's cash flows: lifetime NPV -3,122,965, ROI -66.9%, IRR -39.8% (finance tables of the model)
    assert tiles["Remaining NPV"]["value"] == "$201k"
    assert tiles["Lifetime NPV (business case)"]["value"] == "-$3.1M"
    assert tiles["Lifetime ROI (business case)"]["value"] == "-66.9%"
    assert tiles["IRR (business case)"]["value"] == "-39.8%" and tiles["IRR (business case)"]["negative"]
    # a cancelled project that recorded no benefit: n/a with the reason, never 0 or -100%
    none = {t["label"]: t for t in fmt_context(project_tiles, _page_row(model, "PRJ-002"))}
    for name in ("Lifetime NPV (business case)", "Lifetime ROI (business case)", "IRR (business case)"):
        assert (none[name]["value"], none[name]["reason"]) == ("n/a", "no benefit figures recorded")
    several = _page_row(model, "PRJ-019").copy()
    several["irr_roots"] = 3
    irr = fmt_context(project_tiles, several)[-1]
    assert irr["reason"] == "3 IRRs: the cash flows change sign several times"


def test_an_extreme_tcpi_is_explained_in_words(model):
    row = _page_row(model, "PRJ-019")
    # by hand: AC 3,564,685.30 of BAC 3,641,000 = 97.9%; left 76,314.70; work left 3,641,000 x 35% = 1,274,350;
    # TCPI 1,274,350 / 76,314.70 = 16.70; CPI 2,366,650 / 3,564,685.30 = 0.66
    assert row["tcpi_reason"] == (
        "the budget is all but spent: 98% of 3.6M at 65% complete; the 76k left must pay for 1.3M of planned work, "
        "16.7 times the efficiency planned (CPI so far 0.66)"
    )
    notes = fmt_context(project_notes, row)
    assert "TCPI 16.70: the budget is all but spent: 98% of 3.6M" in notes[-1]
    tcpi = next(t for t in fmt_context(project_tiles, row) if t["label"] == "TCPI")
    assert (tcpi["status"], tcpi["target"]) == ("bad", "realistic ≤ 1.20")
    # an ordinary TCPI says nothing more
    assert _page_row(model, "PRJ-004")["tcpi_reason"] == "" and not any(
        n.startswith("TCPI") for n in fmt_context(project_notes, _page_row(model, "PRJ-004"))
    )


def test_tcpi_reasons_follow_the_thresholds_of_config():
    from pmo_analysis.analyses.finance import tcpi_reasons
    from pmo_analysis.core.config import BUDGET_ALL_BUT_SPENT, TCPI_EXTREME

    assert (TCPI_EXTREME, BUDGET_ALL_BUT_SPENT) == (1.2, 0.9)
    # BAC 100; EV 40: work left 60. AC 50 -> left 50, TCPI 1.2 (not above); AC 50.5 -> 1.21; AC 90 -> 6.0, 90% spent
    ev = pd.DataFrame({"bac": 100.0, "ev": 40.0, "ac": [50.0, 50.5, 90.0, 120.0], "percent_complete": 40.0})
    ev["cpi"] = ev["ev"] / ev["ac"]
    ev["eac"] = ev["bac"] / ev["cpi"]
    ev["tcpi"] = [1.2, 60 / 49.5, 6.0, 60 / (300 - 120)]
    words = tcpi_reasons(ev).tolist()
    assert words[0] == ""
    assert words[1].startswith("to finish within the budget, the 50 left must pay for 60 of planned work: 1.2 times")
    assert words[2].startswith("the budget is all but spent: 90% of 100 at 40% complete; the 10 left")
    assert words[3] == (
        "the budget is spent: 120 against a budget of 100 at 40% complete; on the current CPI of 0.33 finishing "
        "needs 180 more (EAC 300)"
    )


def test_every_decision_has_its_next_step(model):
    from pmo_analysis.analyses.finance import DECISIONS, next_steps

    kinds = pd.DataFrame(
        {"decision": [*DECISIONS, "defer"], "status": ["active"] * len(DECISIONS) + ["proposed"]}
    ).assign(percent_complete=65.0, funding_need=1_900_000.0)
    steps = next_steps(kinds)
    assert steps.str.len().gt(40).all() and steps.nunique() == len(kinds)
    assert steps.iloc[list(DECISIONS).index("defer")].startswith("Next step: at 65% complete, take on no new work")
    assert "1.9M it still needs" in steps.iloc[list(DECISIONS).index("defer")]
    # the page's decision sentence ends with it
    decision = fmt_context(project_notes, _page_row(model, "PRJ-019"))[1]
    assert decision.startswith("Decision Defer: CPI 0.66 below 0.85") and decision.endswith(
        _page_row(model, "PRJ-019")["next_step"]
    )
    assert "at 65% complete" in decision


def test_project_page_tables_say_each_thing_once(model):
    delivery = {
        "milestones": model.milestones,
        "risks": model.risks,
        "dependencies": model.dependencies,
    }
    tables = fmt_context(delivery_tables, delivery, rows=10_000)
    for t in tables:
        shown = t.data
        for i, a in enumerate(shown.columns):
            for b in shown.columns[i + 1 :]:
                same = (shown[a].astype(str) == shown[b].astype(str)).all()
                assert not same, f"{t.caption}: {a} and {b} hold the same values"
    milestones = tables[0].data
    assert "forecast_date" not in milestones and "current_date" not in milestones
    assert "Forecast or actual date" in tables[0].to_html() and "Current forecast" not in tables[0].to_html()


def test_a_probability_reads_the_same_in_every_table_and_reason():
    from pmo_analysis.core.wording import Reason, word

    risks = pd.DataFrame({"risk_id": ["R-1"], "probability": [0.5], "impact_cost": [811_000.0]})
    page = fmt_context(lambda: table(risks).to_html())  # a project page names no format
    assert '<td class="num" data-sort="0.5">50%</td>' in page
    assert word(Reason("probability_impact", probability=0.5, impact=811_000.0)) == " (probability 50%, impact 811k)"


def test_dependencies_of_a_project_are_on_its_page(model):
    from pmo_analysis.runs.pages import project_delivery

    deps = project_delivery(model, "PRJ-034")["dependencies"]
    # the sample's dependencies.csv: PRJ-010 -> PRJ-034, PRJ-034 -> PRJ-013 and PRJ-039 -> PRJ-034
    pairs = deps[["predecessor_id", "successor_id"]].to_numpy().tolist()
    assert pairs == [["PRJ-010", "PRJ-034"], ["PRJ-034", "PRJ-013"], ["PRJ-039", "PRJ-034"]]
    shown = fmt_context(delivery_tables, {"dependencies": deps})[0]
    assert shown.caption == "Dependencies (3)" and list(shown.data["slip_days"]) == [45.0, 44.0, -46.0]


def fmt_context(fn, *args, **kwargs):
    """``fn`` in a context of its own, in English and US dollars (a page's settings)."""
    import contextvars

    def run():
        fmt.use(currency="USD", language="en")
        return fn(*args, **kwargs)

    return contextvars.copy_context().run(run)


def test_overallocations_match_whole_ids_only():
    over = pd.DataFrame(
        {"project_ids": ["PRJ-1;PRJ-10", "PRJ-10", "PRJ-2;PRJ-1", "PRJ-1"], "ahead": [True, True, True, False]}
    )
    model = type("M", (), {"has": lambda self, t: True, "overallocations": over})()
    got = project_overallocations(model, "PRJ-1")
    assert got["project_ids"].tolist() == ["PRJ-1;PRJ-10", "PRJ-2;PRJ-1"]


# --------------------------------------------------------------------------- the pages of a run
class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs, self.srcs = [], []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.hrefs.append(a["href"])
        if a.get("src"):
            self.srcs.append(a["src"])


def _links(path: Path) -> _Links:
    p = _Links()
    p.feed(path.read_text(encoding="utf-8"))
    return p


def _tiles(html: str) -> dict[str, str]:
    return dict(re.findall(r'<div class="l">(.*?)</div><div class="v(?: neg)?">(.*?)</div>', html, re.S))


def test_run_renders_a_page_per_running_project(suite_run):
    run = suite_run.run_dir
    m = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    projects = [p for p in m["pages"] if p["kind"] == "projects"]
    assert m["projects"] == "running" and len(projects) == 23
    assert all(p["status"] == "success" for p in m["pages"]), [p["error"] for p in m["pages"] if p["error"]]
    assert [p["health"] for p in projects][:1] == ["off track"]  # worst first
    for p in m["pages"]:
        assert (run / p["path"]).stat().st_size < 1024**2
    index = (run / "index.html").read_text(encoding="utf-8")
    assert '<a href="projects/PRJ-007.html">PRJ-007 Customer Portal</a>' in index
    assert index.count('class="health off-track"') == 10
    assert json.loads((run / PAGES_FILE).read_text(encoding="utf-8"))["projects"]["PRJ-007"] == "projects/PRJ-007.html"


def test_project_page_figures_are_the_model_row(suite_run):
    """One project page against its row of the run's portfolio model."""
    from pmo_analysis.core.i18n import label
    from pmo_analysis.model import load_model

    run = suite_run.run_dir
    row = load_model(run / "model").projects.set_index("project_id").loc["PRJ-007"]
    html = (run / "projects" / "PRJ-007.html").read_text(encoding="utf-8")
    with fmt.using(currency="USD"):  # the run's currency (the default)
        assert _tiles(html) == {
            "Health": label(row["health"]),
            "Decision": label(row["decision"]),
            "Budget (BAC)": fmt.money(row["bac"]),
            "EAC / VAC": f"{fmt.money(row['eac'])} / {fmt.money(row['vac'])}",
            "CPI / SPI": f"{fmt.ratio(row['cpi'])} / {fmt.ratio(row['spi'])}",
            "TCPI": fmt.ratio(row["tcpi"]),
            "Remaining NPV": fmt.money(row["remaining_npv"]),
            "Lifetime NPV (business case)": fmt.money(row["npv"]),
            "Lifetime ROI (business case)": fmt.pct(row["roi"]),
            "IRR (business case)": fmt.pct(row["irr"]),
        }
        eac = fmt.money(row["eac"])
    assert f"Health {label(row['health'])}: {row['health_reason']}." in html.replace("&#x27;", "'")
    svgs = [base64.b64decode(b).decode() for b in re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', html)]
    ev = [s for s in svgs if "Earned value:" in s]  # beside it the forecast's fan charts
    assert len(ev) == 1 and f"Earned value: CPI {fmt.ratio(row['cpi'])}, SPI {fmt.ratio(row['spi'])}" in ev[0]
    assert f"EAC {eac}" in ev[0] and "sans-serif" in ev[0]
    assert "<h1>Project PRJ-007 Customer Portal</h1>" in html and 'href="../executive_summary.html"' in html
    assert "lab-only" not in html and "One project at the as-of date" not in html


def test_every_link_of_the_run_resolves_to_a_file_of_the_run(suite_run):
    run = suite_run.run_dir
    pages = [
        run / "index.html",
        *run.glob("*.html"),
        *(run / "projects").glob("*.html"),
        *(run / "departments").glob("*.html"),
    ]
    checked = 0
    for page in pages:
        links = _links(page)
        for href in links.hrefs + [s for s in links.srcs if not s.startswith("data:")]:
            parts = urlsplit(href)
            assert not parts.scheme and not parts.netloc, f"{page.name}: external link {href}"
            if not parts.path or (page == run / "index.html" and href == "../index.html"):
                continue  # an anchor; the run index's link up to the list of all runs
            target = (page.parent / unquote(parts.path)).resolve()
            assert target.is_file() and run.resolve() in target.parents, f"{page.relative_to(run)} -> {href}"
            checked += 1
    assert checked > 200
    summary = _links(run / "executive_summary.html").hrefs
    assert "projects/PRJ-007.html" in summary
    roi = _links(run / "portfolio_roi.html").hrefs
    assert sum(h.startswith("projects/") for h in roi) >= 23


# --------------------------------------------------------------------------- a failed page
_PAGE = """raise_for = "PRJ-007"
if project_id == raise_for:
    raise RuntimeError(f"no page for {project_id}")
print(project_id)"""


@pytest.mark.notebook
@pytest.mark.slow
def test_a_failed_page_leaves_the_reports_and_makes_the_run_partial(tmp_path):
    from pmo_analysis.inputs.params import declared
    from pmo_analysis.runs.runner import run_reports

    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    params = "\n".join(f"{p.name} = {p.default!r}" for p in declared("project_report"))
    meta = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    page = nbformat.v4.new_notebook(
        metadata=meta,
        cells=[nbformat.v4.new_code_cell(params, metadata={"tags": ["parameters"]}), nbformat.v4.new_code_cell(_PAGE)],
    )
    nbformat.write(page, nbs / "project_report.ipynb")
    report = nbformat.v4.new_notebook(
        metadata=meta,
        cells=[
            nbformat.v4.new_code_cell(
                "data_dir = None\nas_of = None\noutput_dir = None", metadata={"tags": ["parameters"]}
            ),
            nbformat.v4.new_code_cell("print(as_of)"),
        ],
    )
    nbformat.write(report, nbs / "tiny.ipynb")
    result = run_reports(
        data_dir=SAMPLE_DATA_DIR,
        params={"as_of": SAMPLE_AS_OF},
        notebooks_dir=nbs,
        reports_dir=tmp_path / "reports",
        projects="PRJ-007,PRJ-009",
        jobs=1,
        progress=None,
    )
    assert result.status == "partial" and [n.status for n in result.notebooks] == ["success"]
    m = json.loads((result.run_dir / "manifest.json").read_text(encoding="utf-8"))
    by_key = {p["key"]: p for p in m["pages"]}
    assert by_key["PRJ-007"]["status"] == "failed" and by_key["PRJ-009"]["status"] == "success"
    assert by_key["PRJ-007"]["error"]["ename"] == "RuntimeError"
    assert by_key["PRJ-007"]["error"]["evalue"] == "no page for PRJ-007"
    failed = (result.run_dir / "projects" / "PRJ-007.html").read_text(encoding="utf-8")
    assert "This report failed and is incomplete." in failed and "no page for PRJ-007" in failed
    assert "PRJ-009" in (result.run_dir / "projects" / "PRJ-009.html").read_text(encoding="utf-8")
    assert "failed" in (result.run_dir / "index.html").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- in a browser
@pytest.mark.browser
def test_browser_follows_links_from_the_summary_to_a_project_and_back(suite_run, chromium):
    ARTIFACTS.mkdir(exist_ok=True)
    run = suite_run.run_dir
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        external, files = [], set()

        def route(r):
            url = r.request.url
            if url.startswith("file:"):
                files.add(Path(unquote(urlsplit(url).path)))
                r.continue_()
            elif url.startswith("data:"):
                r.continue_()
            else:
                external.append(url)
                r.abort()

        page.route("**/*", route)
        page.goto((run / "index.html").as_uri())
        page.click('a[href="executive_summary.html"]')
        page.wait_for_load_state("load")
        assert page.url.endswith("/executive_summary.html")
        link = page.locator('table a[href^="projects/"]').first
        target = link.get_attribute("href")
        link.click()
        page.wait_for_load_state("load")
        assert page.url.endswith("/" + target)
        assert page.locator("h1").first.inner_text().startswith("Project " + Path(target).stem)
        page.screenshot(path=str(ARTIFACTS / "project_page.png"), full_page=True)
        pdf = page.pdf(format="A4", print_background=True)
        (ARTIFACTS / "project_page.pdf").write_bytes(pdf)
        assert 1 <= len(re.findall(rb"/Type\s*/Page[^s]", pdf)) <= 2  # one printed A4 page, two at most
        page.click('a[href="../executive_summary.html"]')
        page.wait_for_load_state("load")
        assert page.url.endswith("/executive_summary.html")
        page.go_back()
        page.click('a[href^="../departments/"]')
        page.wait_for_load_state("load")
        assert "/departments/" in page.url and page.locator('a[href^="../projects/"]').count() >= 1
    assert external == []
    assert all(f.is_file() for f in files) and any(f.parent.name == "projects" for f in files)


def test_cli_refuses_an_empty_projects_option(tmp_path):
    from click.testing import CliRunner

    from pmo_analysis.cli import main

    res = CliRunner().invoke(main, ["run", "--projects", " ", "--reports-dir", str(tmp_path)])
    assert (
        res.exit_code == 2
        and "Invalid value for --projects: must be one of running, off-track, all, none" in res.output
    )
    assert not any(tmp_path.iterdir())  # nothing started


@pytest.mark.notebook
def test_project_report_opens_in_jupyterlab_without_a_run(tmp_path):
    """As an analyst opens it: no run, no project id (the worst running project), no links."""
    import papermill as pm

    from pmo_analysis.core.config import NOTEBOOKS_DIR

    out = tmp_path / "project_report.ipynb"
    pm.execute_notebook(
        str(NOTEBOOKS_DIR / "project_report.ipynb"),
        str(out),
        progress_bar=False,
        cwd=str(tmp_path),
        parameters={"as_of": SAMPLE_AS_OF, "output_dir": str(tmp_path / "out")},
        kernel_name="python3",
    )
    nb = nbformat.read(out, as_version=4)
    text = json.dumps([o for c in nb.cells if c.cell_type == "code" for o in c.outputs])
    assert "PRJ-" in text and "Earned value: CPI" in text and "../executive_summary.html" not in text


def test_department_page_shows_its_running_projects_on_the_cpi_spi_quadrant(model, tmp_path):
    """A department page carries one inline SVG chart of its own running projects (no kernel, no
    PNG file), drawn from the model; a department with no running project has no chart."""
    from pmo_analysis.runs.pages import render_department_pages

    header = {"as_of": "2026-06-30"}
    dept = model.projects.loc[model.projects["running"], "department"].astype(str).iloc[0]
    [page] = render_department_pages(model, [dept], run_dir=tmp_path, pages={}, header=header)
    assert page.status == "success", page.error
    html = (tmp_path / page.path).read_text(encoding="utf-8")
    assert html.count("<svg") == 1 and "Running projects: cost and schedule performance" in html
    running = model.projects.loc[model.projects["running"] & (model.projects["department"].astype(str) == dept)]
    assert f"of {len(running.dropna(subset=['cpi', 'spi']))} running projects" in html  # the chart's title
    assert "&lt;svg" not in html  # the chart is markup, not escaped text
    idle = model.projects.assign(running=False)
    from pmo_analysis.runs.pages import _department_chart

    assert _department_chart(model, idle.loc[idle["department"].astype(str) == dept]) is None


# --------------------------------------------------------------------------- a page that cannot be made
class _FakeWorker:
    """Stands for a page worker's kernel: each page prints its id; ``PRJ-1`` breaks outside the notebook."""

    def __init__(self, **_):
        pass

    def execute(self, nb):
        if "PRJ-1" in nb.cells[-1].source:
            raise RuntimeError("the page's data could not be read")
        return None

    def export(self, nb, meta):
        return f"<h1>{meta['title']}</h1>"

    def close(self):
        pass


def _tiny_page_notebook(folder: Path) -> Path:
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("project_id = None", metadata={"tags": ["parameters"]})]
    )
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, folder / "project_report.ipynb")
    return folder / "project_report.ipynb"


def _rows(ids):
    return pd.DataFrame({"project_id": ids, "name": ["n"] * len(ids), "health": ["on track"] * len(ids)})


def test_a_page_whose_failure_cannot_be_written_leaves_the_other_pages(tmp_path, monkeypatch):
    import pmo_analysis.runs.pages as pages_module

    monkeypatch.setattr(pages_module, "_Worker", _FakeWorker)
    real = pages_module._failure_page

    def unwritable(page, header, error):
        if page.key == "PRJ-1":
            raise OSError(36, "File name too long")
        return real(page, header, error)

    monkeypatch.setattr(pages_module, "_failure_page", unwritable)
    results = pages_module.render_project_pages(
        _tiny_page_notebook(tmp_path),
        _rows(["PRJ-1", "PRJ-2", "PRJ-3"]),
        run_dir=tmp_path,
        params={},
        header={},
        jobs=1,
    )
    assert [(p.key, p.status) for p in results] == [("PRJ-1", "failed"), ("PRJ-2", "success"), ("PRJ-3", "success")]
    assert results[0].error.evalue == (
        "the page's data could not be read (and its page could not be written: [Errno 36] File name too long)"
    )
    assert (tmp_path / page_path("projects", "PRJ-3")).read_text() == "<h1>Project PRJ-3 n</h1>"


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")  # the worker's death, on purpose
def test_a_worker_that_dies_leaves_no_page_queued(tmp_path, monkeypatch):
    import pmo_analysis.runs.pages as pages_module

    class _NoKernel(_FakeWorker):
        def __init__(self, **_):
            raise OSError("no kernel could start: too many open files")

    monkeypatch.setattr(pages_module, "_Worker", _NoKernel)
    results = pages_module.render_project_pages(
        _tiny_page_notebook(tmp_path),
        _rows(["PRJ-2", "PRJ-3"]),
        run_dir=tmp_path,
        params={},
        header={"as_of": "2026-06-30"},
        jobs=1,
    )
    assert [(p.key, p.status, p.error.ename) for p in results] == [
        ("PRJ-2", "failed", "WorkerError"),
        ("PRJ-3", "failed", "WorkerError"),
    ]
    failed = (tmp_path / page_path("projects", "PRJ-2")).read_text(encoding="utf-8")
    assert "not rendered: the page worker stopped before this page" in failed
