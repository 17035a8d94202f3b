"""Parameters are plain values whatever their source: -p, a parameters file, schedules.yml, Python.

Papermill writes parameters into the notebook as Python source; a value that is not plain (bytes,
a set, a YAML ``!!python`` object, ``nan``) would be written as code. These tests lock the checks
and, with hypothesis, the property that whatever passes them is written as ``name = <literal>``.
No test here starts a kernel.
"""

from __future__ import annotations

import ast
import datetime as dt
import math
from pathlib import Path

import nbformat
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nbformat.v4 import new_code_cell, new_notebook
from papermill.translators import translate_parameters

from pmo_analysis import ParameterError
from pmo_analysis.cli import _parse_value
from pmo_analysis.core.config import NOTEBOOKS_DIR
from pmo_analysis.core.yaml_files import load_yaml, read_yaml
from pmo_analysis.inputs.params import NOTEBOOKS, parse_date, validate_model_params, validate_params
from pmo_analysis.runs.plan import _jsonable
from pmo_analysis.runs.runner import plan_parameters

PLAIN = "must be a single value (text, a number, true/false or a date YYYY-MM-DD)"
TAG = "is not allowed; give plain values (text, numbers, true/false, dates YYYY-MM-DD)"


# ---------------------------------------------------------------- the checks, message by message
@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("budget_cap", float("nan"), "parameter 'budget_cap' must be a finite number, got nan"),
        ("budget_cap", float("inf"), "parameter 'budget_cap' must be a finite number, got inf"),
        ("budget_cap", "inf", "parameter 'budget_cap' must be a finite number, got 'inf'"),
        ("budget_cap", "-Infinity", "parameter 'budget_cap' must be a finite number, got '-Infinity'"),
        ("budget_cap", "1e999", "parameter 'budget_cap' must be a finite number, got '1e999'"),
        ("discount_rate", "nan", "parameter 'discount_rate' must be a finite number, got 'nan'"),
        ("budget_cap", 10**20, "parameter 'budget_cap' must be a number below 1e15 in size, got 100000000000000000000"),
        ("budget_cap", [1, 2], "parameter 'budget_cap' must be a number, got [1, 2]"),
        ("budget_cap", b"1", "parameter 'budget_cap' must be a number, got b'1'"),
        (
            "as_of",
            "2026-02-30",
            "parameter 'as_of' must be a date YYYY-MM-DD, got '2026-02-30' (day is out of range for month)",
        ),
        ("as_of", "30/06/2026", "parameter 'as_of' must be a date YYYY-MM-DD, got '30/06/2026'"),
        (
            "as_of",
            dt.datetime(2026, 6, 30, 7),
            "parameter 'as_of' must be a date YYYY-MM-DD, got datetime.datetime(2026, 6, 30, 7, 0)",
        ),
        ("as_of", float("nan"), "parameter 'as_of' must be a date YYYY-MM-DD, got nan"),
        ("objective", {"score"}, f"parameter 'objective' {PLAIN}, got set {{'score'}}"),
        ("data_dir", b"/tmp", f"parameter 'data_dir' {PLAIN}, got bytes b'/tmp'"),
        ("data_dir", ["a"], f"parameter 'data_dir' {PLAIN}, got list ['a']"),
        ("data_dir", float("nan"), "parameter 'data_dir' must be a finite number, got nan"),
        ("output_dir", {"a": 1}, f"parameter 'output_dir' {PLAIN}, got dict {{'a': 1}}"),
        (
            "output_dir",
            dt.datetime(2026, 6, 30),
            f"parameter 'output_dir' {PLAIN}, got datetime datetime.datetime(2026, 6, 30, 0, 0)",
        ),
        (
            "data_dir",
            "~no-such-user-here/data",
            "parameter 'data_dir' must be a path, got '~no-such-user-here/data': no home folder is known for '~no-such-user-here'",
        ),
    ],
)
def test_values_that_are_not_plain_are_refused(name, value, message):
    with pytest.raises(ParameterError) as info:
        validate_params("portfolio_roi", {name: value})
    assert str(info.value) == f"portfolio_roi: {message}"


def test_plain_values_pass_typed():
    typed = validate_params(
        "portfolio_roi",
        {
            "as_of": dt.date(2026, 6, 30),
            "budget_cap": "1.5e6",
            "discount_rate": 0.1,
            "data_dir": "~/data",
            "objective": "npv",
        },
    )
    assert typed == {
        "as_of": dt.date(2026, 6, 30),
        "budget_cap": 1.5e6,
        "discount_rate": 0.1,
        "data_dir": Path("~/data").expanduser(),
        "objective": "npv",
    }
    assert validate_params("lessons_learned", {"n_themes": "12", "top_n": 5.0}) == {"n_themes": 12, "top_n": 5}


class _SneakyStr(str):
    """A str whose escaping is its own: papermill would write it out unescaped."""

    def encode(self, *args, **kwargs):
        return b'" + __import__("os").getcwd() + "'


def test_subclasses_of_plain_types_are_refused():
    with pytest.raises(ParameterError, match="must be a single value"):
        validate_params("executive_summary", {"schedule": _SneakyStr("weekly")})
    with pytest.raises(ParameterError, match="must be a number"):
        validate_params("portfolio_roi", {"budget_cap": _SneakyStr("1")})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-06-30", dt.date(2026, 6, 30)),
        (" 2026-06-30 ", dt.date(2026, 6, 30)),
        (dt.date(2026, 6, 30), dt.date(2026, 6, 30)),
    ],
)
def test_parse_date_accepts_iso_dates(text, expected):
    assert parse_date(text, where="--as-of") == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-02-30", "--as-of must be a date YYYY-MM-DD, got '2026-02-30' (day is out of range for month)"),
        ("2026-13-01", "--as-of must be a date YYYY-MM-DD, got '2026-13-01' (month must be in 1..12)"),
        ("30/06/2026", "--as-of must be a date YYYY-MM-DD, got '30/06/2026'"),
        ("06/30/2026", "--as-of must be a date YYYY-MM-DD, got '06/30/2026'"),
        ("20260630", "--as-of must be a date YYYY-MM-DD, got '20260630'"),
        ("2026-W27-1", "--as-of must be a date YYYY-MM-DD, got '2026-W27-1'"),
        ("2026-06-30T07:00", "--as-of must be a date YYYY-MM-DD, got '2026-06-30T07:00'"),
    ],
)
def test_parse_date_refuses_everything_else(text, message):
    with pytest.raises(ParameterError) as info:
        parse_date(text, where="--as-of")
    assert str(info.value) == message


# ---------------------------------------------------------------- YAML: core tags only
@pytest.mark.parametrize(
    ("text", "key", "tag"),
    [
        ("x: !!binary aGk=", "x", "!!binary"),
        ("x: !!set {a, b}", "x", "!!set"),
        ("x: !!omap [{a: 1}]", "x", "!!omap"),
        ("x: !!pairs [{a: 1}]", "x", "!!pairs"),
        ("x: !!python/object/apply:os.system [id]", "x", "!!python/object/apply:os.system"),
        ("x: !!python/name:os.system ''", "x", "!!python/name:os.system"),
        ("x: !!python/tuple [1, 2]", "x", "!!python/tuple"),
        ("x: !local 1", "x", "!local"),
        (
            "notebooks:\n  portfolio_roi:\n    budget_cap: !!binary aGk=",
            "notebooks.portfolio_roi.budget_cap",
            "!!binary",
        ),
        ("x: [1, !!binary aGk=]", "x[1]", "!!binary"),
    ],
)
def test_yaml_tags_other_than_core_are_refused_naming_file_and_key(text, key, tag):
    with pytest.raises(ParameterError) as info:
        load_yaml(text, source="params.yml")
    line = text.count("\n") + 1
    assert str(info.value) == f"params.yml: key {key!r} (line {line}): YAML tag {tag!r} {TAG}"


def test_yaml_core_tags_load():
    text = (
        "a: 1\nb: 0.5\nc: true\nd: null\ne: ten\nf: 2026-06-30\ng: !!str 2026-06-30\n"
        "h: 2026-06-30 07:00\ni: 2026-02-30\nj: [1, 2]\nk: &anchor {x: 1}\nl: *anchor\n"
    )
    assert load_yaml(text, source="f") == {
        "a": 1,
        "b": 0.5,
        "c": True,
        "d": None,
        "e": "ten",
        "f": dt.date(2026, 6, 30),
        "g": "2026-06-30",
        "h": "2026-06-30 07:00",
        "i": "2026-02-30",
        "j": [1, 2],
        "k": {"x": 1},
        "l": {"x": 1},
    }


def test_yaml_syntax_errors_are_one_line(tmp_path):
    path = tmp_path / "p.yml"
    path.write_text("as_of: [2026\n", encoding="utf-8")
    with pytest.raises(ParameterError) as info:
        read_yaml(path, what="parameters file")
    assert str(info.value) == f"{path}: not valid YAML at line 2, column 1: expected ',' or ']', but got '<stream end>'"
    with pytest.raises(ParameterError) as info:
        read_yaml(tmp_path / "missing.yml", what="parameters file")
    assert str(info.value) == f"parameters file not found: {str(tmp_path / 'missing.yml')!r}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0.1", 0.1),
        ("2026-06-30", dt.date(2026, 6, 30)),
        ("ten", "ten"),
        ("2026-02-30", "2026-02-30"),
        ("[unclosed", "[unclosed"),
        ("a: b: c", "a: b: c"),
        ("1" * 5000, "1" * 5000),
    ],
)
def test_p_values_are_yaml_scalars_or_text(text, expected):
    assert _parse_value("x", text) == expected


def test_p_values_with_a_tag_are_refused():
    with pytest.raises(ParameterError) as info:
        _parse_value("budget_cap", "!!python/object/apply:os.system ['id']")
    assert str(info.value) == f"-p budget_cap: YAML tag '!!python/object/apply:os.system' {TAG}"


# ---------------------------------------------------------------- property: only literals reach the notebook
@pytest.fixture(scope="module")
def any_notebook(tmp_path_factory) -> Path:
    """A notebook outside the registry: its parameters are checked against its own cell (kind 'any')."""
    nb = new_notebook()
    cell = new_code_cell("anything = None\ncount = 1\nlabel = 'a'\nflag = True\nrate = 0.5")
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path_factory.mktemp("nb") / "custom.ipynb"
    nbformat.write(nb, path)
    return path


class _SneakyPath(type(Path())):
    def __str__(self):
        return '" + __import__("os").getcwd() + "'


_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(),
    st.binary(),
    st.dates(),
    st.datetimes(),
    st.decimals(),
    st.fractions(),
    st.complex_numbers(),
    st.builds(Path, st.text()),
    st.builds(_SneakyStr, st.text()),
    st.builds(_SneakyPath, st.text()),
    st.sampled_from(
        [
            "nan",
            "inf",
            "-inf",
            ".inf",
            "1e999",
            "2026-02-30",
            "2026-06-30",
            '"; import os; "',
            "x\\\"\n__import__('os')",
            "0.1",
            "true",
            "npv",
            "ümlaut ✓ 项目",
        ]
    ),
)
_values = st.recursive(
    _scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.tuples(children),
        st.dictionaries(st.text(max_size=5), children, max_size=3),
        st.sets(st.one_of(st.integers(), st.text(max_size=5)), max_size=3),
        st.frozensets(st.integers(), max_size=3),
    ),
    max_leaves=6,
)
_DECLARED = [(nb, p.name) for nb, params in NOTEBOOKS.items() for p in params]
_LITERALS = (str, int, float, bool, type(None))


def _literal(node: ast.expr):
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        assert isinstance(node.operand, ast.Constant) and type(node.operand.value) in (int, float)
        return -node.operand.value
    assert isinstance(node, ast.Constant) and type(node.value) in _LITERALS, ast.dump(node)
    return node.value


def _assert_cell_is_literals(values: dict) -> None:
    cell = translate_parameters("python3", "python", values, "Parameters")
    tree = ast.parse(cell)
    for stmt, (name, value) in zip(tree.body, values.items(), strict=True):
        assert isinstance(stmt, ast.Assign) and len(stmt.targets) == 1, cell
        assert isinstance(stmt.targets[0], ast.Name) and stmt.targets[0].id == name, cell
        written = _literal(stmt.value)
        assert written == value or (isinstance(value, float) and math.isclose(written, value)), cell


def _plan_and_translate(path: Path, name: str, value) -> None:
    try:
        planned = plan_parameters([path], {name: value}, {})
    except ParameterError:
        return
    values = _jsonable(planned[path.stem])  # what the runner gives papermill
    assert all(type(v) in _LITERALS for v in values.values()), values
    _assert_cell_is_literals(values)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(declared=st.sampled_from(_DECLARED), value=_values)
def test_any_value_for_a_declared_parameter_is_refused_or_written_as_a_literal(declared, value):
    notebook, name = declared
    _plan_and_translate(NOTEBOOKS_DIR / f"{notebook}.ipynb", name, value)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(["anything", "count", "label", "flag", "rate"]), value=_values)
def test_any_value_for_a_notebook_outside_the_registry_is_refused_or_a_literal(any_notebook, name, value):
    _plan_and_translate(any_notebook, name, value)


@settings(max_examples=200, deadline=None)
@given(declared=st.sampled_from(_DECLARED), text=st.text())
def test_any_p_text_is_refused_or_written_as_a_literal(declared, text):
    notebook, name = declared
    try:
        value = _parse_value(name, text)
    except ParameterError:
        return
    _plan_and_translate(NOTEBOOKS_DIR / f"{notebook}.ipynb", name, value)


@settings(max_examples=200, deadline=None)
@given(declared=st.sampled_from(_DECLARED), value=_values)
def test_any_yaml_file_is_refused_or_written_as_a_literal(declared, value):
    notebook, name = declared
    text = yaml.dump({name: value})  # the full dumper: !!python/tuple, !!set, !!binary, ...
    try:
        loaded = load_yaml(text, source="params.yml")
    except ParameterError:
        return
    _plan_and_translate(NOTEBOOKS_DIR / f"{notebook}.ipynb", name, loaded[name])


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("forecast_correlation", 1.5, "run: parameter 'forecast_correlation' must be >= 0 and <= 1, got 1.5"),
        ("forecast_correlation", -0.1, "must be >= 0 and <= 1, got -0.1"),
        ("forecast_correlated_by", "team", "must be one of department, portfolio, got 'team'"),
        ("forecast_draws", 10, "must be >= 100 and <= 100000, got 10"),
        ("forecast_draws", 2000.5, "must be a whole number, got 2000.5"),
        ("forecast_seed", -1, "must be >= 0 and <= 1e09, got -1"),
        ("forecast_min_reference", 1, "must be >= 2 and <= 100, got 1"),
    ],
)
def test_forecast_parameters_are_checked_in_one_line(name, value, message):
    with pytest.raises(ParameterError) as err:
        validate_model_params({name: value})
    assert message in str(err.value) and "\n" not in str(err.value)


def test_forecast_parameters_default_to_the_forecasts_constants():
    from pmo_analysis.analyses import forecast as F

    p = validate_model_params({"forecast_correlation": "0.6", "forecast_correlated_by": "portfolio"})
    assert (p["forecast_correlation"], p["forecast_correlated_by"]) == (0.6, "portfolio")
    assert (
        (p["forecast_draws"], p["forecast_seed"], p["forecast_min_reference"])
        == (
            F.DRAWS,
            F.SEED,
            F.MIN_REFERENCE,
        )
        == (2000, 20_260_630, 5)
    )
