"""Plain helpers and constants the tests import (fixtures live in the conftest.py of each folder)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from pmo_analysis.core.config import PROJ_ROOT, SAMPLE_AS_OF

REAL_DATA = PROJ_ROOT.parent / "shared" / "real-data"

#: Screenshots and PDFs of the browser tests (git-ignored).
ARTIFACTS = Path(__file__).parent / "artifacts"

#: Parameters of the one suite run of a test session: not the defaults, so the tests can see them
#: reach every report.
SUITE_PARAMS = {"as_of": SAMPLE_AS_OF, "discount_rate": 0.1, "over_threshold": 1.1, "min_projects": 4, "n_themes": 8}
SUITE_NOTEBOOK_PARAMS = {"resource_utilization": {"group_by": "role"}}


def edit_csv(folder: Path, table: str, edit) -> None:
    """Read ``table``.csv as text, apply ``edit(df)`` and write it back."""
    path = folder / f"{table}.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df = edit(df)
    df.to_csv(path, index=False)


# --------------------------------------------------------------------------- schedule files
SCHEDULE_FIXTURES = Path(__file__).parent / "data" / "schedules"

_XER_FIELDS = {
    "PROJECT": [
        "proj_id",
        "proj_short_name",
        "orig_proj_id",
        "clndr_id",
        "last_recalc_date",
        "plan_start_date",
        "plan_end_date",
        "scd_end_date",
    ],
    "CALENDAR": ["clndr_id", "default_flag", "clndr_name", "day_hr_cnt", "week_hr_cnt", "clndr_data"],
    "PROJWBS": ["wbs_id", "proj_id", "proj_node_flag", "wbs_name"],
    "RSRC": ["rsrc_id", "rsrc_name", "rsrc_short_name", "rsrc_type", "clndr_id"],
    "RSRCRATE": ["rsrc_id", "max_qty_per_hr", "cost_per_qty", "start_date"],
    "TASK": [
        "task_id",
        "proj_id",
        "wbs_id",
        "task_code",
        "task_name",
        "task_type",
        "status_code",
        "complete_pct_type",
        "phys_complete_pct",
        "target_drtn_hr_cnt",
        "remain_drtn_hr_cnt",
        "act_start_date",
        "act_end_date",
        "early_start_date",
        "early_end_date",
        "target_start_date",
        "target_end_date",
    ],
    "TASKRSRC": [
        "task_id",
        "proj_id",
        "rsrc_id",
        "target_qty",
        "act_reg_qty",
        "act_ot_qty",
        "target_cost",
        "act_reg_cost",
        "act_ot_cost",
        "target_start_date",
        "target_end_date",
        "act_start_date",
        "act_end_date",
    ],
    "PROJCOST": ["task_id", "proj_id", "target_cost", "act_cost"],
    "TASKPRED": ["task_id", "pred_task_id", "proj_id", "pred_proj_id", "pred_type", "lag_hr_cnt"],
}


def xer_text(tables: dict[str, list[dict]], *, currency: str = "USD") -> str:
    """An XER file's text: a header, then each table (``%T``, ``%F``, ``%R``) with the fields P6 writes."""
    lines = [
        "\t".join(["ERMHDR", "19.12", "2026-06-30", "Project", "admin", "Admin", "dbxDatabaseNoName", "PM", currency])
    ]
    for table, fields in _XER_FIELDS.items():
        rows = tables.get(table, [])
        if not rows:
            continue
        lines += ["%T\t" + table, "%F\t" + "\t".join(fields)]
        lines += ["%R\t" + "\t".join(str(row.get(f, "")) for f in fields) for row in rows]
    return "\r\n".join([*lines, "%E"]) + "\r\n"


def two_programme_xer(
    *, status_date: str = "2026-04-30", with_baselines: bool = True, name: str = "数据中台建设"
) -> dict:
    """Two P6 projects in one XER, unlike MPXJ's fixtures: a Chinese name, a labour resource and a
    £1/h non-labour cost bucket, an expense, amounts with cents over odd dates, milestones, a
    start-to-start relationship with a 16-hour lag from the first project into the second, and
    (optionally) each project's baseline exported with it.

    Budgets: DP-01 = 12,345.67 + 4,000.00 (bucket) + 1,234.56 (expense) = 17,580.23;
    ERP-02 = 9,000.00 + 1,000.00 = 10,000.00. Actuals: DP-01 = 3,210.98 + 1,500.00 = 4,710.98.
    """
    cal = "(0||CalendarData()((0||Exceptions()((0||0(d|46143)())(0||1(d|46144)())))))"  # 2026-05-01 (Fri), 2026-05-02 (Sat)
    t = {
        "CALENDAR": [
            {
                "clndr_id": 1,
                "default_flag": "Y",
                "clndr_name": "Standard",
                "day_hr_cnt": 8,
                "week_hr_cnt": 40,
                "clndr_data": cal,
            }
        ],
        "PROJECT": [
            {
                "proj_id": 10,
                "proj_short_name": "DP-01",
                "clndr_id": 1,
                "last_recalc_date": f"{status_date} 00:00",
                "plan_start_date": "2026-01-12 08:00",
                "scd_end_date": "2026-09-30 17:00",
            },
            {
                "proj_id": 20,
                "proj_short_name": "ERP-02",
                "clndr_id": 1,
                "last_recalc_date": f"{status_date} 00:00",
                "plan_start_date": "2026-03-02 08:00",
                "scd_end_date": "2026-12-18 17:00",
            },
        ],
        "PROJWBS": [
            {"wbs_id": 100, "proj_id": 10, "proj_node_flag": "Y", "wbs_name": name},
            {"wbs_id": 200, "proj_id": 20, "proj_node_flag": "Y", "wbs_name": "ERP Upgrade (Müller)"},
        ],
        "RSRC": [
            {"rsrc_id": 1, "rsrc_name": "王芳", "rsrc_short_name": "WF", "rsrc_type": "RT_Labor", "clndr_id": 1},
            {
                "rsrc_id": 2,
                "rsrc_name": "Cost bucket",
                "rsrc_short_name": "COST",
                "rsrc_type": "RT_Equip",
                "clndr_id": 1,
            },
            {"rsrc_id": 3, "rsrc_name": "Jürgen Weiß", "rsrc_short_name": "JW", "rsrc_type": "RT_Labor", "clndr_id": 1},
        ],
        "RSRCRATE": [
            {"rsrc_id": 1, "max_qty_per_hr": 0.5, "cost_per_qty": 85, "start_date": "2020-01-01 00:00"},
            {"rsrc_id": 2, "max_qty_per_hr": 1, "cost_per_qty": 1, "start_date": "2020-01-01 00:00"},
            {"rsrc_id": 3, "max_qty_per_hr": 1, "cost_per_qty": 60, "start_date": "2020-01-01 00:00"},
        ],
        "TASK": [
            {
                "task_id": 1,
                "proj_id": 10,
                "wbs_id": 100,
                "task_code": "DP-SUM",
                "task_name": "WBS summary",
                "task_type": "TT_WBS",
            },
            {
                "task_id": 2,
                "proj_id": 10,
                "wbs_id": 100,
                "task_code": "A100",
                "task_name": "数据建模",
                "task_type": "TT_Task",
                "status_code": "TK_Active",
                "complete_pct_type": "CP_Phys",
                "phys_complete_pct": 30,
                "act_start_date": "2026-01-12 08:00",
                "early_end_date": "2026-05-14 17:00",
                "target_start_date": "2026-01-12 08:00",
                "target_end_date": "2026-05-13 17:00",
            },
            {
                "task_id": 3,
                "proj_id": 10,
                "wbs_id": 100,
                "task_code": "M100",
                "task_name": "数据平台上线",
                "task_type": "TT_FinMile",
                "status_code": "TK_NotStart",
                "early_start_date": "2026-06-19 17:00",
                "early_end_date": "2026-06-19 17:00",
                "target_start_date": "2026-06-12 17:00",
                "target_end_date": "2026-06-12 17:00",
            },
            {
                "task_id": 4,
                "proj_id": 20,
                "wbs_id": 200,
                "task_code": "B100",
                "task_name": "Configure ERP",
                "task_type": "TT_Task",
                "status_code": "TK_NotStart",
                "complete_pct_type": "CP_Drtn",
                "target_drtn_hr_cnt": 480,
                "remain_drtn_hr_cnt": 480,
                "early_start_date": "2026-03-04 08:00",
                "early_end_date": "2026-07-31 17:00",
                "target_start_date": "2026-03-04 08:00",
                "target_end_date": "2026-07-31 17:00",
            },
            {
                "task_id": 5,
                "proj_id": 20,
                "wbs_id": 200,
                "task_code": "M200",
                "task_name": "ERP go-live",
                "task_type": "TT_FinMile",
                "status_code": "TK_NotStart",
                "early_start_date": "2026-12-18 17:00",
                "early_end_date": "2026-12-18 17:00",
                "target_start_date": "2026-11-30 17:00",
                "target_end_date": "2026-11-30 17:00",
            },
        ],
        "TASKRSRC": [
            {
                "task_id": 2,
                "proj_id": 10,
                "rsrc_id": 1,
                "target_qty": 145.25,
                "act_reg_qty": 37.78,
                "act_ot_qty": 0,
                "target_cost": 12345.67,
                "act_reg_cost": 3210.98,
                "act_ot_cost": 0,
                "target_start_date": "2026-01-12 08:00",
                "target_end_date": "2026-05-13 17:00",
                "act_start_date": "2026-01-12 08:00",
            },
            {
                "task_id": 2,
                "proj_id": 10,
                "rsrc_id": 2,
                "target_qty": 4000,
                "act_reg_qty": 1500,
                "target_cost": 4000,
                "act_reg_cost": 1500,
                "target_start_date": "2026-01-12 08:00",
                "target_end_date": "2026-05-13 17:00",
                "act_start_date": "2026-01-12 08:00",
            },
            {
                "task_id": 4,
                "proj_id": 20,
                "rsrc_id": 3,
                "target_qty": 150,
                "target_cost": 9000,
                "target_start_date": "2026-03-04 08:00",
                "target_end_date": "2026-07-31 17:00",
            },
        ],
        "PROJCOST": [
            {"task_id": 2, "proj_id": 10, "target_cost": 1234.56, "act_cost": 0},
            {"task_id": 4, "proj_id": 20, "target_cost": 1000, "act_cost": 0},
        ],
        "TASKPRED": [
            {
                "task_id": 4,
                "pred_task_id": 2,
                "proj_id": 20,
                "pred_proj_id": 10,
                "pred_type": "PR_SS",
                "lag_hr_cnt": 16,
            },
            {"task_id": 5, "pred_task_id": 4, "proj_id": 20, "pred_proj_id": 20, "pred_type": "PR_FS", "lag_hr_cnt": 0},
        ],
    }
    if with_baselines:  # the baseline copies P6 exports with a project: its planned dates frozen earlier
        t["PROJECT"] += [
            {"proj_id": 11, "proj_short_name": "DP-01 BL", "orig_proj_id": 10, "clndr_id": 1},
            {"proj_id": 21, "proj_short_name": "ERP-02 BL", "orig_proj_id": 20, "clndr_id": 1},
        ]
        t["TASK"] += [
            {
                "task_id": 12,
                "proj_id": 11,
                "task_code": "A100",
                "task_name": "数据建模",
                "task_type": "TT_Task",
                "target_start_date": "2026-01-12 08:00",
                "target_end_date": "2026-05-13 17:00",
            },
            {
                "task_id": 14,
                "proj_id": 21,
                "task_code": "B100",
                "task_name": "Configure ERP",
                "task_type": "TT_Task",
                "target_start_date": "2026-03-04 08:00",
                "target_end_date": "2026-07-31 17:00",
            },
            {
                "task_id": 13,
                "proj_id": 11,
                "task_code": "M100",
                "task_name": "数据平台上线",
                "task_type": "TT_FinMile",
                "target_start_date": "2026-05-29 17:00",
                "target_end_date": "2026-05-29 17:00",
            },
            {
                "task_id": 15,
                "proj_id": 21,
                "task_code": "M200",
                "task_name": "ERP go-live",
                "task_type": "TT_FinMile",
                "target_start_date": "2026-10-30 17:00",
                "target_end_date": "2026-10-30 17:00",
            },
        ]
        # the baseline's budgets equal the current ones here (a test changes the current ones)
        t["TASKRSRC"] += [
            dict(
                a, task_id=a["task_id"] + 10, proj_id=a["proj_id"] + 1, act_reg_qty=0, act_reg_cost=0, act_start_date=""
            )
            for a in t["TASKRSRC"]
        ]
        t["PROJCOST"] += [
            dict(e, task_id=e["task_id"] + 10, proj_id=e["proj_id"] + 1, act_cost=0) for e in t["PROJCOST"]
        ]
    return t


def ten_thousand_projects() -> pd.DataFrame:
    """A portfolio for the roadmap's selection: 12 off track, 25 at risk, 9,000 on track, 500 proposed and 463 completed projects, each with
    a budget of its own (a larger id, a larger budget), one year long."""
    kinds = [("off track", "active", 12), ("at risk", "active", 25), ("on track", "on_hold", 9_000)]
    kinds += [(None, "proposed", 500), (None, "completed", 463)]
    health = [h for h, _s, n in kinds for _ in range(n)]
    status = [s for _h, s, n in kinds for _ in range(n)]
    rank = {"off track": 0, "at risk": 1, "on track": 3}
    start = pd.Timestamp("2026-01-01") + pd.to_timedelta(np.arange(10_000) % 365, unit="D")
    return pd.DataFrame(
        {
            "project_id": [f"P{i:05d}" for i in range(10_000)],
            "name": [f"Project {i}" for i in range(10_000)],
            "status": status,
            "health": health,
            "health_rank": pd.array([rank.get(h) for h in health], dtype="Int64"),
            "bac": np.arange(10_000, dtype=float) * 1_000 + 1_000,
            "start_date": start,
            "end_date": start + pd.Timedelta(days=364),
            "forecast_end": start + pd.Timedelta(days=400),
        }
    )
