"""Nothing in the package changes module state during a run: the language and currency are context
variables, set per report or per block, and the model is built without writing to any module."""

from __future__ import annotations

import contextvars
import sys
import threading
import types

from pmo_analysis.core import formatting as fmt
from pmo_analysis.core import i18n
from pmo_analysis.core.config import SAMPLE_AS_OF
from pmo_analysis.model import build_model


def _module_state() -> dict[tuple[str, str], object]:
    """Every module-level value of the package, containers copied one level deep."""
    state = {}
    for name, module in list(sys.modules.items()):
        if not (name == "pmo_analysis" or name.startswith("pmo_analysis.")) or module is None:
            continue
        for attr, value in vars(module).items():
            if isinstance(value, types.ModuleType | types.FunctionType | type):
                state[name, attr] = id(value)
            elif isinstance(value, dict):
                state[name, attr] = (id(value), dict(value))
            elif isinstance(value, list | set):
                state[name, attr] = (id(value), type(value)(value))
            else:
                state[name, attr] = (
                    value if isinstance(value, str | int | float | bool | tuple | type(None)) else id(value)
                )
    return state


def test_building_the_model_in_chinese_changes_no_module_state(sample):
    before = _module_state()
    with fmt.using(currency="CNY", language="zh"):
        build_model(sample, as_of=SAMPLE_AS_OF, params={"n_themes": 8}, processes=1)
    after = _module_state()
    changed = sorted(k for k in before.keys() & after.keys() if before[k] != after[k])
    assert changed == []


def test_a_report_language_set_in_one_context_stays_there():
    seen = {}

    def report():  # what open_report does in a report's kernel
        fmt.use(currency="CNY", language="zh")
        seen["inside"] = (fmt.currency(), i18n.current(), fmt.money(1_000_000))

    with fmt.using(currency="EUR", language="en"):
        contextvars.copy_context().run(report)
        assert seen["inside"] == ("CNY", "zh", "¥100.0万")
        assert (fmt.currency(), i18n.current(), fmt.money(1_000_000)) == ("EUR", "en", "€1.0M")


def test_another_thread_starts_in_english_without_a_currency():
    seen = {}
    with fmt.using(currency="EUR", language="zh"):
        worker = threading.Thread(target=lambda: seen.update(state=(fmt.currency(), i18n.current())))
        worker.start()
        worker.join()
        assert (fmt.currency(), i18n.current()) == ("EUR", "zh")
    assert seen["state"] == (None, "en")
