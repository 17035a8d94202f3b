"""``pmo-analysis import``: schedule files in, a portfolio data folder out.

:func:`import_schedules` reads each file (:mod:`pmo_analysis.inputs.schedules`), replaces a master
project by its subprojects, refuses a mix of currencies, gives each project a stable id, maps the
schedules to the contract's tables and writes them as CSV into the folder, with
``project-ids.csv`` and ``import-report.md``. The steps, top to bottom:

1. :func:`_read_all`: every file, one line per file that cannot be read (the others go on);
2. :func:`_expand_masters`: a master project gives its subprojects;
3. :func:`_check_currency`: one currency per portfolio;
4. :func:`_assign_ids`: ``project-ids.csv`` maps each schedule's key (a P6 project code, or a
   Microsoft Project title or file name) to a project id. It is written on the first import and
   read on every later one, so ids stay the same when files are imported again; edit it to give a
   project its department, or to keep an id when a P6 code changes (point the new code at the old
   id);
5. :func:`~pmo_analysis.inputs.schedules.to_contract`, then :func:`_write_tables` and
   :func:`_write_report`.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pmo_analysis.core import i18n
from pmo_analysis.core.exceptions import PMOError, ScheduleFileError
from pmo_analysis.core.i18n import _
from pmo_analysis.inputs.schedules import SUFFIXES, Derived, Schedule, read_schedule, to_contract

__all__ = ["ID_FILE", "REPORT_FILE", "ImportResult", "import_schedules"]

ID_FILE = "project-ids.csv"
REPORT_FILE = "import-report.md"
_TABLES = ("projects", "cashflows", "resources", "assignments", "timesheets", "holidays", "dependencies", "milestones")
_DEFAULT_DEPARTMENT = "Unassigned"


@dataclass
class ImportResult:
    """What an import wrote: the folder, rows per table, files that failed (one line each)."""

    out: Path
    rows: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    projects: dict[str, str] = field(default_factory=dict)  # project_id -> name
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when every file imported."""
        return not self.problems


def import_schedules(
    sources: Iterable[Path], out: Path, *, say: Callable[[str], object] = lambda _line: None, language: str = "en"
) -> ImportResult:
    """Import schedule files (or folders of them) ``sources`` into the data folder ``out``.

    Parameters
    ----------
    sources
        Schedule files (.mpp, .xml, .xer, .pmxml) or folders holding them.
    out
        The portfolio data folder to write (created if absent; the tables an import writes are
        replaced, ``project-ids.csv`` is kept and extended).
    say
        Called with one line per file read and per file that cannot be read.
    language
        The language of those lines and of ``import-report.md`` (``en`` or ``zh``); what a schedule
        file's own reader says of it stays as it says it.

    Returns
    -------
    ImportResult
        Rows per table written and one line per file that could not be imported.

    Raises
    ------
    PMOError
        When no file could be imported, the files are in several currencies, or Java or MPXJ is
        missing for a Microsoft Project or PMXML file.
    """
    with i18n.language(language):
        return _import(sources, Path(out), say)


def _import(sources: Iterable[Path], out: Path, say: Callable[[str], object]) -> ImportResult:
    t0 = time.perf_counter()
    files = _files(sources)
    schedules, problems = _read_all(files, say)
    schedules, masters = _expand_masters(schedules, files, problems, say)
    if not schedules:
        raise PMOError(_("no schedule could be imported") + (": " + "; ".join(problems) if problems else ""))
    currency = _check_currency(schedules)
    out.mkdir(parents=True, exist_ok=True)
    ids = _assign_ids(schedules, out / ID_FILE)
    projects = _copies(schedules, ids)
    refs = {**{s.key: ids.project_id[s.key] for s in schedules}}
    refs.update({f"file:{s.source.stem}": ids.project_id[s.key] for s in schedules})
    departments = dict(zip(ids.frame.project_id, ids.frame.department, strict=True))
    tables, derived, notes = to_contract(projects, departments=departments, refs=refs)
    rows = _write_tables(tables, out)
    _write_report(out / REPORT_FILE, files, schedules, masters, derived, notes, problems, rows, currency)
    return ImportResult(
        out=out,
        rows=rows,
        problems=problems,
        projects=dict(zip(tables["projects"].project_id, tables["projects"].name, strict=True)),
        seconds=time.perf_counter() - t0,
    )


# --------------------------------------------------------------------------- steps
def _files(sources: Iterable[Path]) -> list[Path]:
    files: list[Path] = []
    for source in map(Path, sources):
        if source.is_dir():
            files += sorted(p for p in source.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES)
        else:
            files.append(source)
    return list(dict.fromkeys(files))


def _read_one(path: Path) -> list[Schedule] | str:
    """The projects of one file, or the one line that says why it cannot be imported."""
    try:
        return read_schedule(path)
    except ScheduleFileError as exc:
        return str(exc)
    except OSError as exc:
        return _("{file}: cannot read the file: {error}", file=path.name, error=exc.strerror or exc)


def _read_all(files: list[Path], say: Callable[[str], object]) -> tuple[list[Schedule], list[str]]:
    """Read every file, in order; two at a time, since MPXJ parses in Java without holding
    Python's lock: one file is parsed while the one before it is turned into tables.
    """
    import contextvars
    from concurrent.futures import ThreadPoolExecutor

    schedules: list[Schedule] = []
    problems: list[str] = []

    def read_here(path: Path) -> list[Schedule] | str:  # in the caller's language (a thread starts without it)
        return context.copy().run(_read_one, path)

    context = contextvars.copy_context()
    with ThreadPoolExecutor(max_workers=2) as pool:
        for path, read in zip(files, pool.map(read_here, files), strict=True):
            if isinstance(read, str) or not read:
                problems.append(
                    read if isinstance(read, str) else _("{file}: the file holds no project", file=path.name)
                )
                say(_("not imported: {problem}", problem=problems[-1]))
                continue
            schedules += read
            say(
                _("read {file}: ", file=path.name)
                + i18n._(", ").join(_("{key} ({n} activities)", key=s.key, n=len(s.activities)) for s in read)
            )
    return schedules, problems


def _expand_masters(
    schedules: list[Schedule], files: list[Path], problems: list[str], say: Callable[[str], object]
) -> tuple[list[Schedule], dict[str, list[str]]]:
    """A master project gives its subprojects: each is read from the files given, or from the
    master's folder; the master itself is not a project.
    """
    masters: dict[str, list[str]] = {}
    read_stems = {s.source.stem.lower() for s in schedules}
    by_stem = {p.stem.lower(): p for p in files}
    result = [s for s in schedules if not s.subprojects]
    for master in (s for s in schedules if s.subprojects):
        masters[master.source.name] = []
        for stem in master.subprojects:
            if stem.lower() in read_stems:
                masters[master.source.name].append(_("{stem}: imported from its own file", stem=stem))
                continue
            candidates = [by_stem.get(stem.lower())] + [
                master.source.parent / f"{stem}{suffix}" for suffix in (".mpp", ".xml")
            ]
            found = next((c for c in candidates if c is not None and c.is_file()), None)
            if found is None:
                problems.append(
                    _(
                        "{file}: subproject {stem!r} not found (give its file with the master, "
                        "or put it in the master's folder)",
                        file=master.source.name,
                        stem=stem,
                    )
                )
                say(_("not imported: {problem}", problem=problems[-1]))
                continue
            try:
                result += read_schedule(found)
                read_stems.add(stem.lower())
                masters[master.source.name].append(_("{stem}: read from {file}", stem=stem, file=found.name))
            except ScheduleFileError as exc:
                problems.append(str(exc))
                say(_("not imported: {problem}", problem=exc))
    return result, masters


def _check_currency(schedules: list[Schedule]) -> str | None:
    """The portfolio's one currency; a mix is refused, naming the files of each currency."""
    by_currency: dict[str, list[str]] = {}
    for s in schedules:
        if s.currency:
            by_currency.setdefault(s.currency, [])
            if s.source.name not in by_currency[s.currency]:
                by_currency[s.currency].append(s.source.name)
    if len(by_currency) > 1:
        listed = "; ".join(f"{c}: {', '.join(names)}" for c, names in sorted(by_currency.items()))
        raise PMOError(
            _(
                "the schedules are in several currencies ({listed}); a portfolio has one currency: "
                "import the files of each currency into a folder of its own, or convert them first",
                listed=listed,
            )
        )
    return next(iter(by_currency), None)


@dataclass
class _Ids:
    frame: pd.DataFrame

    @property
    def project_id(self) -> dict[str, str]:
        return dict(zip(self.frame.key, self.frame.project_id, strict=True))


def _assign_ids(schedules: list[Schedule], path: Path) -> _Ids:
    """Read ``project-ids.csv`` if present, add a new id for each new key, write it back."""
    columns = ["key", "project_id", "department", "name", "first_file"]
    if path.exists():
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        missing = [c for c in ("key", "project_id") if c not in frame.columns]
        if missing:
            raise PMOError(f"{path}: the id mapping file needs the columns 'key' and 'project_id'")
        for c in columns:
            if c not in frame.columns:
                frame[c] = ""
    else:
        frame = pd.DataFrame(columns=columns)
    frame.loc[frame.department == "", "department"] = _DEFAULT_DEPARTMENT
    known = set(frame.key)
    numbers = frame.project_id.str.extract(r"^SCH-(\d+)$")[0].dropna().astype(int)
    next_number = int(numbers.max()) + 1 if len(numbers) else 1
    new = []
    for s in schedules:
        if s.key in known:
            continue
        known.add(s.key)
        new.append(
            {
                "key": s.key,
                "project_id": f"SCH-{next_number:04d}",
                "department": _DEFAULT_DEPARTMENT,
                "name": s.name,
                "first_file": s.source.name,
            }
        )
        next_number += 1
    if new:
        frame = pd.concat([frame, pd.DataFrame(new)], ignore_index=True)
    frame[columns + [c for c in frame.columns if c not in columns]].to_csv(path, index=False)
    return _Ids(frame)


def _copies(schedules: list[Schedule], ids: _Ids) -> dict[str, list[Schedule]]:
    """Each project's status copies, oldest status date first (the last is the current one)."""
    projects: dict[str, list[Schedule]] = {}
    for s in schedules:
        projects.setdefault(ids.project_id[s.key], []).append(s)
    for pid, copies in projects.items():
        copies.sort(key=lambda s: s.status_date or dt.date.min)
        seen: dict[dt.date | None, Schedule] = {}
        for s in copies:
            if s.status_date in seen:
                s.notes.append(
                    _(
                        "same status date ({date}) as {file} for project {project}: this file is used and the "
                        "other is not a status copy of its own",
                        date=s.status_date or _("none"),
                        file=seen[s.status_date].source.name,
                        project=pid,
                    )
                )
            seen[s.status_date] = s
        projects[pid] = list(seen.values())
    return projects


def _write_tables(tables: dict[str, pd.DataFrame], out: Path) -> dict[str, int]:
    rows = {}
    for name in _TABLES:
        frame = tables[name]
        path = out / f"{name}.csv"
        if frame.empty and name not in ("projects", "cashflows"):
            path.unlink(missing_ok=True)  # a table an earlier import wrote and this one has no row for
            continue
        frame.to_csv(path, index=False)
        rows[name] = len(frame)
    return rows


def _write_report(
    path: Path,
    files: list[Path],
    schedules: list[Schedule],
    masters: dict[str, list[str]],
    derived: list[Derived],
    notes: list[str],
    problems: list[str],
    rows: dict[str, int],
    currency: str | None,
) -> None:
    """import-report.md: per file what was read, derived, missing and assumed; then the portfolio."""
    by_file: dict[Path, list[Schedule]] = {}
    for s in schedules:
        by_file.setdefault(s.source, []).append(s)
    derived_of = {id(s): d for d in derived for s in d.copies}
    lines = [
        _("# Schedule import"),
        "",
        _(
            "{given} file(s) given, {imported} imported, {failed} not imported; {projects} project(s); "
            "currency {currency}.",
            given=len(files),
            imported=len(by_file),
            failed=len(problems),
            projects=len(derived),
            currency=currency or _("not stated in the files"),
        ),
        "",
    ]
    unstated = sorted({s.source.name for s in schedules if not s.currency})
    if currency and unstated:
        lines += [
            _(
                "No currency is stated in {files}: its amounts are taken to be in {currency}.",
                files=", ".join(unstated),
                currency=currency,
            ),
            "",
        ]
    lines += [
        _(
            "Tables written: {tables}.",
            tables=", ".join(_("{table} ({n} rows)", table=t, n=f"{n:,}") for t, n in rows.items()),
        ),
        "",
    ]
    if problems:
        lines += [_("## Files not imported"), ""] + [f"- {p}" for p in problems] + [""]
    for master, subs in masters.items():
        lines += [_("## {file} (master project)", file=master), "", _("A master project gives its subprojects:"), ""]
        lines += [f"- {s}" for s in subs] + [""]
    for source, items in by_file.items():
        lines += [f"## {source.name}", ""]
        for s in items:
            d = derived_of.get(id(s))
            pid = d.project_id if d else "?"
            current = d is not None and d.copies[-1] is s
            lines += [
                _("### {name} (key {key!r}, project_id {project})", name=s.name, key=s.key, project=pid),
                "",
                _(
                    "**Read**: {format}; {activities} activities ({milestones} milestones), {costs} cost items, "
                    "{resources} work resources with {work} assignments, {links} links from other projects, "
                    "{holidays} non-working weekdays; status date {date}; calendar {day} h a day, {week} h a week.",
                    format=s.format,
                    activities=len(s.activities),
                    milestones=int(s.activities.milestone.astype(bool).sum()),
                    costs=len(s.costs),
                    resources=len(s.resources),
                    work=len(s.work),
                    links=len(s.links),
                    holidays=len(s.holidays),
                    date=s.status_date or _("none"),
                    day=f"{s.day_hours:g}",
                    week=f"{s.week_hours:g}",
                ),
                "",
            ]
            if d is not None and current:
                lines += [_("**Derived**:"), ""] + [f"- {x}" for x in d.derived] + [""]
            elif d is not None:
                lines += [
                    _(
                        "**Derived**: a status copy of {project}: its milestones are part of the milestone history.",
                        project=pid,
                    ),
                    "",
                ]
            missing = list(s.missing)
            if s.status_date is None:
                missing.append(
                    _(
                        "no status date: projects.status_date is empty, and actual costs are stated up to the last "
                        "actual date"
                    )
                )
            lines += [_("**Missing**:"), ""] + [f"- {x}" for x in missing or [_("nothing the contract needs")]] + [""]
            assumptions = list(s.notes) + (list(d.notes) if d is not None and current else [])
            if assumptions:
                lines += [_("**Assumptions**:"), ""] + [f"- {x}" for x in assumptions] + [""]
    lines += [
        _("## Every project"),
        "",
        _("- Summary tasks, WBS nodes, the project summary task and subproject placeholders are not activities."),
        _(
            "- Budget = baseline cost where the file has a baseline; percent complete = cost-weighted earned value "
            "over the budget (the sum over activities of budget x own percent complete, divided by the budget), "
            "not the file's roll-up."
        ),
        _(
            "- Status is derived from actual dates (completed, active or proposed); on hold and cancelled are "
            "not in a schedule: set them in projects.csv after the import if they apply."
        ),
        _(
            "- Monthly costs are spread over the working days (Monday to Friday) of each cost item's dates, in whole "
            "cents, so each month's costs add up to the file's totals."
        ),
        _(
            "- Resources are the work (labour) resources; capacity = max units x the calendar's hours a week; "
            "rates are per hour. Their role is the resource group (or 'Scheduled resource') and their department "
            "'{department}': edit resources.csv if the utilization report should group them.",
            department=_DEFAULT_DEPARTMENT,
        ),
        _(
            "- Departments: every new project is in '{department}'. Set the department in {file} "
            "(column department) and import again; the same file keeps project ids stable across imports.",
            department=_DEFAULT_DEPARTMENT,
            file=ID_FILE,
        ),
        _(
            "- **Benefits**: schedules hold no benefits, so planned_benefit is 0 and actual_benefit is empty in "
            "cashflows.csv, and ROI and NPV show no return. Add the benefits each month is expected to bring in "
            "cashflows.csv (planned_benefit, actual_benefit) after each import, or keep them in a file of your own "
            "and merge them in before running the reports."
        ),
    ]
    lines += [f"- {n}" for n in notes]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
