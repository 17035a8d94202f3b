"""Reasons in words: the one place where what an analysis found is written for a reader.

An analysis states *why* as data: a :class:`Reason` is a code of :data:`WORDINGS` with its raw
values (numbers, dates, codes, ids), each a scalar or a pandas Series with one value per row. This
module words it in the report language and currency, the context variables of
:mod:`pmo_analysis.core.i18n` and :mod:`pmo_analysis.core.formatting` (nothing here is module state
that a language or a currency changes). A code's template is its English text, which is also the key
of its Chinese in :data:`pmo_analysis.core.i18n.CATALOGUE`, and each of its fields has a
:class:`Format`, so that a figure reads the same in every reason: money as ``$6.6M`` (``¥663.2万``),
an index as ``0.80``, a missing value as ``n/a`` (``不适用``).

* :func:`word`: one reason in words: a text, or a text column when a value is a column (no loop
  over rows);
* :func:`join`: for each row, the reasons whose mask is true, joined with ``"; "`` (``"；"``);
* :func:`listing`: names joined with ``", "`` (``"、"``), then how many more.

The analyses (health, finance decisions, the executive summary's decisions) build reasons and call
these; they never word a text or format a figure themselves (an import-linter contract in
pyproject.toml keeps them from importing i18n and formatting). A new reason is a new entry in
:data:`WORDINGS` (see ``_register`` below) and its Chinese in the catalogue; a test checks that every
code has its translation.

Examples
--------
>>> import pandas as pd
>>> cpi = pd.Series([0.8, 0.9, None])
>>> word(Reason("cpi_below", value=cpi, threshold=0.85)).tolist()
['CPI 0.80 below 0.85', 'CPI 0.90 below 0.85', 'CPI n/a below 0.85']
>>> join([(cpi < 0.85, Reason("cpi_below", value=cpi, threshold=0.85)),
...       (cpi.isna(), Reason("no_earned_value"))], index=cpi.index).tolist()
['CPI 0.80 below 0.85', '', 'no earned value (percent complete or actual cost missing)']
>>> from pmo_analysis.core.formatting import using
>>> with using(currency="CNY", language="zh"):
...     word(Reason("not_funded_further", need=6_632_000)), word(Reason("closed", status="on_hold"))
('不再追加资助（停止可释放资金需求 ¥663.2万）', '已关闭（暂停）')
>>> word(Reason("closed", status="on_hold"))
'closed (on_hold)'
"""

from __future__ import annotations

import difflib
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from pmo_analysis.core import formatting as fmt
from pmo_analysis.core import i18n

__all__ = [
    "Format",
    "Reason",
    "Wording",
    "WORDINGS",
    "word",
    "join",
    "listing",
    "number",
    "percent",
    "MONEY",
    "MONEY_FULL",
    "RATIO",
    "WHOLE",
    "COUNT",
    "DAY",
    "MONTH",
    "CODE",
    "LABEL",
    "REASON",
    "TEXT",
    "PROBABILITY",
]

_KINDS = (
    "money",
    "money_full",
    "ratio",
    "percent",
    "number",
    "day",
    "month",
    "code",
    "label",
    "reason",
    "text",
    "name",
)


@dataclass(frozen=True)
class Format:
    """How the value of a field reads, in the report language and currency.

    ``kind`` is one of:

    money, money_full
        :func:`pmo_analysis.core.formatting.money` (``$6.6M``, ``¥663.2万``) and
        :func:`~pmo_analysis.core.formatting.money_full` (``$6,632,000``).
    ratio
        CPI, SPI, a threshold: two decimals (``0.80``).
    percent
        a share as a percent with ``decimals`` decimals (``0.25`` -> ``25%``).
    number
        a number with ``decimals`` decimals, with thousands separators if ``grouped``
        (``1,529``); the same in every language.
    day
        :func:`pmo_analysis.core.formatting.date`, the reports' one date style (``31 Mar 2026``,
        ``2026年3月31日``), so a reason writes a day as the page around it does.
    month
        :func:`pmo_analysis.core.formatting.month` (``Mar 2026``, ``2026年3月``).
    code
        a code of the data (a project status): as it is in English, where the reasons have always
        named the code itself, and its label (:func:`pmo_analysis.core.i18n.label`) in another
        language (``on_hold`` -> ``暂停``).
    label
        a code of the workbook (a decision, a health) as its label in every language, the same words
        the tables and pages show for it (``defer`` -> ``Defer``, ``暂缓``).
    reason
        a nested reason: a :class:`Reason`, or a registered code without fields (or a column of
        them), worded in place; a code :data:`WORDINGS` does not hold reads as its words
        (``start_to_finish`` -> ``start to finish``).
    text
        a name, an id or a path, as it is (a missing one reads as nothing).
    name
        a name the data gives in both languages, as the pair ``(english, chinese)`` (scalars or
        columns): the Chinese one in a Chinese report where it is given, else the English one (a
        theme of the lessons named by its problem, ``人员流失``); one value is the name in both.

    Every kind but ``text`` and ``reason`` writes a missing value as ``n/a`` (``不适用``).

    Examples
    --------
    >>> MONEY.write(6_632_000), RATIO.write(0.8397), percent(0).write(0.25), COUNT.write(1529.4)
    ('6.6M', '0.84', '25%', '1,529')
    >>> import pandas as pd
    >>> DAY.write(pd.Series([pd.Timestamp("2026-03-31"), pd.NaT])).tolist()
    ['31 Mar 2026', 'n/a']
    >>> from pmo_analysis.core.formatting import using
    >>> with using(currency="CNY", language="zh"):
    ...     MONEY.write(6_632_000), MONTH.write("2026-03-01"), RATIO.write(None), DAY.write("2026-03-31")
    ('¥663.2万', '2026年3月', '不适用', '2026年3月31日')
    """

    kind: str
    decimals: int = 0
    grouped: bool = False

    def __post_init__(self) -> None:
        if self.kind not in _KINDS:
            raise ValueError(f"a format's kind must be one of {', '.join(_KINDS)}, got {self.kind!r}")

    def write(self, values: Any) -> Any:
        """``values`` in words: a text for a scalar (or a :class:`Reason`), a text column (object
        dtype, on the same index) for a Series.
        """
        if isinstance(values, Reason):
            return word(values)
        if self.kind == "name":
            en, zh = values if isinstance(values, tuple) else (values, values)
            if i18n.current() == "en":
                return TEXT.write(en)
            if isinstance(zh, pd.Series):
                return TEXT.write(zh.where(zh.fillna("").astype(str) != "", en))
            return TEXT.write(zh if not _missing(zh) and str(zh) else en)
        if isinstance(values, pd.Series):
            if self.kind == "text":
                return values.astype(object).where(values.notna(), "").map(str).astype(object)
            if self.kind == "reason":
                codes = values.astype(object).where(values.notna(), "")
                return codes.map({c: _word_code(c) for c in pd.unique(codes)}).astype(object)
            return values.map(self._one).astype(object)
        return self._one(values)

    def _one(self, v: Any) -> str:
        kind = self.kind
        if kind == "money":
            return fmt.money(v)
        if kind == "money_full":
            return fmt.money_full(v)
        if kind == "ratio":
            return fmt.ratio(v)
        if kind == "percent":
            return fmt.pct(v, self.decimals)
        if kind == "month":
            return fmt.month(v)
        if kind == "reason":
            return "" if _missing(v) else _word_code(str(v))
        if kind == "text":
            return "" if _missing(v) else str(v)
        if _missing(v):
            return fmt.na()
        if kind == "number":
            return format(v, f"{',' if self.grouped else ''}.{self.decimals}f")
        if kind == "day":
            return fmt.date(v)
        if kind == "label":
            return i18n.label(v)
        # code
        return str(v) if i18n.current() == "en" else i18n.label(v)


def number(decimals: int = 0, *, grouped: bool = False) -> Format:
    """A number with ``decimals`` decimals (``grouped``: with thousands separators)."""
    return Format("number", decimals=decimals, grouped=grouped)


def percent(decimals: int = 1) -> Format:
    """A share as a percent with ``decimals`` decimals."""
    return Format("percent", decimals=decimals)


MONEY = Format("money")
MONEY_FULL = Format("money_full")
RATIO = Format("ratio")
#: A whole number as Python writes it (``1234``): counts in headings, scores out of 5 or 100.
WHOLE = number(0)
#: A whole number with thousands separators (``1,234``): days, hours, counts in sentences.
COUNT = number(0, grouped=True)
DAY = Format("day")
MONTH = Format("month")
CODE = Format("code")
LABEL = Format("label")
REASON = Format("reason")
TEXT = Format("text")
NAME = Format("name")
#: A probability: a whole percent, as every table shows it (:func:`pmo_analysis.core.formatting.probability`).
PROBABILITY = percent(0)


def _missing(v: Any) -> bool:
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):  # a list or an array is a value, not a missing one
        return False


@dataclass(frozen=True)
class Wording:
    """How one code reads: its English template (the catalogue's key) and the format of each field."""

    template: str
    fields: Mapping[str, Format]


_WORDINGS: dict[str, Wording] = {}
#: Every reason code with how it reads (read-only; the entries are made below, in this module only).
WORDINGS: Mapping[str, Wording] = MappingProxyType(_WORDINGS)


def _register(code: str, template: str, **fields: Format) -> None:
    named = {f for _lit, f, _spec, _conv in string.Formatter().parse(template) if f is not None}
    if code in _WORDINGS:
        raise ValueError(f"reason code {code!r} is registered twice")
    if named != set(fields):
        raise ValueError(f"reason code {code!r}: the template names {sorted(named)}, the formats {sorted(fields)}")
    _WORDINGS[code] = Wording(template, MappingProxyType(fields))


class Reason:
    """A reason as data: a code of :data:`WORDINGS` and the raw value of each of its fields.

    A value is a scalar or a pandas Series (one value per row, all on the same index); :func:`word`
    and :func:`join` write it in the report language. The code and the names of the values are
    checked here, when the reason is made.

    Examples
    --------
    >>> Reason("risk_score", score=4)
    Reason('risk_score', score=4)
    >>> Reason("risk_score", points=4)
    Traceback (most recent call last):
    ...
    ValueError: reason 'risk_score' ("risk score {score}/5") takes the values ['score'], got ['points']
    """

    __slots__ = ("code", "fields")

    def __init__(self, code: str, /, **values: Any) -> None:
        wording = _WORDINGS.get(code)
        if wording is None:
            near = difflib.get_close_matches(code, _WORDINGS, n=3)
            raise ValueError(
                f"unknown reason code {code!r}"
                + (
                    f"; did you mean {', '.join(map(repr, near))}?"
                    if near
                    else "; the codes are in pmo_analysis.core.wording.WORDINGS"
                )
            )
        if set(values) != set(wording.fields):
            raise ValueError(
                f'reason {code!r} ("{wording.template}") takes the values {sorted(wording.fields)}, '
                f"got {sorted(values)}"
            )
        self.code = code
        #: The raw value of each field, by name.
        self.fields: Mapping[str, Any] = MappingProxyType(values)

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{k}=<column of {len(v)}>" if isinstance(v, pd.Series) else f"{k}={v!r}" for k, v in self.fields.items()
        )
        return f"Reason({self.code!r}{', ' if shown else ''}{shown})"


def _word_code(code: str) -> str:
    """A nested code in words: a registered code without fields, else the code's words."""
    wording = _WORDINGS.get(code)
    if wording is None or wording.fields:
        return code.replace("_", " ")
    return i18n._(wording.template)


def word(reason: Reason, *, where: pd.Series | None = None) -> Any:
    """``reason`` in the report language and currency.

    Parameters
    ----------
    reason : Reason
        The code and its values; each value is written with the format its field has in
        :data:`WORDINGS`.
    where : Series of bool, optional
        Word the reason only in these rows: the others read ``""`` (a missing mask is false).

    Returns
    -------
    str or Series
        A text when every value is a scalar (and no ``where``), else a text column (object dtype).

    Examples
    --------
    >>> import pandas as pd
    >>> word(Reason("delayed_by_dependency", days=pd.Series([1529.0, 3.0]), by="PRJ-001")).tolist()
    ['delayed 1,529 days by PRJ-001 (dependency)', 'delayed 3 days by PRJ-001 (dependency)']
    >>> gap = pd.Series([250_000.0, None])
    >>> word(Reason("forecast_overrun", amount=gap), where=gap.notna()).tolist()
    [' (forecast overrun 250k)', '']
    >>> from pmo_analysis.core.formatting import using
    >>> with using(currency="USD", language="zh"):
    ...     word(Reason("delayed_by_dependency", days=30, by="PRJ-001"))
    '受前置项目 PRJ-001 影响延误 30 天'
    """
    if where is None:
        return _words(reason)
    keep = _mask(where, where.index).to_numpy()
    if not keep.any():
        return pd.Series("", index=where.index, dtype=object)
    text = _words(_rows(reason, keep))  # only the rows that read it are worded
    values = np.full(len(keep), "", dtype=object)
    values[keep] = text.to_numpy(dtype=object) if isinstance(text, pd.Series) else text
    return pd.Series(values, index=where.index, dtype=object)


def _words(reason: Reason) -> Any:
    wording = _WORDINGS[reason.code]
    return i18n._(
        wording.template, **{name: wording.fields[name].write(value) for name, value in reason.fields.items()}
    )


def _rows(value: Any, keep: np.ndarray) -> Any:
    """``value`` (a reason, or one of its values) on the rows ``keep`` marks: a column of their
    length keeps those rows, in order; a scalar stays as it is.
    """
    if isinstance(value, Reason):
        rows = Reason.__new__(Reason)
        rows.code = value.code
        rows.fields = MappingProxyType({k: _rows(v, keep) for k, v in value.fields.items()})
        return rows
    if isinstance(value, pd.Series) and len(value) == len(keep):
        return value[keep]
    return value


def _mask(mask: Any, index: pd.Index) -> pd.Series:
    if not isinstance(mask, pd.Series):
        mask = pd.Series(np.asarray(mask), index=index)
    return mask.fillna(False).astype(bool)


def _column(text: Any, index: pd.Index) -> pd.Series:
    if isinstance(text, pd.Series):
        return text
    return pd.Series(text, index=index, dtype=object)


def join(parts: Iterable[tuple[Any, Reason | str | pd.Series]], *, index: pd.Index) -> pd.Series:
    """For each row of ``index``, the reasons whose mask is true, in the order given, joined with
    ``"; "`` in the report language (``"；"`` in Chinese); a row with none reads ``""``.

    Parameters
    ----------
    parts : iterable of (mask, reason)
        ``mask`` is a boolean Series on ``index`` (or an array in its order; a missing value is
        false); ``reason`` is a :class:`Reason`, or a text or text column already in words (the
        rules' reasons a decision repeats). An empty text is left out.
    index : Index
        The rows.

    Returns
    -------
    Series
        One text per row, on ``index``.

    Examples
    --------
    >>> import pandas as pd
    >>> spi = pd.Series([0.7, 1.0, 0.9])
    >>> risk = pd.Series([4, 5, 1])
    >>> parts = [(spi < 0.95, Reason("spi_below", value=spi, threshold=0.95)),
    ...          (risk >= 4, Reason("risk_score", score=risk))]
    >>> join(parts, index=spi.index).tolist()
    ['SPI 0.70 below 0.95; risk score 4/5', 'risk score 5/5', 'SPI 0.90 below 0.95']
    >>> from pmo_analysis.core.formatting import using
    >>> with using(language="zh"):
    ...     join(parts, index=spi.index).tolist()
    ['SPI 0.70 低于 0.95；风险评分 4/5', '风险评分 5/5', 'SPI 0.90 低于 0.95']
    """
    separator = word(Reason("reasons_separator"))
    out, joined = np.full(len(index), "", dtype=object), False
    for mask, reason in parts:  # a few reasons: each joined to every row at once
        mask = _mask(mask, index)
        column = word(reason, where=mask) if isinstance(reason, Reason) else _column(reason, index).where(mask, "")
        text = column.where(column.notna(), "").to_numpy(dtype=object)
        has = text != ""
        out = np.where(has & (out != ""), out + separator + text, np.where(has, text, out))
        joined = True
    return pd.Series(out, index=index, dtype="str" if joined else object)


def listing(items: Iterable[Any], *, limit: int | None = None) -> str:
    """``items`` (names, ids) joined with ``", "`` in the report language (``"、"`` in Chinese):
    the first ``limit`` of them, then how many more.

    Examples
    --------
    >>> listing(["PRJ-001 ERP", "PRJ-002 CRM", "PRJ-003 Data"], limit=2)
    'PRJ-001 ERP, PRJ-002 CRM and 1 more'
    >>> from pmo_analysis.core.formatting import using
    >>> with using(language="zh"):
    ...     listing(["PRJ-001 ERP", "PRJ-002 CRM", "PRJ-003 Data"], limit=2)
    'PRJ-001 ERP、PRJ-002 CRM 等另外 1 个'
    """
    items = [str(i) for i in items]
    shown = items if limit is None else items[:limit]
    more = len(items) - len(shown)
    return word(Reason("list_separator")).join(shown) + (word(Reason("and_more", n=more)) if more > 0 else "")


# The codes, by the analysis that gives them. A template is the English text and the key of its
# Chinese in pmo_analysis.core.i18n.CATALOGUE: changing a template changes its key there too.

# separators (join, listing)
_register("reasons_separator", "; ")
_register("list_separator", ", ")
_register("and_more", " and {n} more", n=COUNT)

# project health (pmo_analysis.analyses.health); CPI and SPI also in the decisions' rules
_register("cpi_below", "CPI {value} below {threshold}", value=RATIO, threshold=RATIO)
_register("spi_below", "SPI {value} below {threshold}", value=RATIO, threshold=RATIO)
_register("late_at_percent", "end date {date} passed at {pct}% complete", date=DAY, pct=WHOLE)
_register("late_no_percent", "end date {date} passed with no percent complete reported", date=DAY)
_register("risk_score", "risk score {score}/5", score=WHOLE)
_register("no_earned_value", "no earned value (percent complete or actual cost missing)")
# what a project's figures lack (pmo_analysis.analyses.finance: data_needed), and a total's coverage
_register("no_benefits", "no benefit figures recorded")
_register("no_percent_complete", "no percent complete reported")
_register("no_actuals", "no actual cost reported")
_register("no_cashflows", "no cash flows")
_register("projects_covered", "{n} of {total} projects", n=WHOLE, total=WHOLE)
# what a project's health or decision waits for ("data needed": missing is not a risk, nor zero)
_register("needs_percent_complete", "needs percent complete (for CPI and SPI)")
_register("needs_actual_cost", "needs actual cost to date (for CPI)")
_register("needs_planned_cost", "needs planned cost to date (for SPI)")
_register("needs_benefits", "needs benefits (for ROI, NPV and payback)")
_register("needs_cash_flows", "needs cash flows (for ROI, NPV and payback)")
_register("delayed_by_dependency", "delayed {days} days by {by} (dependency)", days=COUNT, by=TEXT)
_register("missed_milestones", "{n} missed milestone(s)", n=COUNT)
_register("risk_exposure", "open risk exposure {money} = {share} of budget", money=MONEY, share=percent(0))

# the rules and the budget of the decisions (pmo_analysis.analyses.finance.decisions)
_register("negative_remaining_npv", "negative remaining NPV ({value})", value=MONEY)
_register("low_alignment", "low strategic alignment ({value}/5)", value=WHOLE)
_register("forecast_overrun", " (forecast overrun {amount})", amount=MONEY)  # after cpi_below
_register("never_pays_back", "never pays back in the forecast")
_register("priority_score", "priority score {score}", score=WHOLE)
_register("remaining_npv", "remaining NPV {value}", value=MONEY)
_register("funded", "funded: {value} for a need of {need}", value=REASON, need=MONEY)
_register("not_funded_no_score", "not funded: no positive score")
_register("not_funded_no_npv", "not funded: no positive remaining NPV")
_register(
    "not_funded_cap",
    "not funded within the budget cap of {cap}: {value} for a need of {need} ranks below the funded projects",
    cap=MONEY,
    value=REASON,
    need=MONEY,
)
_register("not_funded_further", "not funded further (stopping frees a need of {need})", need=MONEY)
_register("not_started_not_funded", "not funded (rejecting frees a need of {need})", need=MONEY)
_register("data_needed_not_ranked", "not ranked for funding until the data is there")
# the assumptions behind the decisions and the health rules, stated under them on the page
_register("cap_from_parameter", "set by the budget_cap parameter")
_register(
    "cap_by_default_rule",
    "default: {share} of the total funding need of {need}; set budget_cap to change it",
    share=percent(0),
    need=MONEY,
)
_register(
    "assumptions",
    "Assumptions: budget cap {cap} ({source}); discount rate {rate} a year; CPI off track below {cpi_red}, "
    "at risk below {cpi_amber}; SPI off track below {spi_red}, at risk below {spi_amber}; risk score at risk "
    "from {risk}/5; forward horizon {horizon} months ({first} to {last}).",
    cap=MONEY,
    source=REASON,
    rate=percent(1),
    cpi_red=RATIO,
    cpi_amber=RATIO,
    spi_red=RATIO,
    spi_amber=RATIO,
    risk=WHOLE,
    horizon=WHOLE,
    first=MONTH,
    last=MONTH,
)
_register(
    "assumptions_forecast",
    "Forecast ranges: {draws} seeded draws (seed {seed}); outcomes correlated {rho} within {group}; a reference "
    "class needs {min} completed projects ({n} in the data).",
    draws=COUNT,
    seed=TEXT,
    rho=number(2),
    group=REASON,
    min=WHOLE,
    n=WHOLE,
)
_register("correlated_by_department", "each department")
_register("correlated_by_portfolio", "the whole portfolio")
_register("closed", "closed ({status})", status=CODE)

# what flips a decision (pmo_analysis.analyses.finance.robustness)
_register(
    "robust_stays_below",
    "{decision} holds unless the discount rate falls below {rate}",
    decision=LABEL,
    rate=percent(1),
)
_register(
    "robust_stays_above",
    "{decision} holds unless the discount rate rises above {rate}",
    decision=LABEL,
    rate=percent(1),
)
_register(
    "robust_negative_above", "remaining NPV turns negative if the discount rate rises above {rate}", rate=percent(1)
)
_register(
    "robust_negative_below", "remaining NPV turns negative if the discount rate falls below {rate}", rate=percent(1)
)
_register(
    "robust_holds_any_rate",
    "{decision} holds at any discount rate up to {bound} a year",
    decision=LABEL,
    bound=percent(0),
)
_register(
    "robust_positive_any_rate",
    "remaining NPV stays positive at any discount rate up to {bound} a year",
    bound=percent(0),
)
_register("robust_holds_any_positive_rate", "{decision} holds at any discount rate of 0% or more", decision=LABEL)
_register("robust_positive_any_positive_rate", "remaining NPV stays positive at any discount rate of 0% or more")
_register("robust_several_rates", "(one of {n} rates at which it is zero: no unique IRR)", n=WHOLE)
_register("robust_no_rate", "no discount rate changes the sign of its remaining NPV")
_register(
    "robust_overrun_fragile",
    "turns negative if costs overrun by {share} (fragile: within the P80 overrun of {p80})",
    share=percent(0),
    p80=percent(0),
)
_register(
    "robust_overrun",
    "turns negative if costs overrun by {share} (beyond the P80 overrun of {p80})",
    share=percent(0),
    p80=percent(0),
)
_register("robust_no_remaining_cost", "no cost overrun turns it negative (no remaining cost)")
_register(
    "robust_reduction",
    "would turn positive if remaining costs fell by {cost} or its benefits rose by {benefit}",
    cost=percent(0),
    benefit=percent(0),
)
_register("robust_reduction_cost", "would turn positive if remaining costs fell by {cost}", cost=percent(0))
_register("robust_cap_rise", "would be funded if the budget cap rose by {money}", money=MONEY)
_register("robust_cap_fall", "would be dropped if the budget cap fell by {money}", money=MONEY)
_register("robust_at_margin", "at the funding line: which projects fill the last of the budget decides it")
_register(
    "robust_weight_funds",
    "would be funded with the {weight} weight at {new} instead of {old}",
    weight=REASON,
    new=number(3),
    old=number(3),
)
_register(
    "robust_weight_drops",
    "would be dropped with the {weight} weight at {new} instead of {old}",
    weight=REASON,
    new=number(3),
    old=number(3),
)
_register("robust_weights_hold", "no change of one score weight flips its funding")
_register("robust_na", "robustness n/a ({reason})", reason=REASON)
# the score's weights (pmo_analysis.analyses.finance.priority_scores), named in the sentences above
_register("w_alignment", "alignment")
_register("w_value", "value")
_register("w_risk", "risk")
_register("no_remaining_flows", "no cash flow after the last complete month")
_register("no_sign_change", "its remaining flows never change sign")

# the executive summary (pmo_analysis.analyses.summary): snapshots and the decisions needed
_register("from_project", "from {project}", project=TEXT)
_register("frees", "frees {money}", money=MONEY)
_register("needs", "needs {money}", money=MONEY)
# a decision asked for reads as its label (pmo_analysis.core.i18n.CODE_LABELS), the words every
# table, page, export and mail show for it
_register("ask_project", "{verb} {project} {name}", verb=LABEL, project=TEXT, name=TEXT)
_register("ask_more_projects", "{verb} {n} more project(s)", verb=LABEL, n=WHOLE)
_register("listed_in_decisions", "listed in decisions.csv and the ROI report")
_register("fund_proposed", "Fund {n} proposed project(s)", n=WHOLE)
_register("ask_collect_data", "Collect the benefits of {n} project(s) before deciding their funding", n=COUNT)
_register("add_capacity", "Add capacity: {role}", role=TEXT)
_register(
    "short_of_capacity",
    "short {fte} FTE on average over {first} to {last} ({hours} hours)",
    fte=number(1),
    first=MONTH,
    last=MONTH,
    hours=COUNT,
)
_register("text_theme", "{name} (text theme)", name=NAME)
_register("assign_owner", "Assign an owner: recurring problem '{name}'", name=TEXT)
_register(
    "recurring_no_action", "{projects} projects, {lessons} lessons, no open action", projects=WHOLE, lessons=WHOLE
)

# the delivery decisions of the executive summary: dependency conflicts, risks and issues
_register("cannot_start", "cannot start as planned")
_register("cannot_finish", "cannot finish as planned")
_register("forecast_start", "forecast start")
_register("forecast_end", "forecast end")
# dependency types: the data's codes (inputs.schema.DEPENDENCY_TYPES) in words
_register("finish_to_start", "finish to start")
_register("start_to_start", "start to start")
_register("finish_to_finish", "finish to finish")
_register("start_to_finish", "start to finish")
_register("replan_or_recover", "Re-plan {successor} or recover {root}", successor=TEXT, root=TEXT)
_register(
    "dependency_late",
    "{waits}: {days} days late through {path} ({type}; {predecessor} {which} {date})",
    waits=REASON,
    days=COUNT,
    path=TEXT,
    type=REASON,
    predecessor=TEXT,
    which=REASON,
    date=DAY,
)
_register("replan_more_conflicts", "Re-plan {n} more dependency conflict(s)", n=WHOLE)
_register("listed_in_dependency_conflicts", "listed in dependency_conflicts.csv and the delivery report")
_register("mitigation_overdue", "mitigation {days} days overdue", days=COUNT)
_register("resolution_overdue", "resolution {days} days overdue", days=COUNT)
_register("no_owner", "no owner")
_register("decide_on_risk", "Decide on risk {id} of {project}: {title}", id=TEXT, project=TEXT, title=TEXT)
_register("decide_on_issue", "Decide on issue {id} of {project}: {title}", id=TEXT, project=TEXT, title=TEXT)
_register(
    "decide_on_other", "Decide on {kind} {id} of {project}: {title}", kind=TEXT, id=TEXT, project=TEXT, title=TEXT
)
_register("probability_impact", " (probability {probability}, impact {impact})", probability=PROBABILITY, impact=MONEY)
_register("exposure", "exposure {money}", money=MONEY)
_register("decide_on_more_risks", "Decide on {n} more overdue or unowned risk(s) and issue(s)", n=WHOLE)
_register("listed_in_risk_exposure", "listed in risk_exposure.csv and the delivery report")

# why a past lesson is shown to a running project (analyses.lessons.matching)
_register("same_category", "same category '{category}'", category=TEXT)
_register("same_theme", "same theme")
_register("same_department", "same department")
_register("text_similarity", "text similarity {value}", value=number(2))
_register("high_impact_lesson", "high impact")

# a project page (pmo_analysis.analyses.finance: tcpi_reasons, next_steps): an extreme TCPI in words
_register(
    "budget_spent",
    "the budget is spent: {spent} against a budget of {bac} at {pct} complete; on the current CPI of {cpi} "
    "finishing needs {more} more (EAC {eac})",
    spent=MONEY,
    bac=MONEY,
    pct=percent(0),
    cpi=RATIO,
    more=MONEY,
    eac=MONEY,
)
_register(
    "budget_all_but_spent",
    "the budget is all but spent: {share} of {bac} at {pct} complete; the {left} left must pay for {work} of "
    "planned work, {tcpi} times the efficiency planned (CPI so far {cpi})",
    share=percent(0),
    bac=MONEY,
    pct=percent(0),
    left=MONEY,
    work=MONEY,
    tcpi=number(1),
    cpi=RATIO,
)
_register(
    "tcpi_above",
    "to finish within the budget, the {left} left must pay for {work} of planned work: {tcpi} times the "
    "efficiency planned (CPI so far {cpi})",
    left=MONEY,
    work=MONEY,
    tcpi=number(1),
    cpi=RATIO,
)
# the decision's next step for the project manager, one per decision (pmo_analysis.analyses.finance.DECISIONS)
_register(
    "next_step_fund",
    "Next step: start the project: confirm the sponsor and team, baseline the plan and its budget of {need}, "
    "and report progress and actual cost every month.",
    need=MONEY,
)
_register(
    "next_step_continue",
    "Next step: keep delivering to plan, and report percent complete and actual cost every month.",
)
_register(
    "next_step_re_scope",
    "Next step: bring a smaller or cheaper scope, with its new cost and benefit forecast, to the next portfolio "
    "review: the funding continues on condition of it.",
)
_register(
    "next_step_re_plan",
    "Next step: submit a new schedule (baseline) for approval at the next portfolio review: the funding continues "
    "on condition of it.",
)
_register(
    "next_step_defer_running",
    "Next step: at {pct} complete, take on no new work: finish or hand over what is in progress, keep what is "
    "built and known, and ask the sponsor whether the {need} it still needs can be found before the next "
    "portfolio review; otherwise plan a pause.",
    pct=percent(0),
    need=MONEY,
)
_register(
    "next_step_defer_proposed",
    "Next step: do not start yet; update the business case and submit it again at the next funding round.",
)
_register(
    "next_step_stop",
    "Next step: close the project in an orderly way: stop new spending and commitments, hand over or archive "
    "what was built, release the people and record its lessons.",
)
_register(
    "next_step_reject",
    "Next step: do not start it; the sponsor may submit a better business case at a later funding round.",
)
_register(
    "next_step_data_needed",
    "Next step: record the project's expected benefits by month, so that its value can be judged and it can "
    "compete for funding.",
)
_register(
    "next_step_closed",
    "Nothing left to decide: record the project's lessons and, once complete, the benefits it realizes.",
)
# a business-case figure a project page cannot show, and why
_register("irr_not_unique", "{n} IRRs: the cash flows change sign several times", n=WHOLE)
_register("irr_no_root", "no rate makes the NPV zero")
# the budget tile of a portfolio where nothing competes for funding (pmo_analysis.reporting.display.budget_tile)
_register("nothing_to_fund", "nothing to fund: no project is proposed or running")
_register(
    "nothing_to_fund_waiting",
    "nothing to fund: no proposed or running project can be ranked yet ({n} wait for benefit figures)",
    n=COUNT,
)
# what-if scenarios (pmo_analysis.analyses.scenarios): why a decision changes against the base run
_register("scenario_cancelled", "cancelled by the scenario")
_register("scenario_added", "added by the scenario")
_register("scenario_need_moved", "its need moved from {before} to {after}", before=MONEY, after=MONEY)
_register("scenario_score_moved", "its priority score moved from {before} to {after}", before=WHOLE, after=WHOLE)
_register("scenario_npv_moved", "its remaining NPV moved from {before} to {after}", before=MONEY, after=MONEY)
_register("scenario_no_longer_fits", "its need of {need} no longer fits the cap of {cap}", need=MONEY, cap=MONEY)
_register("scenario_now_fits", "its need of {need} now fits the cap of {cap}", need=MONEY, cap=MONEY)
_register("scenario_rules", "now: {reasons}", reasons=TEXT)
_register(
    "scenario_change", "{project} {before} → {after}: {reason}", project=TEXT, before=LABEL, after=LABEL, reason=TEXT
)
