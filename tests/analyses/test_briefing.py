"""The printed briefing keeps every decision that needs money or people, grouped, with totals."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from pmo_analysis.analyses.summary import briefing
from pmo_analysis.core import formatting as fmt


def _model(capacity: pd.DataFrame | None = None):
    decisions = pd.DataFrame(
        {
            "project_id": [f"P{i}" for i in range(1, 11)],
            "name": list("abcdefghij"),
            "status": [
                "proposed",
                "proposed",
                "active",
                "active",
                "proposed",
                "active",
                "active",
                "active",
                "active",
                "completed",
            ],
            "decision": [
                "fund",
                "fund",
                "defer",
                "re-scope",
                "defer",
                "re-scope",
                "re-scope",
                "stop",
                "continue",
                "closed",
            ],
            "funding_need": [1.0e6, 2.5e6, 0.8e6, 0.3e6, 4.0e6, 0.2e6, 0.1e6, 6.0e6, 9.9e6, 0.0],
        }
    )
    tables = {"capacity_by_role": capacity} if capacity is not None else {}
    return SimpleNamespace(decisions=decisions, has=tables.__contains__, **tables)


def test_every_ask_for_money_or_people_is_grouped_with_its_total():
    capacity = pd.DataFrame({"role": ["Tester", "Architect", "Developer"], "gap_fte": [-1.5, -0.25, 0.4]})
    with fmt.using(currency="USD", language="en"):
        b = briefing(_model(capacity), per_group=2)
    assert list(b["group"].unique()) == ["fund", "find money", "stop", "add capacity"]
    totals = b.groupby("group", sort=False)["money"].sum()
    # fund 1.0 + 2.5; find money: defer of a running project 0.8 + re-scope 0.3 + 0.2 + 0.1 (the proposal
    # deferred by the cap asks for nothing); stop frees 6.0; continue and closed are no ask
    assert totals.round(0).to_dict() == {"fund": -3.5e6, "find money": -1.4e6, "stop": 6.0e6, "add capacity": 0.0}
    assert b.groupby("group", sort=False)["n"].sum().to_dict() == {
        "fund": 2,
        "find money": 4,
        "stop": 1,
        "add capacity": 2,
    }
    find = b.loc[b["group"] == "find money"]
    assert find["decision"].tolist() == ["Defer P3 c", "Re-scope P4 d", "Re-scope 2 more project(s)"]
    assert find["money_text"].tolist() == ["needs $800k", "needs $300k", "needs $300k"]
    people = b.loc[b["group"] == "add capacity"]  # a row per role short, the largest need first as listed
    assert people["decision"].tolist() == ["Add capacity: Tester", "Add capacity: Architect"]
    assert people["fte"].sum() == 1.75 and people["money"].isna().all()


def test_a_portfolio_without_asks_has_an_empty_briefing():
    model = _model()
    model.decisions = model.decisions.assign(decision="continue")
    assert briefing(model).empty
