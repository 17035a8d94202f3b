"""Notebook parameters: declared once, with types, defaults and allowed ranges.

Each report notebook has a ``parameters`` cell whose names and defaults match :data:`NOTEBOOKS`
(a test checks it). The first cell after it calls :func:`resolve_params`, and the report runner
calls :func:`validate_params` before any kernel starts, so a bad value (a date that is not a date,
a rate of "ten", a negative threshold) stops the run with a message naming the notebook and the
parameter.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from .config import (DEFAULT_DISCOUNT_RATE, DEFAULT_HORIZON_MONTHS, DEFAULT_OVER_THRESHOLD,
                     DEFAULT_UNDER_THRESHOLD, REPORTS_DIR, SAMPLE_DATA_DIR)
from .exceptions import ParameterError

__all__ = ["Param", "NOTEBOOKS", "MODEL_PARAMS", "validate_model_params", "declared", "declared_for_path", "validate_params", "resolve_params",
           "describe"]


@dataclass(frozen=True)
class Param:
    """One notebook parameter. ``kind``: path, date, float, int, str, bool or choice."""

    name: str
    kind: str
    default: Any
    help: str
    min: float | None = None
    max: float | None = None
    min_inclusive: bool = True
    choices: tuple[str, ...] = ()

    def describe_range(self) -> str:
        if self.choices:
            return "one of " + ", ".join(self.choices)
        parts = []
        if self.min is not None:
            parts.append(f">= {self.min:g}" if self.min_inclusive else f"> {self.min:g}")
        if self.max is not None:
            parts.append(f"<= {self.max:g}")
        return " and ".join(parts)


_COMMON = [
    Param("data_dir", "path", None, "portfolio data folder (default: the bundled sample)"),
    Param("as_of", "date", None,
          "report date YYYY-MM-DD (default: the end of the last complete month the data covers)"),
    Param("output_dir", "path", None,
          "folder for exported tables (default: reports/scratch/<notebook>)"),
    Param("model_dir", "path", None,
          "the run's portfolio model (set by the report runner; default: built from data_dir)"),
]

#: Parameters of the portfolio model: one value per run, shared by every report, so that a figure
#: shown in two reports is the same figure. Declared once here; notebooks list the ones they use.
MODEL_PARAMS: dict[str, Param] = {p.name: p for p in [
    Param("discount_rate", "float", DEFAULT_DISCOUNT_RATE, "annual discount rate for NPV", min=0, max=1.0),
    Param("cpi_red", "float", 0.85, "CPI below this is off track and flags a cost overrun", min=0, max=2),
    Param("cpi_amber", "float", 0.95, "CPI below this is at risk", min=0, max=2),
    Param("spi_red", "float", 0.85, "SPI below this is off track and flags a schedule slip", min=0, max=2),
    Param("spi_amber", "float", 0.95, "SPI below this is at risk", min=0, max=2),
    Param("risk_amber", "float", 4, "risk score at or above this is at risk", min=1, max=5),
    Param("low_alignment", "int", 2, "strategic alignment at or below this, with a negative remaining "
          "NPV, stops a project", min=1, max=5),
    Param("w_alignment", "float", 0.4, "weight of strategic alignment in the priority score", min=0),
    Param("w_value", "float", 0.4, "weight of value (remaining NPV or ROI) in the priority score", min=0),
    Param("w_risk", "float", 0.2, "weight of low risk in the priority score", min=0),
    Param("value_metric", "choice", "npv", "value used in the score (npv: the remaining NPV)",
          choices=("npv", "roi")),
    Param("budget_cap", "float", None,
          "funding available for proposed and running projects (default: 70% of their need)", min=0),
    Param("objective", "choice", "score", "what the selection maximizes (npv: the remaining NPV)",
          choices=("score", "npv")),
    Param("horizon_months", "int", DEFAULT_HORIZON_MONTHS,
          "months after the last complete month that over-allocation and capacity look at", min=1, max=24),
    Param("start", "date", None, "first month of utilization history (default: 11 months before as_of)"),
    Param("over_threshold", "float", DEFAULT_OVER_THRESHOLD, "planned utilization above this is over-allocated",
          min=0, min_inclusive=False, max=3),
    Param("under_threshold", "float", DEFAULT_UNDER_THRESHOLD, "utilization below this is on the bench",
          min=0, max=1),
    Param("min_projects", "int", 3, "a theme recurs when lessons come from this many projects", min=1),
    Param("n_themes", "int", 12, "number of text themes to extract", min=2, max=60),
    Param("top_n", "int", 5, "lessons shown per running project", min=1, max=50),
    Param("exclude_invalid", "bool", False,
          "leave out invalid rows (and rows that depend on them), listing each, instead of refusing the data"),
    Param("accept_stale", "bool", False,
          "publish as a good run although the data ends more than a month before as_of"),
]}


def _model(*names: str) -> list[Param]:
    return [MODEL_PARAMS[n] for n in names]


NOTEBOOKS: dict[str, list[Param]] = {
    "executive_summary": _COMMON + [
        Param("previous_run_dir", "path", None,
              "a previous run to compare with (default: the previous run of the same schedule)"),
        Param("reports_dir", "path", None, "where earlier runs are kept (default: reports/)"),
        Param("schedule", "str", "adhoc", "schedule name, used to find the previous run"),
    ] + _model("discount_rate", "cpi_red", "cpi_amber", "spi_red", "spi_amber", "risk_amber",
               "horizon_months"),
    "portfolio_roi": _COMMON + _model(
        "discount_rate", "w_alignment", "w_value", "w_risk", "value_metric", "budget_cap", "objective",
        "cpi_red", "spi_red", "low_alignment"),
    "resource_utilization": _COMMON + _model("start", "horizon_months", "over_threshold", "under_threshold") + [
        Param("group_by", "choice", "resource", "rows of the heatmap",
              choices=("resource", "role", "department")),
    ],
    "lessons_learned": _COMMON + _model("min_projects", "n_themes", "top_n"),
}


def declared(notebook: str) -> list[Param]:
    """The parameters notebook ``notebook`` (name without .ipynb) declares."""
    name = Path(notebook).stem
    if name not in NOTEBOOKS:
        raise ParameterError(f"unknown notebook {notebook!r}; known: {', '.join(NOTEBOOKS)}")
    return NOTEBOOKS[name]


def declared_for_path(path: str | Path) -> list[Param]:
    """Parameters of the notebook at ``path``: the declaration in :data:`NOTEBOOKS` for a report
    notebook, else what papermill infers from its ``parameters`` cell (name, type, default)."""
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
        out.append(Param(name, kinds.get(info["inferred_type_name"], "any"), default,
                         info.get("help") or ""))
    return out


def _convert(notebook: str, p: Param, value: Any) -> Any:
    where = f"{notebook}: parameter {p.name!r}"
    if value is None or p.kind == "any":
        return value
    if p.kind == "path":
        return Path(str(value)).expanduser()
    if p.kind == "date":
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value).strip())
        except ValueError:
            raise ParameterError(f"{where} must be a date YYYY-MM-DD, got {value!r}") from None
    if p.kind in ("float", "int"):
        if isinstance(value, bool):
            raise ParameterError(f"{where} must be a number, got {value!r}")
        try:
            num = float(value)
        except (TypeError, ValueError):
            raise ParameterError(f"{where} must be a number, got {value!r}") from None
        if p.kind == "int":
            if not num.is_integer():
                raise ParameterError(f"{where} must be a whole number, got {value!r}")
            num = int(num)
        low_bad = p.min is not None and (num < p.min if p.min_inclusive else num <= p.min)
        if low_bad or (p.max is not None and num > p.max):
            raise ParameterError(f"{where} must be {p.describe_range()}, got {value!r}")
        return num
    if p.kind == "bool":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "yes", "1"):
            return True
        if text in ("false", "no", "0"):
            return False
        raise ParameterError(f"{where} must be true or false, got {value!r}")
    if p.kind == "choice":
        if str(value) not in p.choices:
            raise ParameterError(f"{where} must be {p.describe_range()}, got {value!r}")
        return str(value)
    return str(value)


def validate_params(notebook: str, values: dict[str, Any], *, path: str | Path | None = None
                    ) -> dict[str, Any]:
    """Check ``values`` against the declaration of ``notebook`` and return them typed.

    Unknown names, wrong types and out-of-range values raise :class:`ParameterError` naming the
    notebook and the parameter. Names not given are not filled in (see :func:`resolve_params`).
    With ``path``, a notebook outside the registry is checked against its own parameters cell.
    """
    params = {p.name: p for p in (declared_for_path(path) if path else declared(notebook))}
    name = Path(notebook).stem
    unknown = sorted(set(values) - set(params))
    if unknown:
        raise ParameterError(f"{name}: unknown parameter(s) {', '.join(map(repr, unknown))}; "
                             f"it takes {', '.join(params)}")
    return {k: _convert(name, params[k], v) for k, v in values.items()}


def typed_as_of(value: Any, *, where: str = "run") -> dt.date | None:
    """The run's as-of date from a parameter value (``None`` when not given)."""
    return _convert(where, _COMMON[1], value)


def validate_model_params(values: dict[str, Any], *, where: str = "run") -> dict[str, Any]:
    """Check the portfolio-model parameters among ``values`` and return every model parameter
    typed, with the defaults filled in. Names that are not model parameters are ignored."""
    given = {k: v for k, v in values.items() if k in MODEL_PARAMS}
    typed = {k: _convert(where, MODEL_PARAMS[k], v) for k, v in given.items()}
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
    from .config import PROJ_ROOT

    def _abs(path: Path | None) -> Path | None:
        if path is None or path.is_absolute():
            return path
        return path if path.exists() else PROJ_ROOT / path

    typed["data_dir"] = _abs(typed["data_dir"]) or SAMPLE_DATA_DIR
    if not typed["data_dir"].is_dir():
        raise ParameterError(f"{name}: parameter 'data_dir' is not a folder: {str(typed['data_dir'])!r}")
    typed["model_dir"] = _abs(typed["model_dir"])
    typed["output_dir"] = _abs(typed["output_dir"]) or REPORTS_DIR / "scratch" / name
    typed["output_dir"].mkdir(parents=True, exist_ok=True)
    return SimpleNamespace(**typed)


def describe(notebook: str | Path) -> str:
    """A table of the parameters of ``notebook``, for ``pmo-analysis params``."""
    rows = [f"Parameters of {Path(notebook).stem}:"]
    path = Path(notebook)
    for p in (declared_for_path(path) if path.suffix == ".ipynb" else declared(notebook)):
        rng = p.describe_range()
        rows.append(f"  {p.name:<17} {p.kind:<6} default {p.default!r:<10} {p.help}"
                    + (f" [{rng}]" if rng else ""))
    return "\n".join(rows)
