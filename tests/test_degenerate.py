"""Degenerate portfolios give correct reports: every empty section says so in words.

Each case is a data folder built from the bundled sample (read with pandas, transformed, written
back as CSV). Most checks build the portfolio model and execute each report notebook's code cells
in this process, without a Jupyter kernel, recording what the notebook displays; one test runs
the real suite with kernels.
"""

from __future__ import annotations

import contextvars
import re
import warnings
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import matplotlib
import nbformat
import numpy as np
import pandas as pd
import pytest

from pmo_analysis import load_portfolio
from pmo_analysis.core.config import NOTEBOOKS_DIR, SAMPLE_AS_OF, SAMPLE_DATA_DIR
from pmo_analysis.model import build_model
from pmo_analysis.reporting.report import ReportNeedsTables

#: Whole degenerate portfolios, built and reported: part of `make test`, not of `make test-fast`.
pytestmark = pytest.mark.slow

matplotlib.use("Agg")

REAL_IT = Path(__file__).resolve().parents[2] / "shared" / "real-data" / "it-dashboard"
NOTEBOOK_NAMES = ["executive_summary", "portfolio_roi", "resource_utilization", "lessons_learned", "portfolio_delivery"]
ONE_PROJECT = "PRJ-004"  # active, with people, timesheets and lessons


# --------------------------------------------------------------------------- degenerate folders
@lru_cache(maxsize=1)
def _sample_tables() -> dict[str, pd.DataFrame]:
    return {p.stem: pd.read_csv(p, dtype=str, keep_default_na=False) for p in sorted(SAMPLE_DATA_DIR.glob("*.csv"))}


def sample_tables() -> dict[str, pd.DataFrame]:
    """The sample's tables as text, each a fresh copy to transform."""
    return {k: v.copy() for k, v in _sample_tables().items()}


def write_folder(folder: Path, tables: dict[str, pd.DataFrame]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, df in tables.items():
        df.to_csv(folder / f"{name}.csv", index=False)
    return folder


def no_overallocation(t):
    """Every allocation scaled to 40%: the busiest person-month of the sample (240%) becomes 96%."""
    a = t["assignments"]
    a["allocation_pct"] = (a["allocation_pct"].astype(float) * 0.4).round(2).astype(str)
    return t


def all_cancelled(t):
    t["projects"]["status"] = "cancelled"
    return t


def all_proposed(t):
    """A portfolio of proposals: nothing started at the sample's as-of date, so no actual cost, no
    progress, no project hours booked; plans (cash flows, assignments) start the month after."""
    first = pd.Timestamp(SAMPLE_AS_OF) + pd.Timedelta(days=1)
    p = t["projects"]
    p["status"] = "proposed"
    p["percent_complete"] = "0"
    start = pd.to_datetime(p["start_date"]).clip(lower=first)
    end = pd.to_datetime(p["end_date"]).clip(lower=start)
    p["start_date"], p["end_date"] = start.dt.strftime("%Y-%m-%d"), end.dt.strftime("%Y-%m-%d")
    cf = t["cashflows"]
    cf = cf.loc[pd.to_datetime(cf["period"]) >= first].copy()
    cf["actual_cost"] = ""
    cf["actual_benefit"] = ""
    t["cashflows"] = cf
    a = t["assignments"]
    a = a.loc[pd.to_datetime(a["end_date"]) >= first].copy()
    a["start_date"] = pd.to_datetime(a["start_date"]).clip(lower=first).dt.strftime("%Y-%m-%d")
    t["assignments"] = a
    ts = t["timesheets"]
    t["timesheets"] = ts.loc[ts["project_id"] == ""]  # leave, admin, training only
    del t["lessons"]  # a proposal has no lessons learned yet
    return t


def single_project(t, pid: str = ONE_PROJECT):
    """One project, its cash flows, its people (and all their hours), its lessons."""
    t["projects"] = t["projects"].loc[t["projects"]["project_id"] == pid]
    t["cashflows"] = t["cashflows"].loc[t["cashflows"]["project_id"] == pid]
    a = t["assignments"].loc[t["assignments"]["project_id"] == pid]
    t["assignments"] = a
    people = set(a["resource_id"])
    t["resources"] = t["resources"].loc[t["resources"]["resource_id"].isin(people)]
    ts = t["timesheets"]
    t["timesheets"] = ts.loc[ts["resource_id"].isin(people) & ts["project_id"].isin(["", pid])]
    t["lessons"] = t["lessons"].loc[t["lessons"]["project_id"] == pid]
    for name in ("milestones", "risks"):
        t[name] = t[name].loc[t[name]["project_id"] == pid]
    del t["dependencies"]  # one project depends on no other
    return t


def finance_only(t):
    """Projects and cash flows only, as many finance exports are."""
    return {k: t[k] for k in ("projects", "cashflows")}


def no_lessons(t):
    del t["lessons"]
    return t


def lessons_only(t):
    """A lessons register: the projects and their lessons, nothing else."""
    return {k: t[k] for k in ("projects", "lessons")}


def people_only(t):
    """A resource-management export: projects, people, their assignments, timesheets and holidays."""
    return {k: t[k] for k in ("projects", "resources", "assignments", "timesheets", "holidays")}


def one_project_headers_only(t):
    """One project, exported by a tool that writes every table, those with nothing in them as their
    header only: no dependencies, milestones, risks, lessons or holidays."""
    t = single_project(t)
    for name in ("dependencies", "milestones", "risks", "lessons", "holidays"):
        t[name] = _sample_tables()[name].iloc[0:0]
    return t


def all_actions_done(t):
    t["lessons"]["action_status"] = t["lessons"]["action_status"].replace({"open": "done", "in_progress": "done"})
    return t


def unchanged(t):
    return t


@dataclass
class Case:
    """A degenerate portfolio: how its folder is made and the run's parameters."""

    name: str
    make: object
    params: dict = field(default_factory=dict)
    as_of: str | None = SAMPLE_AS_OF
    real: Path | None = None


CASES = {
    c.name: c
    for c in [
        Case("no_overallocation", no_overallocation),
        Case("all_cancelled", all_cancelled),
        Case("all_proposed", all_proposed),
        Case("single_project", single_project),
        Case("before_data", unchanged, as_of="2020-01-31"),
        Case("after_data", unchanged, {"accept_stale": True}, as_of="2031-12-31"),
        Case("finance_only", finance_only),
        Case("no_lessons", no_lessons),
        Case("lessons_only", lessons_only),
        Case("people_only", people_only),
        Case("one_project_headers_only", one_project_headers_only),
        Case("quiet", all_actions_done, {"under_threshold": 0.0, "min_projects": 1000, "budget_cap": 0.0}),
        Case("it_dashboard", unchanged, {"exclude_invalid": True}, as_of="2012-12-31", real=REAL_IT),
    ]
}


def make_case(case: Case, folder: Path) -> Path:
    if case.real is not None:
        return case.real
    return write_folder(folder, case.make(sample_tables()))


def model_of(case: Case, folder: Path):
    p = load_portfolio(folder, as_of=case.as_of, on_error="drop" if case.params.get("exclude_invalid") else "raise")
    return build_model(p, as_of=case.as_of, params=case.params)


# --------------------------------------------------------------------------- notebooks without a kernel
@dataclass
class Shown:
    """What a notebook displayed: notes (plain text), HTML, chart names and problems found."""

    notes: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    charts: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def text(self) -> str:
        return "\n".join(self.notes + self.html)


_NAN = re.compile(r"(?<![\w-])(nan|NaN|inf|-inf)(?![\w-])|nan%")


def _plotted(ax) -> bool:
    """Does this axes show data (not only reference lines, text or an empty frame)?"""
    lines = [ln for ln in ax.lines if ln.get_transform() == ax.transData and len(ln.get_xdata())]
    patches = [p for p in ax.patches if hasattr(p, "get_width") and (p.get_width() != 0 or p.get_height() != 0)]
    colls = [
        c
        for c in ax.collections
        if len(c.get_offsets()) or (hasattr(c, "get_array") and c.get_array() is not None and np.size(c.get_array()))
    ]
    return bool(lines or patches or colls or ax.images)


def execute_notebook(name: str, params: dict, monkeypatch) -> Shown:
    """Execute the code cells of notebook ``name`` in this process, with the parameters a run
    injects after the parameters cell, and record what it displays."""
    import IPython.display

    from pmo_analysis.reporting import display as D

    shown = Shown()
    import matplotlib.pyplot as plt

    orig_note = D.note

    def record(*objs, **_kw):
        for obj in objs:
            if isinstance(obj, IPython.display.Image):
                continue  # a chart, checked in show()
            data = getattr(obj, "data", None)
            if isinstance(data, pd.DataFrame) and data.empty:
                shown.problems.append(f"an empty table: {obj.caption!r}")
            if hasattr(obj, "_repr_html_"):
                shown.html.append(obj._repr_html_())  # renders a Styler: formats every cell
            else:
                shown.html.append(repr(obj))

    def note(text, **kwargs):
        shown.notes.append(text)
        orig_note(text, **kwargs)

    def show(fig, output_dir, chart):
        shown.charts.append(chart)
        texts = [fig._suptitle.get_text() if fig._suptitle else ""]
        for ax in fig.axes:
            texts.append(ax.get_title() + ax.get_title("left"))
            if ax.get_label() != "<colorbar>" and ax.axison and not _plotted(ax):
                shown.problems.append(f"chart {chart}: an axes without data ({ax.get_title('left')!r})")
        if any(_NAN.search(t) for t in texts):
            shown.problems.append(f"chart {chart}: {texts}")
        plt.close(fig)  # checked as drawn; rendering the PNG is the kernel-based test's job (and slow)

    monkeypatch.setattr(IPython.display, "display", record)
    monkeypatch.setattr(D, "display", record)
    monkeypatch.setattr(D, "note", note)
    monkeypatch.setattr(D, "show", show)
    nb = nbformat.read(NOTEBOOKS_DIR / f"{name}.ipynb", as_version=4)
    ns = {"__name__": "__main__", "display": record}
    kernel = contextvars.copy_context()  # the report's language and currency stay in its "kernel"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for i, cell in enumerate(c for c in nb.cells if c.cell_type == "code"):
            kernel.run(exec, compile(cell.source, f"<{name} cell {i}>", "exec"), ns)  # our own notebook's cells
            if "parameters" in cell.metadata.get("tags", []):
                ns.update(params)
    plt.close("all")
    shown.problems += [f"warning: {w.category.__name__}: {w.message}" for w in caught]
    shown.problems += [
        f"shown: {m.group(0)!r} in {t[max(0, m.start() - 80) : m.end() + 40]!r}"
        for t in shown.notes + shown.html
        for m in [_NAN.search(t)]
        if m
    ]
    return shown


def run_case_notebooks(case: Case, tmp_path: Path, monkeypatch, names=NOTEBOOK_NAMES) -> dict[str, Shown]:
    folder = make_case(case, tmp_path / "data")
    model = model_of(case, folder)
    model_dir = model.save(tmp_path / "model")
    out = {}
    for name in names:
        params = {
            "data_dir": str(folder),
            "as_of": model.meta["as_of"],
            "output_dir": str(tmp_path / "out" / name),
            "model_dir": str(model_dir),
        }
        if name == "executive_summary":
            params |= {"reports_dir": str(tmp_path / "reports"), "schedule": "adhoc"}
        out[name] = execute_notebook(name, params, monkeypatch)
    return out


# --------------------------------------------------------------------------- each case built once
@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """case name -> (data folder, model), each built on first use."""
    cache = {}

    def get(name):
        if name not in cache:
            case = CASES[name]
            folder = make_case(case, tmp_path_factory.mktemp(name) / "data")
            cache[name] = folder, model_of(case, folder)
        return cache[name]

    return get


@pytest.fixture(scope="module")
def full():
    """The portfolio model of the whole sample, to compare with."""
    return model_of(Case("sample", unchanged), SAMPLE_DATA_DIR)


# --------------------------------------------------------------------------- the model's figures
def test_all_cancelled_model(built, full):
    _, m = built("all_cancelled")
    h = m.headline.iloc[0]
    assert h["running_projects"] == 0 and h["total_budget"] == 0 and h["funded_need"] == 0
    assert np.isnan(h["portfolio_cpi"]) and np.isnan(h["spend_to_date"])
    assert set(m.decisions["decision"]) == {"closed"} and m.selection.empty
    assert m.frontier["value"].eq(0).all() and m.relevant.empty
    # cancelling changes no cash flow: the portfolio's value is the sample's
    assert h["portfolio_npv"] == pytest.approx(full.headline.loc[0, "portfolio_npv"], rel=1e-12)
    assert m.projects["health"].isna().all()


def test_one_project_has_its_own_figures(built, full):
    _, m = built("single_project")
    assert m.projects["project_id"].tolist() == [ONE_PROJECT]
    mine = m.projects.iloc[0]
    theirs = full.projects.set_index("project_id").loc[ONE_PROJECT]
    for col in (
        "total_cost",
        "total_benefit",
        "roi",
        "npv",
        "remaining_npv",
        "irr",
        "bcr",
        "pv",
        "ev",
        "ac",
        "cpi",
        "spi",
        "eac",
        "vac",
        "funding_need",
    ):
        assert mine[col] == pytest.approx(theirs[col], rel=1e-12), col
    assert (mine["health"], mine["health_reason"]) == (theirs["health"], theirs["health_reason"])
    h = m.headline.iloc[0]
    assert h["running_projects"] == 1 and h["portfolio_npv"] == pytest.approx(theirs["npv"], rel=1e-12)
    assert h["portfolio_cpi"] == pytest.approx(theirs["cpi"], rel=1e-12)
    # one candidate needing more than the default cap (70% of its need) waits
    assert m.decisions["decision"].tolist() == ["defer"]
    assert m.meta["budget_cap"] == pytest.approx(0.7 * theirs["funding_need"])


def test_nobody_over_allocated(built):
    _, m = built("no_overallocation")
    assert m.utilization["planned_utilization"].max() == pytest.approx(0.96)
    assert m.overallocations.empty and m.overallocated_ahead.empty
    assert m.headline.loc[0, "overallocated_people"] == 0
    assert list(m.overallocated_ahead.columns)[-1] == "detail"
    assert m.bench["projects_needing_role"].eq("").all() and len(m.bench)


def test_all_proposed_model(built):
    _, m = built("all_proposed")
    h = m.headline.iloc[0]
    assert h["running_projects"] == 0 and m.stale == []
    assert set(m.decisions["decision"]) <= {"fund", "defer", "reject", "re-scope", "data needed"}
    # the proposals whose cash flows all fall before the data's start have no value to rank: data needed
    waiting = m.decisions.loc[m.decisions["decision"] == "data needed"]
    assert waiting["project_id"].tolist() == ["PRJ-002", "PRJ-027", "PRJ-015"]
    assert waiting["reason"].str.startswith("needs cash flows (for ROI, NPV and payback)").all()
    assert m.decisions["funding_need"].sum() == pytest.approx(m.projects["bac"].sum())
    assert not m.cashflow["is_actual"].any() and m.plan_vs_actual.empty
    assert m.util_totals.loc[0, "actual_hours"] == 0 and not m.has("lessons")


def test_as_of_before_and_after_the_data(built):
    from pmo_analysis.reporting.report import banners

    _, before = built("before_data")
    assert (
        before.meta["freshness"]["before_data"]
        == "the data begins after this date (cash flows from 2024-06, timesheets from 2025-01)"
    )
    assert any("As of 31 Jan 2020, the data begins after this date" in b for b in banners(before))
    assert before.projects["cpi"].isna().all() and before.overallocations.empty
    _, after = built("after_data")
    assert after.stale == [
        "actual costs end in 2026-06, 66 months before the last complete month 2031-12",
        "timesheets end in 2026-06, 66 months before the last complete month 2031-12",
    ]
    assert after.meta["freshness"]["before_data"] is None
    # proposals whose plan passed unstarted: SPI 0.00, CPI n/a (no actual cost), never "nan" in words
    zero = after.decisions.loc[after.decisions["reason"].str.startswith("SPI 0.00")]
    assert len(zero) == 6 and after.projects.set_index("project_id").loc[zero["project_id"], "cpi"].isna().all()
    assert not after.decisions["reason"].str.contains("nan").any()


def test_finance_only_and_no_lessons(built):
    _, m = built("finance_only")
    assert not m.has("utilization") and not m.has("lessons")
    assert np.isnan(m.headline.loc[0, "utilization"]) and np.isnan(m.headline.loc[0, "open_high_impact_actions"])
    assert m.by_objective["strategic_objective"].notna().all()
    _, m = built("no_lessons")
    assert m.has("utilization") and not m.has("recurring")


def test_lessons_register_alone(built, full):
    """Projects and lessons only: the lessons part and the headline, finance recorded as missing for
    want of the cash flows, and every finance figure n/a (never 0)."""
    _, m = built("lessons_only")
    assert m.missing_parts == {"finance": ["cashflows"], "resources": ["resources", "assignments", "timesheets"]}
    assert not m.has("projects") and not m.has("decisions") and not m.has("benefits")
    for table in ("lessons", "themes", "recurring", "open_actions", "relevant", "lessons_trend"):
        assert m.tables[table].equals(full.tables[table]), table  # the same as with every table
    h, fh = m.headline.iloc[0], full.headline.iloc[0]
    assert (h["running_projects"], h["active_projects"], h["on_hold_projects"]) == (23, fh["active_projects"], 3)
    assert h["open_high_impact_actions"] == fh["open_high_impact_actions"] == 26
    for col in ("off_track", "at_risk", "on_track", "portfolio_npv", "portfolio_roi", "total_budget", "funded_need"):
        assert np.isnan(h[col]), col
    assert m.meta["budget_cap"] is None
    assert (h["value_projects"], h["value_projects_of"], h["value_reason"]) == (0, 40, "no_cashflows")
    assert (h["evm_reason"], h["evm_projects_of"]) == ("no_cashflows", 23) and np.isnan(h["data_needed"])
    assert m.missing_for("lessons_learned") == [] and m.missing_for("portfolio_roi") == ["cashflows"]
    assert m.missing_for("executive_summary") == ["cashflows"]


def test_projects_and_cash_flows_alone(built, full):
    _, m = built("finance_only")
    assert m.missing_parts == {
        "resources": ["resources", "assignments", "timesheets"],
        "lessons": ["lessons"],
    }
    assert m.missing_for("portfolio_roi") == m.missing_for("executive_summary") == []
    assert m.missing_for("lessons_learned") == ["lessons"]
    h, fh = m.headline.iloc[0], full.headline.iloc[0]
    for col in (
        "running_projects",
        "portfolio_npv",
        "portfolio_roi",
        "portfolio_cpi",
        "budget_cap",
    ):  # health reads risks too
        assert h[col] == fh[col], col
    assert np.isnan(h["dependency_conflicts"]) and np.isnan(h["open_risk_exposure"])


def test_people_alone(built, full):
    _, m = built("people_only")
    assert set(m.missing_parts) == {"finance", "lessons"} and m.missing_for("resource_utilization") == []
    assert m.utilization.equals(full.utilization) and m.capacity.equals(full.capacity)
    assert m.headline.loc[0, "utilization"] == full.headline.loc[0, "utilization"]
    assert np.isnan(m.headline.loc[0, "portfolio_npv"])


def test_header_only_optional_tables_mean_none(built, full):
    """One project whose dependencies, milestones, risks, lessons and holidays were exported with
    their header only: every part is built; its figures are "none" (0), not n/a."""
    _, m = built("one_project_headers_only")
    assert m.missing_parts == {}
    assert m.dependencies.empty and m.milestones.empty and m.risks.empty and m.lessons.empty
    h = m.headline.iloc[0]
    assert (h["dependency_conflicts"], h["missed_milestones"], h["open_risk_exposure"]) == (0, 0, 0)
    assert h["unowned_risks"] == 0 and h["open_high_impact_actions"] == 0 and np.isnan(h["milestone_on_time_rate"])
    assert h["running_projects"] == 1
    assert m.projects.iloc[0]["npv"] == pytest.approx(full.projects.set_index("project_id").loc[ONE_PROJECT, "npv"])


def test_quiet_portfolio(built):
    _, m = built("quiet")
    assert m.bench.empty and m.recurring.empty and m.open_actions.empty and m.followthrough.empty
    assert m.meta["budget_cap"] == 0 and not m.decisions["funded"].any()
    assert set(m.selection["decision"]) == {"defer"}


def test_objective_missing_is_one_named_group(sample):
    projects = sample.projects.drop(columns=["strategic_objective"])
    from pmo_analysis.inputs.portfolio import Portfolio

    m = build_model(Portfolio(SAMPLE_DATA_DIR, projects=projects, cashflows=sample.cashflows), as_of=SAMPLE_AS_OF)
    assert m.by_objective["strategic_objective"].tolist() == ["(none)"]


# --------------------------------------------------------------------------- the notebooks, without a kernel
#: What a report opened on data without its tables says, and all it says (its folder filled in by the test).
NEEDS = (
    "This report needs the table(s) {tables}, which the data in {{folder}} does not hold (see docs/data-dictionary.md)."
)

EXPECTED = {
    "all_cancelled": {
        "executive_summary": [
            "No project is running (active or on hold) at 30 Jun 2026, so there is no health, spend "
            "or CPI/SPI to report: the 40 project(s) are 40 cancelled.",
            "No project is proposed or running, so there is no budget to allocate and nothing to "
            "stop; the decisions below are about people and recurring problems.",
        ],
        "portfolio_roi": [
            "No project is running (active or on hold) at 30 Jun 2026, so there is no earned value to judge.",
            "No project is proposed or running: all 40 are completed or cancelled, so there is nothing "
            "to fund, stop or defer.",
        ],
        "lessons_learned": ["No project is running at 30 Jun 2026, so no past lesson is matched to one."],
    },
    "no_overallocation": {
        "resource_utilization": [
            "Nobody is planned above 100% of capacity in Jul 2026–Dec 2026.",
            "Roles short of capacity on average over Jul 2026–Dec 2026: none.",
        ],
    },
    "all_proposed": {
        "lessons_learned": [NEEDS.format(tables="lessons")],  # a proposal has no lessons learned yet
        "portfolio_roi": [
            "3 project(s) without benefit figures have no NPV and are not drawn: ",
            "No month of the cash flows is complete at 30 Jun 2026: the whole curve is the plan.",
        ],
        "resource_utilization": [
            "No project hours are booked in the complete months of the window (up to Jun 2026): utilization, the "
            "bench and plan against actual need timesheets, so only the plan is shown.",
            "No bench without booked hours: nobody can be judged under-used.",
            "No project hours are planned or booked in the complete months of the window (up to Jun 2026), so there "
            "is no effort to compare.",
        ],
    },
    "single_project": {
        "executive_summary": [
            "Health of the 1 running project(s) (active or on hold): 0 off track, 0 at risk, 1 on track."
        ],
        "lessons_learned": [
            "No past lesson from another project matches the running projects.",
            "No fix came undone: no problem whose action was marked done came back later in another project.",
            "No lesson of kind went well.",
        ],
    },
    "before_data": {
        "portfolio_roi": [
            "None of the 23 running project(s) has earned value at 31 Jan 2020: CPI and SPI need a "
            "percent complete and planned or actual cost up to the last complete month."
        ],
        "resource_utilization": [
            "No heatmap: no project hours are booked or planned in the window.",
            "No hours are booked in the complete months of the window (up to Jan 2020).",
        ],
    },
    "after_data": {
        "resource_utilization": [
            "No utilization to chart: no project hours are booked in the complete months of the window."
        ],
    },
    "finance_only": {
        "executive_summary": [
            "Not available from this data: utilization and capacity (needs the resources, "
            "assignments and timesheets tables); lessons (needs the lessons table)."
        ],
        "resource_utilization": [NEEDS.format(tables="resources, assignments, timesheets")],
        "lessons_learned": [NEEDS.format(tables="lessons")],
    },
    "no_lessons": {"lessons_learned": [NEEDS.format(tables="lessons")]},
    "lessons_only": {
        "executive_summary": [NEEDS.format(tables="cashflows")],
        "portfolio_roi": [NEEDS.format(tables="cashflows")],
        "portfolio_delivery": [NEEDS.format(tables="cashflows")],
        "resource_utilization": [NEEDS.format(tables="resources, assignments, timesheets")],
        "lessons_learned": [],
    },
    "people_only": {
        "executive_summary": [NEEDS.format(tables="cashflows")],
        "portfolio_roi": [NEEDS.format(tables="cashflows")],
        "portfolio_delivery": [NEEDS.format(tables="cashflows")],
        "lessons_learned": [NEEDS.format(tables="lessons")],
        "resource_utilization": [],
    },
    "one_project_headers_only": {
        "lessons_learned": ["The lessons table has no rows: no lesson has been recorded yet."],
    },
    "quiet": {
        "portfolio_roi": [
            "With $0 available against a need of $16.0M, the selection funds 0 of 28 candidate "
            "project(s) for $0. Decisions: 1 stop, 28 defer."
        ],
        "resource_utilization": ["Nobody is below the bench threshold over the last three complete months."],
        "lessons_learned": [
            "No theme has to-improve lessons from 1000 or more projects.",
            "No recommendation is open or in progress: every action is done, or none was recorded.",
        ],
    },
}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(EXPECTED))
def test_notebooks_say_what_is_empty(name, built, tmp_path, monkeypatch):
    folder, model = built(name)
    model_dir = model.save(tmp_path / "model")
    for nb in NOTEBOOK_NAMES:
        params = {
            "data_dir": str(folder),
            "as_of": model.meta["as_of"],
            "output_dir": str(tmp_path / "out" / nb),
            "model_dir": str(model_dir),
        }
        if nb == "executive_summary":
            params |= {"reports_dir": str(tmp_path / "reports"), "schedule": "adhoc"}
        if model.missing_for(nb):  # one sentence, which a run's index says too ("not run: needs ...")
            with pytest.raises(ReportNeedsTables) as info:
                execute_notebook(nb, params, monkeypatch)
            monkeypatch.undo()
            assert [str(info.value)] == [e.format(folder=folder) for e in EXPECTED[name][nb]], nb
            assert info.value._render_traceback_() == [str(info.value)]  # shown without a traceback
            continue
        shown = execute_notebook(nb, params, monkeypatch)
        monkeypatch.undo()
        assert shown.problems == [], nb
        for sentence in EXPECTED[name].get(nb, []):
            assert any(sentence in n for n in shown.notes), (nb, sentence, shown.notes)
    if name == "before_data":
        assert "As of 31 Jan 2020, the data begins after this date" in shown.text()


# --------------------------------------------------------------------------- the real suite, with kernels
@pytest.mark.notebook
@pytest.mark.parametrize("name", ["all_cancelled"])
def test_suite_succeeds(name, built, tmp_path):
    from pmo_analysis.runs.runner import run_reports

    folder, _ = built(name)
    result = run_reports(
        data_dir=folder, params={"as_of": SAMPLE_AS_OF}, reports_dir=tmp_path / "reports", jobs=2, progress=None
    )
    assert result.status == "success", [n.error for n in result.notebooks]


def test_a_project_page_without_cash_flows_says_what_it_needs(built, tmp_path):
    from pmo_analysis.runs.pages import open_project

    folder, m = built("lessons_only")
    model_dir = m.save(tmp_path / "model")
    page = {"data_dir": str(folder), "model_dir": str(model_dir), "output_dir": str(tmp_path / "out")}
    with pytest.raises(ReportNeedsTables) as info:  # in a context of its own, as a kernel: its currency stays there
        contextvars.copy_context().run(open_project, page)
    assert str(info.value) == NEEDS.format(tables="cashflows").format(folder=folder)


def test_mail_of_a_run_without_cash_flows_says_its_decisions_are_not_available(built, tmp_path):
    """A scheduled run on a lessons register mails its headline: the decisions are not available (the
    executive summary needs the cash flows), never "none"."""
    import json

    from pmo_analysis.runs.mail import summary_message

    _, m = built("lessons_only")
    run = tmp_path / "run"
    m.save(run / "model")
    (run / "manifest.json").write_text(json.dumps({"run_id": "r1", "as_of": m.meta["as_of"], "status": "success"}))
    msg = summary_message(run, to=["cio@example.org"], sender="pmo@example.org")
    text = msg.get_body(preferencelist=("plain",)).get_content()
    html = msg.get_body(preferencelist=("html",)).get_content()
    assert "- not available: the executive summary was not run: it needs the table(s) cashflows" in text
    assert "- none" not in text and "None this time" not in html
    assert "Not available: the executive summary was not run: it needs the table(s) cashflows." in html
    assert "Portfolio NPV: n/a\n" in text and "Off track: n/a\n" in text and "Open high-impact actions: 26\n" in text
