"""Bounds: one range type for data columns and notebook parameters, described and checked one way."""

from __future__ import annotations

import doctest
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pmo_analysis.core import bounds as bounds_module
from pmo_analysis.core.bounds import Bounds, format_number
from pmo_analysis.inputs import schema
from pmo_analysis.inputs.params import MODEL_PARAMS, Param
from pmo_analysis.inputs.schema import SCHEMA, Column

_bound = st.one_of(st.none(), st.floats(allow_nan=False, allow_infinity=False, width=64))
_any_float = st.floats(allow_nan=True, allow_infinity=True)


@st.composite
def _bounds(draw) -> Bounds:
    lo, hi = draw(_bound), draw(_bound)
    if lo is not None and hi is not None and lo > hi:
        lo, hi = hi, lo
    return Bounds(lo, hi, draw(st.booleans()))


def _data_wording(b: Bounds) -> str:
    """How the data contract worded a column's range before Bounds existed."""

    def fmt(v):
        return f"{v:g}".replace("e+", "e")

    lo = "" if b.min is None else (f">= {fmt(b.min)}" if b.min_inclusive else f"> {fmt(b.min)}")
    hi = "" if b.max is None else f"<= {fmt(b.max)}"
    return " and ".join(x for x in (lo, hi) if x)


def _param_wording(b: Bounds) -> str:
    """How the parameters worded a range before Bounds existed."""
    parts = []
    if b.min is not None:
        parts.append(f">= {b.min:g}" if b.min_inclusive else f"> {b.min:g}")
    if b.max is not None:
        parts.append(f"<= {b.max:g}")
    return " and ".join(parts)


@settings(max_examples=500, deadline=None)
@given(bounds=_bounds(), values=st.lists(_any_float, min_size=1, max_size=20))
def test_vectorised_and_scalar_checks_agree_on_every_float(bounds, values):
    mask = bounds.outside(np.array(values, dtype="float64"))
    assert mask.dtype == bool and mask.shape == (len(values),)
    assert mask.tolist() == [bounds.is_outside(v) for v in values]
    for v, out in zip(values, mask, strict=False):
        if math.isnan(v):
            assert not out  # a missing value is never out of range
        else:
            below = bounds.min is not None and (v < bounds.min or (v == bounds.min and not bounds.min_inclusive))
            above = bounds.max is not None and v > bounds.max
            assert out == (below or above)


@settings(max_examples=300, deadline=None)
@given(bounds=_bounds())
def test_describe_keeps_the_wording_of_data_and_parameters(bounds):
    text = bounds.describe()
    assert text == _data_wording(bounds)
    if "e+" not in _param_wording(bounds):  # every range a parameter declares; see format_number
        assert text == _param_wording(bounds)


@pytest.mark.parametrize(
    ("bounds", "text"),
    [
        (Bounds(min=0), ">= 0"),
        (Bounds(min=0, max=168, min_inclusive=False), "> 0 and <= 168"),
        (Bounds(min=1, max=5), ">= 1 and <= 5"),
        (Bounds(max=24), "<= 24"),
        (Bounds(min=0.85, max=2), ">= 0.85 and <= 2"),
        (Bounds(min=-1e15, max=1e15), ">= -1e15 and <= 1e15"),
        (Bounds(), ""),
    ],
)
def test_describe(bounds, text):
    assert bounds.describe() == text


def test_edges_and_missing_values():
    b = Bounds(min=0, max=100, min_inclusive=False)
    assert b.outside([0, 1e-300, 100, 100.0000001, -np.inf, np.inf, np.nan]).tolist() == [
        True,
        False,
        False,
        True,
        True,
        True,
        False,
    ]
    assert Bounds().outside([np.inf, np.nan]).tolist() == [False, False]
    assert Bounds(min=0).is_outside(-0.0) is False


def test_min_above_max_is_refused():
    with pytest.raises(ValueError, match="min must not be above max, got min=5, max=1"):
        Bounds(min=5, max=1)


def test_format_number():
    assert [format_number(v) for v in (0, 0.85, 168, 1e15, 1e-5)] == ["0", "0.85", "168", "1e15", "1e-05"]


def test_columns_and_parameters_share_bounds():
    hours = next(c for c in SCHEMA["timesheets"] if c.name == "hours")
    assert hours.bounds == Bounds(min=0, max=24, min_inclusive=False)
    assert hours.limit_bounds == Bounds(min=-1e15, max=1e15)
    assert Column("x", "number").bounds == Bounds()
    assert MODEL_PARAMS["over_threshold"].bounds == Bounds(min=0, max=3, min_inclusive=False)
    assert MODEL_PARAMS["over_threshold"].describe_range() == "> 0 and <= 3"
    assert Param("x", "float", 1.0, "", min=0).bounds == Bounds(min=0)
    # the registry's keywords stay as they were: equality and hashing ignore the derived bounds
    assert Param("x", "float", 1.0, "", min=0) == Param("x", "float", 1.0, "", min=0)
    assert len({Param("x", "float", 1.0, "", min=0), Param("x", "float", 1.0, "", min=0)}) == 1


@pytest.mark.parametrize("module", [bounds_module, schema])
def test_docstring_examples_run(module):
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0
