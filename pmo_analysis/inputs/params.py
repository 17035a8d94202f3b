"""Notebook parameters: declared once, with types, defaults and allowed ranges.

Each report notebook has a ``parameters`` cell whose names and defaults match :data:`NOTEBOOKS`
(a test checks it). The first cell after it calls :func:`resolve_params`, and the report runner
calls :func:`validate_params` before any kernel starts, so a bad value (a date that is not a date,
a rate of "ten", a negative threshold) stops the run with a message naming the notebook and the
parameter.

Whatever their source (``-p NAME VALUE``, a parameters file, ``schedules.yml``, Python), values that
pass are plain: text, a finite number, true/false, None, a date or a path. Papermill writes
parameters into the notebook as Python source, so anything else (bytes, sets, lists, objects,
``nan``) is refused rather than written as code. YAML is read in one place,
:func:`pmo_analysis.core.yaml_files.load_yaml`, with a loader that refuses every tag but the core
ones; dates follow one rule, :func:`parse_date` (ISO ``YYYY-MM-DD``).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import reprlib
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from pmo_analysis.core.bounds import DATE_RANGE, DATE_RANGE_TEXT, Bounds
from pmo_analysis.core.config import (
    DEFAULT_BUDGET_SHARE,
    DEFAULT_DISCOUNT_RATE,
    DEFAULT_HORIZON_MONTHS,
    DEFAULT_OVER_THRESHOLD,
    DEFAULT_UNDER_THRESHOLD,
    FORECAST_CORRELATED_BY,
    FORECAST_CORRELATION,
    FORECAST_DRAWS,
    FORECAST_GROUPS,
    FORECAST_MIN_REFERENCE,
    FORECAST_SEED,
    HEALTH_THRESHOLDS,
    REPORTS_DIR,
    SAMPLE_DATA_DIR,
)
from pmo_analysis.core.exceptions import ParameterError
from pmo_analysis.core.formatting import CURRENCIES
from pmo_analysis.core.i18n import LANGUAGES

__all__ = [
    "Param",
    "NOTEBOOKS",
    "MODEL_PARAMS",
    "validate_model_params",
    "check_param",
    "check_together",
    "typed_as_of",
    "declared",
    "declared_for_path",
    "validate_params",
    "resolve_params",
    "describe",
    "check_plain",
    "parse_date",
    "parameters_cell",
]


@dataclass(frozen=True)
class Param:
    """One notebook parameter. ``kind``: path, source (a path or a database URL), date, float, int, str,
    bool or choice.

    A number's range is given as ``min``, ``max`` and ``min_inclusive`` and kept as :attr:`bounds`,
    the same :class:`~pmo_analysis.core.bounds.Bounds` the data contract uses for its columns.
    """

    name: str
    kind: str
    default: Any
    help: str
    min: float | None = None
    max: float | None = None
    min_inclusive: bool = True
    choices: tuple[str, ...] = ()
    bounds: Bounds = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "bounds", Bounds(self.min, self.max, self.min_inclusive))

    def describe_range(self) -> str:
        """The allowed values in words (``'>= 0 and <= 1'``, ``'one of npv, roi'``); empty if any."""
        if self.choices:
            return "one of " + ", ".join(self.choices)
        return self.bounds.describe()


_COMMON = [
    # kind "source": a folder, or a database URL or mapping file (pmo_analysis.inputs.sources)
    Param("data_dir", "source", None, "portfolio data folder (default: the bundled sample)"),
    Param(
        "as_of", "date", None, "report date YYYY-MM-DD (default: the end of the last complete month the data covers)"
    ),
    Param("output_dir", "path", None, "folder for exported tables (default: reports/scratch/<notebook>)"),
    Param(
        "model_dir", "path", None, "the run's portfolio model (set by the report runner; default: built from data_dir)"
    ),
    Param("language", "choice", "en", "language of the report: en (English) or zh (Chinese)", choices=LANGUAGES),
    Param(
        "currency",
        "choice",
        "USD",
        "ISO 4217 code of the money in the data, shown with every amount",
        choices=tuple(CURRENCIES),
    ),
]

#: Parameters of the portfolio model: one value per run, shared by every report, so that a figure
#: shown in two reports is the same figure. Declared once here; notebooks list the ones they use.
MODEL_PARAMS: dict[str, Param] = {
    p.name: p
    for p in [
        Param("discount_rate", "float", DEFAULT_DISCOUNT_RATE, "annual discount rate for NPV", min=0, max=1.0),
        Param(
            "cpi_red",
            "float",
            HEALTH_THRESHOLDS["cpi_red"],
            "CPI below this is off track and flags a cost overrun",
            min=0,
            max=2,
        ),
        Param("cpi_amber", "float", HEALTH_THRESHOLDS["cpi_amber"], "CPI below this is at risk", min=0, max=2),
        Param(
            "spi_red",
            "float",
            HEALTH_THRESHOLDS["spi_red"],
            "SPI below this is off track and flags a schedule slip",
            min=0,
            max=2,
        ),
        Param("spi_amber", "float", HEALTH_THRESHOLDS["spi_amber"], "SPI below this is at risk", min=0, max=2),
        Param(
            "risk_amber",
            "float",
            HEALTH_THRESHOLDS["risk_amber"],
            "risk score at or above this is at risk",
            min=1,
            max=5,
        ),
        Param(
            "exposure_amber",
            "float",
            HEALTH_THRESHOLDS["exposure_amber"],
            "open risk exposure at or above this share of the budget is at risk",
            min=0,
            max=10,
        ),
        Param(
            "low_alignment",
            "int",
            2,
            "strategic alignment at or below this, with a negative remaining NPV, stops a project",
            min=1,
            max=5,
        ),
        Param("w_alignment", "float", 0.4, "weight of strategic alignment in the priority score", min=0),
        Param("w_value", "float", 0.4, "weight of value (remaining NPV or ROI) in the priority score", min=0),
        Param("w_risk", "float", 0.2, "weight of low risk in the priority score", min=0),
        Param(
            "value_metric", "choice", "npv", "value used in the score (npv: the remaining NPV)", choices=("npv", "roi")
        ),
        Param(
            "budget_cap",
            "float",
            None,
            f"funding available for proposed and running projects (default: {DEFAULT_BUDGET_SHARE:.0%} of their need)",
            min=0,
        ),
        Param(
            "objective",
            "choice",
            "score",
            "what the selection maximizes (npv: the remaining NPV)",
            choices=("score", "npv"),
        ),
        Param(
            "horizon_months",
            "int",
            DEFAULT_HORIZON_MONTHS,
            "months after the last complete month that over-allocation and capacity look at",
            min=1,
            max=24,
        ),
        Param("start", "date", None, "first month of utilization history (default: 11 months before as_of)"),
        Param(
            "over_threshold",
            "float",
            DEFAULT_OVER_THRESHOLD,
            "planned utilization above this is over-allocated",
            min=0,
            min_inclusive=False,
            max=3,
        ),
        Param(
            "under_threshold", "float", DEFAULT_UNDER_THRESHOLD, "utilization below this is on the bench", min=0, max=1
        ),
        Param("min_projects", "int", 3, "a theme recurs when lessons come from this many projects", min=1),
        Param("n_themes", "int", 12, "number of text themes to extract", min=2, max=60),
        Param("top_n", "int", 5, "lessons shown per running project", min=1, max=50),
        Param(
            "exclude_invalid",
            "bool",
            False,
            "leave out invalid rows (and rows that depend on them), listing each, instead of refusing the data",
        ),
        # the forecast's Monte Carlo (pmo_analysis.analyses.forecast; docs/definitions.md, "Forecasts")
        Param(
            "forecast_correlation",
            "float",
            FORECAST_CORRELATION,
            "correlation of two projects' cost and finish outcomes in the forecast (0 independent, 1 together)",
            min=0,
            max=1,
        ),
        Param(
            "forecast_correlated_by",
            "choice",
            FORECAST_CORRELATED_BY,
            "projects whose outcomes the forecast correlates: those of one department, or the whole portfolio",
            choices=FORECAST_GROUPS,
        ),
        Param(
            "forecast_draws",
            "int",
            FORECAST_DRAWS,
            "joint draws of the forecast's Monte Carlo (fewer for thousands of running projects)",
            min=100,
            max=100_000,
        ),
        Param("forecast_seed", "int", FORECAST_SEED, "seed of the forecast's draws", min=0, max=10**9),
        Param(
            "forecast_min_reference",
            "int",
            FORECAST_MIN_REFERENCE,
            "completed projects a reference class (and a back-test point) needs",
            min=2,
            max=100,
        ),
        Param(
            "accept_stale", "bool", False, "publish as a good run although the data ends more than a month before as_of"
        ),
    ]
}


def _model(*names: str) -> list[Param]:
    return [MODEL_PARAMS[n] for n in names]


NOTEBOOKS: dict[str, list[Param]] = {
    "executive_summary": [
        *_COMMON,
        Param(
            "previous_run_dir",
            "path",
            None,
            "a previous run to compare with (default: the previous run of the same schedule)",
        ),
        Param("reports_dir", "path", None, "where earlier runs are kept (default: reports/)"),
        Param("schedule", "str", "adhoc", "schedule name, used to find the previous run"),
        *_model("discount_rate", "cpi_red", "cpi_amber", "spi_red", "spi_amber", "risk_amber", "horizon_months"),
    ],
    "portfolio_roi": _COMMON
    + _model(
        "discount_rate",
        "w_alignment",
        "w_value",
        "w_risk",
        "value_metric",
        "budget_cap",
        "objective",
        "cpi_red",
        "spi_red",
        "low_alignment",
    ),
    "resource_utilization": _COMMON
    + _model("start", "horizon_months", "over_threshold", "under_threshold")
    + [
        Param("group_by", "choice", "resource", "rows of the heatmap", choices=("resource", "role", "department")),
    ],
    "lessons_learned": _COMMON + _model("min_projects", "n_themes", "top_n"),
    "portfolio_delivery": _COMMON + _model("exposure_amber"),
    # what-if scenarios beside the base (pmo_analysis.reporting.scenarios): a run gives its scenarios' models
    "scenarios": [
        *_COMMON,
        Param(
            "scenario_files",
            "str",
            None,
            "scenario files (YAML), comma-separated, compared with the base when opened outside a run",
        ),
    ],
    # exploring scenarios with widgets in JupyterLab (pmo_analysis.reporting.explore)
    "explore_scenarios": _COMMON,
    # one page per project (pmo_analysis.runs.pages): the run renders it for every project it chooses
    "project_report": [
        *_COMMON,
        Param("project_id", "str", None, "the project shown (default: the worst running project)"),
    ],
}


def declared(notebook: str | Path) -> list[Param]:
    """The parameters notebook ``notebook`` (name without .ipynb) declares."""
    name = Path(notebook).stem
    if name not in NOTEBOOKS:
        raise ParameterError(f"unknown notebook {notebook!r}; known: {', '.join(NOTEBOOKS)}")
    return NOTEBOOKS[name]


def declared_for_path(path: str | Path) -> list[Param]:
    """Parameters of the notebook at ``path``: the declaration in :data:`NOTEBOOKS` for a report
    notebook, else what papermill infers from its ``parameters`` cell (name, type, default).
    """
    import ast

    path = Path(path)
    if path.stem in NOTEBOOKS:
        return NOTEBOOKS[path.stem]
    import papermill

    kinds = {"int": "int", "float": "float", "str": "str", "bool": "bool"}
    out = []
    for name, info in papermill.inspect_notebook(str(path)).items():
        try:
            default = ast.literal_eval(info["default"])
        except (ValueError, SyntaxError):
            default = info["default"]
        out.append(Param(name, kinds.get(info["inferred_type_name"], "any"), default, info.get("help") or ""))
    return out


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
#: Largest whole number a parameter takes (beyond it, numbers stop being exact in the notebooks).
_MAX_INT = 10**15
_SHOW = reprlib.Repr()
_SHOW.maxstring = _SHOW.maxother = 80


def _show(value: Any) -> str:
    """``repr`` for messages, shortened, and never failing on a strange object."""
    try:
        return _SHOW.repr(value)
    except Exception:  # noqa: BLE001 - a broken __repr__ must not hide the real problem
        return f"<{type(value).__name__}>"


def parse_date(value: Any, *, where: str) -> dt.date:
    """The one rule for a date given by a user: ISO ``YYYY-MM-DD``, a real calendar day.

    Used for date parameters and for ``pmo-analysis validate --as-of``. ``30/06/2026``,
    ``20260630`` and ``2026-06-30 07:00`` are refused rather than guessed, as the data contract
    refuses ambiguous dates.

    Examples
    --------
    >>> parse_date("2026-06-30", where="--as-of")
    datetime.date(2026, 6, 30)
    >>> try:
    ...     parse_date("2026-02-30", where="--as-of")
    ... except ParameterError as exc:
    ...     print(exc)
    --as-of must be a date YYYY-MM-DD, got '2026-02-30' (day is out of range for month)
    """
    if type(value) is dt.date:  # not a datetime: a date with a time is not a date
        return _in_date_range(value, where=where)
    if type(value) is str and _ISO_DATE.fullmatch(value.strip()):
        try:
            date = dt.date.fromisoformat(value.strip())
        except ValueError as exc:
            raise ParameterError(f"{where} must be a date YYYY-MM-DD, got {_show(value)} ({exc})") from None
        return _in_date_range(date, where=where)
    raise ParameterError(f"{where} must be a date YYYY-MM-DD, got {_show(value)}")


def _in_date_range(date: dt.date, *, where: str) -> dt.date:
    """``date`` if it lies in :data:`~pmo_analysis.core.bounds.DATE_RANGE` (the data's dates), else
    a :class:`ParameterError`: ``9999-12-31`` is a typing error, not a date any figure can use.
    """
    if not DATE_RANGE[0] <= date <= DATE_RANGE[1]:
        raise ParameterError(f"{where} must be a date {DATE_RANGE_TEXT}, got {date.isoformat()!r}")
    return date


def check_plain(value: Any, *, where: str) -> Any:
    """Return ``value`` if it is a plain value, else raise :class:`ParameterError`.

    Plain: ``None``, ``bool``, a whole number of at most 15 digits, a finite ``float``, ``str``,
    a ``datetime.date`` (not a datetime) or a ``pathlib.Path``, of exactly these types. Only such
    values reach a notebook: papermill writes parameters into the notebook as Python source, and
    anything else (bytes, sets, lists, mappings, objects, ``nan``) would be written as code.
    """
    kind = type(value)
    # exact types: a subclass of str or Path could change how papermill writes it out
    if value is None or kind in (bool, str, dt.date, type(Path())):
        return value
    if kind is int:
        if abs(value) >= _MAX_INT:
            raise ParameterError(f"{where} must be a number below 1e15 in size, got {_show(value)}")
        return value
    if kind is float:
        if not math.isfinite(value):
            raise ParameterError(f"{where} must be a finite number, got {_show(value)}")
        return value
    raise ParameterError(
        f"{where} must be a single value (text, a number, true/false or a date YYYY-MM-DD), "
        f"got {kind.__name__} {_show(value)}"
    )


def _number(where: str, p: Param, value: Any) -> int | float:
    if type(value) is str:
        text = value.strip()
        try:
            num: int | float = int(text)
        except ValueError:
            try:
                num = float(text)
            except ValueError:
                raise ParameterError(f"{where} must be a number, got {_show(value)}") from None
    elif type(value) in (int, float):
        num = value
    else:  # True, a date, a path
        raise ParameterError(f"{where} must be a number, got {_show(value)}")
    if type(num) is int and abs(num) >= _MAX_INT:
        raise ParameterError(f"{where} must be a number below 1e15 in size, got {_show(value)}")
    if not math.isfinite(num):
        raise ParameterError(f"{where} must be a finite number, got {_show(value)}")
    if p.kind == "int":
        if not float(num).is_integer():
            raise ParameterError(f"{where} must be a whole number, got {_show(value)}")
        num = int(num)
    if p.bounds.is_outside(num):
        raise ParameterError(f"{where} must be {p.describe_range()}, got {_show(value)}")
    return num


def _convert(notebook: str, p: Param, value: Any) -> Any:
    """``value`` checked against ``p`` and typed: a plain value whatever its source and kind."""
    where = f"{notebook}: parameter {p.name!r}"
    if value is None:
        return value
    # dates and numbers accept only a few exact types, all plain; every other kind checks first
    if p.kind == "date":
        return parse_date(value, where=where)
    if p.kind in ("float", "int"):
        return _number(where, p, value)
    check_plain(value, where=where)
    if p.kind == "any":
        return value
    if p.kind == "source":  # a folder, a mapping file or a database URL (pmo_analysis.inputs.sources)
        from pmo_analysis.inputs.sources import data_source, is_database_url

        if is_database_url(value):
            return data_source(str(value), where=where)
    if p.kind in ("path", "source"):
        try:
            return Path(str(value)).expanduser()
        except RuntimeError:  # ~name of a user this machine does not know
            raise ParameterError(
                f"{where} must be a path, got {_show(value)}: no home folder is known for {Path(str(value)).parts[0]!r}"
            ) from None
    if p.kind == "bool":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "yes", "1"):
            return True
        if text in ("false", "no", "0"):
            return False
        raise ParameterError(f"{where} must be true or false, got {_show(value)}")
    if p.kind == "choice":
        if str(value) not in p.choices:
            raise ParameterError(f"{where} must be {p.describe_range()}, got {_show(value)}")
        return str(value)
    return str(value)


def validate_params(notebook: str, values: dict[str, Any], *, path: str | Path | None = None) -> dict[str, Any]:
    """Check ``values`` against the declaration of ``notebook`` and return them typed.

    Unknown names, wrong types, out-of-range values and values that are not plain (see
    :func:`check_plain`) raise :class:`ParameterError` naming the notebook and the parameter; the
    values that pass are plain whatever their kind, so what reaches papermill is data, never code.
    Names not given are not filled in (see :func:`resolve_params`). With ``path``, a notebook
    outside the registry is checked against its own parameters cell.
    """
    params = {p.name: p for p in (declared_for_path(path) if path else declared(notebook))}
    name = Path(notebook).stem
    unknown = sorted(set(values) - set(params), key=repr)
    if unknown:
        raise ParameterError(
            f"{name}: unknown parameter(s) {', '.join(map(_show, unknown))}; it takes {', '.join(params)}"
        )
    return check_together(name, {k: _convert(name, params[k], v) for k, v in values.items()})


#: The priority score's weights: each >= 0 (its declaration), and not all zero together.
_WEIGHTS = ("w_alignment", "w_value", "w_risk")


def check_together(where: str, typed: dict[str, Any]) -> dict[str, Any]:
    """Rules across parameters, checked as soon as the values are known: the score's weights are
    not all zero (a score of nothing ranks nothing), and ``start`` (the first month of the
    utilization history) is not after ``as_of``. Returns ``typed``; a break is :class:`ParameterError`.
    """
    weights = [typed.get(w, MODEL_PARAMS[w].default) for w in _WEIGHTS]
    if any(w in typed for w in _WEIGHTS) and all(w == 0 for w in weights):
        raise ParameterError(
            f"{where}: the score weights {', '.join(_WEIGHTS)} are all 0; give at least one a weight above 0"
        )
    check_start(where, typed.get("start"), typed.get("as_of"))
    return typed


def check_start(where: str, start: dt.date | None, as_of: Any) -> None:
    """``start`` must not be in a month after ``as_of``'s (when both are known)."""
    if start is None or as_of is None:
        return
    as_of = as_of if isinstance(as_of, dt.date) else dt.date.fromisoformat(str(as_of)[:10])
    if (start.year, start.month) > (as_of.year, as_of.month):
        raise ParameterError(
            f"{where}: parameter 'start' ({start.isoformat()}) is after as_of ({as_of.isoformat()}); it is the "
            "first month of the utilization history, so it must be on or before as_of"
        )


def typed_as_of(value: Any, *, where: str = "run") -> dt.date | None:
    """The run's as-of date from a parameter value (``None`` when not given)."""
    return _convert(where, _COMMON[1], value)


def check_param(where: str, name: str, value: Any) -> Any:
    """The model parameter ``name`` checked and typed as a run would (a scenario file's
    ``parameters``); ``where`` starts the message of a :class:`ParameterError`.

    >>> check_param("cut20.yml, line 3", "discount_rate", 0.1)
    0.1
    """
    return _convert(where, MODEL_PARAMS[name], value)


def validate_model_params(values: dict[str, Any], *, where: str = "run") -> dict[str, Any]:
    """Check the portfolio-model parameters among ``values`` and return every model parameter
    typed, with the defaults filled in. Names that are not model parameters are ignored.
    """
    given = {k: v for k, v in values.items() if k in MODEL_PARAMS}
    typed = {k: _convert(where, MODEL_PARAMS[k], v) for k, v in given.items()}
    check_together(where, typed | ({"as_of": typed_as_of(values["as_of"])} if values.get("as_of") else {}))
    return {k: typed.get(k, p.default) for k, p in MODEL_PARAMS.items()}


def resolve_params(notebook: str, namespace: dict[str, Any]) -> SimpleNamespace:
    """Validate a notebook's parameters and fill in the defaults that depend on the machine.

    Called in the first cell after the ``parameters`` cell with ``globals()``; picks the declared
    names from it. ``data_dir`` defaults to the bundled sample, ``output_dir`` to
    ``reports/scratch/<notebook>`` (created); an empty ``as_of`` is left for the portfolio model
    to settle (the end of the last complete month the data covers). Relative paths are taken from the repository root
    so a notebook runs the same from any working directory.
    """
    name = Path(notebook).stem
    values = {p.name: namespace.get(p.name, p.default) for p in declared(name)}
    typed = validate_params(name, values)
    from pmo_analysis.core.config import PROJ_ROOT

    def _abs(path: Path | None) -> Path | None:
        if path is None or path.is_absolute():
            return path
        return path if path.exists() else PROJ_ROOT / path

    from pmo_analysis.inputs.readers import is_workbook
    from pmo_analysis.inputs.sources import is_database_url, is_mapping_file

    if not is_database_url(typed["data_dir"]):  # a URL is checked when the database is read
        typed["data_dir"] = _abs(typed["data_dir"]) or SAMPLE_DATA_DIR
        one_file = is_mapping_file(typed["data_dir"]) or is_workbook(typed["data_dir"])  # a workbook: one sheet a table
        if not (typed["data_dir"].is_dir() or (one_file and typed["data_dir"].is_file())):
            raise ParameterError(
                f"{name}: parameter 'data_dir' is not a folder, a workbook, a mapping file or a database "
                f"URL: {str(typed['data_dir'])!r}"
            )
    typed["model_dir"] = _abs(typed["model_dir"])
    typed["output_dir"] = _abs(typed["output_dir"]) or REPORTS_DIR / "scratch" / name
    typed["output_dir"].mkdir(parents=True, exist_ok=True)
    return SimpleNamespace(**typed)


def describe(notebook: str | Path) -> str:
    """A table of the parameters of ``notebook``, for ``pmo-analysis params``."""
    rows = [f"Parameters of {Path(notebook).stem}:"]
    path = Path(notebook)
    for p in declared_for_path(path) if path.suffix == ".ipynb" else declared(notebook):
        rng = p.describe_range()
        rows.append(f"  {p.name:<17} {p.kind:<6} default {p.default!r:<10} {p.help}" + (f" [{rng}]" if rng else ""))
    return "\n".join(rows)


#: How each kind of parameter is named in ``papermill --help-notebook`` (the cell's type comment).
_PAPERMILL_TYPES = {
    "path": "str",
    "date": "str",
    "float": "float",
    "int": "int",
    "str": "str",
    "bool": "bool",
    "choice": "str",
    "any": "str",
    "source": "str",
}


def parameters_cell(notebook: str) -> str:
    """The source of the ``parameters`` cell of ``notebook``, written from its declaration.

    One line per parameter, ``name = default  # type: T  help [range]``: papermill reads the type
    and the help from the comment (``papermill --help-notebook`` lists every parameter), and the
    notebook's cell is this text exactly (a test checks it), so the runner's checks and papermill's
    help come from the one declaration. Help text holds no ``=``: papermill skips a line with two.

    Examples
    --------
    >>> print(parameters_cell("lessons_learned").splitlines()[1])
    data_dir = None  # type: str  portfolio data folder (default: the bundled sample)
    """
    name = Path(notebook).stem
    lines = [
        f"# Parameters (papermill overrides these; see `pmo-analysis params {name}` or "
        f"`papermill --help-notebook notebooks/{name}.ipynb`)"
    ]
    for p in declared(name):
        rng = p.describe_range()
        help_text = p.help + (f" [{rng}]" if rng else "")
        help_text = help_text.replace(">=", "≥").replace("<=", "≤").replace("=", "is")
        lines.append(f"{p.name} = {p.default!r}  # type: {_PAPERMILL_TYPES[p.kind]}  {help_text}")
    return "\n".join(lines)
