"""Report language: every sentence, heading, tile, table header, chart title and code value a
reader sees, in English (``en``, the default) or Chinese (``zh``).

The catalogue is keyed by the English text itself (as gettext is), so a notebook reads as English
and a missing translation falls back to English rather than to a key. Text with figures in it is a
template filled by :func:`_`::

    from pmo_analysis.core.i18n import _
    note(_("{n} running projects off track or at risk", n=fmt.count(len(troubled))))

Use it the same way in a new notebook: ``R = open_report(...)`` sets the report's language (the
``language`` parameter) for :mod:`pmo_analysis.core.i18n` and :mod:`pmo_analysis.core.formatting`; then every
``_("...")`` and every ``fmt.money(...)`` / ``fmt.month(...)`` reads in that language. Add the
English text and its Chinese to :data:`CATALOGUE` (a test checks that every ``_("...")`` literal
in the notebooks and the package has a Chinese entry).

Code values of the data (``on_hold``, ``to_improve``, ``off track``, ``True``) are shown through
:func:`label`, which gives the human label in the report language. Exported CSV files keep the
English column names and codes: they are the data contract.

Examples
--------
>>> with language("zh"):
...     _("Decisions needed"), label("on_hold"), label(True)
('需要的决策', '暂停', '是')
>>> _("Decisions needed"), label("on_hold"), label("to_improve")
('Decisions needed', 'On hold', 'To improve')
"""

# ruff: noqa: E501  (catalogue keys are whole English sentences, kept on one line so they can be found)
from __future__ import annotations

import contextlib
import contextvars
import string
from collections.abc import Iterator

import pandas as pd

__all__ = [
    "LANGUAGES",
    "CATALOGUE",
    "CODE_LABELS",
    "ABBREVIATIONS",
    "_",
    "label",
    "use",
    "current",
    "language",
    "column_label",
    "CODE_COLUMNS",
]

LANGUAGES = ("en", "zh")

#: The language of the text being written: set per report (a kernel runs one report) or per
#: ``with language(...)`` block, never as module state; threads and processes start from "en".
_LANGUAGE: contextvars.ContextVar[str] = contextvars.ContextVar("pmo_analysis_language", default="en")


def _checked(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, got {lang!r}")
    return lang


def use(lang: str) -> None:
    """Write every text in ``lang`` (``en`` or ``zh``) from now on, in this context: a report's
    kernel, or the calling thread.

    :func:`pmo_analysis.reporting.report.open_report` calls it with the report's ``language``
    parameter; elsewhere prefer :func:`language`, which puts the previous language back.
    """
    _LANGUAGE.set(_checked(lang))


def current() -> str:
    """The language in use: ``en`` or ``zh``."""
    return _LANGUAGE.get()


@contextlib.contextmanager
def language(lang: str) -> Iterator[None]:
    """Use ``lang`` inside a ``with`` block (tests, one-off charts), then the previous language."""
    token = _LANGUAGE.set(_checked(lang))
    try:
        yield
    finally:
        _LANGUAGE.reset(token)


def _(text: str, /, **values):
    """``text`` in the report language, with ``{name}`` fields filled from ``values``.

    A value may be a text column (a pandas Series of str, e.g. from
    :func:`pmo_analysis.core.formatting.as_text`): the result is then a column, filled for every row at
    once (no loop over rows), with the fields in the order the translation puts them::

        _("CPI {value} below {threshold}", value=as_text(cpi, ratio), threshold="0.85")

    >>> import pandas as pd
    >>> _("CPI {value} below {threshold}", value=pd.Series(["0.80", "0.70"]), threshold="0.85").tolist()
    ['CPI 0.80 below 0.85', 'CPI 0.70 below 0.85']
    >>> with language("zh"):
    ...     _("delayed {days} days by {by} (dependency)", days=pd.Series(["30"]), by="PRJ-1").tolist()
    ['受前置项目 PRJ-1 影响延误 30 天']
    """
    if current() != "en":
        text = CATALOGUE.get(text, text)
    if not values:
        return text
    if not any(isinstance(v, pd.Series) for v in values.values()):
        return text.format(**values)
    out: str | pd.Series = ""  # a column from the first column value on
    for literal, field, spec, conversion in string.Formatter().parse(text):
        out = out + literal
        if field is not None:
            value = values[field]
            out = out + (
                value
                if isinstance(value, pd.Series)
                else format(
                    value if conversion is None else repr(value) if conversion == "r" else str(value), spec or ""
                )
            )
    return out


#: Human labels of the data's code values, English and Chinese.
CODE_LABELS: dict[str, tuple[str, str]] = {
    # project status
    "proposed": ("Proposed", "提议"),
    "active": ("Active", "进行中"),
    "on_hold": ("On hold", "暂停"),
    "completed": ("Completed", "已完成"),
    "cancelled": ("Cancelled", "已取消"),
    # health
    "off track": ("Off track", "偏离"),
    "at risk": ("At risk", "有风险"),
    "on track": ("On track", "正常"),
    "data needed": ("Data needed", "需补充数据"),
    # lessons
    "to_improve": ("To improve", "待改进"),
    "went_well": ("Went well", "成功经验"),
    "high": ("High", "高"),
    "medium": ("Medium", "中"),
    "low": ("Low", "低"),
    "open": ("Open", "未关闭"),
    "in_progress": ("In progress", "处理中"),
    "done": ("Done", "已完成"),
    "category": ("Category", "类别"),
    "text": ("Text", "文本"),
    # months
    "complete": ("Complete", "完整月"),
    "month to date": ("Month to date", "本月至今"),
    "planned": ("Planned", "计划"),
    # decisions
    "fund": ("Fund", "资助"),
    "continue": ("Continue", "继续"),
    "re-scope": ("Re-scope", "调整范围"),
    "re-plan": ("Re-plan", "重新规划"),
    "stop": ("Stop", "停止"),
    "defer": ("Defer", "暂缓"),
    "reject": ("Reject", "拒绝"),
    "none": ("None", "无"),
    # delivery: risks and issues, dependency types, milestone states
    "risk": ("Risk", "风险"),
    "issue": ("Issue", "问题"),
    "closed": ("Closed", "已关闭"),
    "finish_to_start": ("Finish to start", "完成-开始"),
    "start_to_start": ("Start to start", "开始-开始"),
    "finish_to_finish": ("Finish to finish", "完成-完成"),
    "missed": ("Missed", "逾期未达成"),
    "reached late": ("Reached late", "延迟达成"),
    "slipping": ("Slipping", "延误中"),
    "reached on time": ("Reached on time", "按时达成"),
    # runs and pages: status of a run, a report or a page; the schedule of a run started by hand
    "success": ("success", "成功"),
    "partial": ("partial", "部分完成"),
    "failed": ("failed", "失败"),
    "stale": ("stale", "数据过期"),
    "not run": ("not run", "未运行"),
    "adhoc": ("adhoc", "不定期"),
    "running": ("running", "在建"),
    # lesson phases (PMI process groups)
    "initiating": ("Initiating", "启动"),
    "planning": ("Planning", "规划"),
    "executing": ("Executing", "执行"),
    "monitoring": ("Monitoring", "监控"),
    "closing": ("Closing", "收尾"),
    # risk heatmap: impact bands (analyses.delivery.IMPACT_LABELS)
    "< 1% of budget": ("< 1% of budget", "< 预算的 1%"),
    ">= 10% of budget": (">= 10% of budget", "≥ 预算的 10%"),
    # booleans
    "True": ("Yes", "是"),
    "False": ("No", "否"),
}


def label(value) -> str:
    """The human label of a code value in the report language; other values as text.

    ``True``/``False`` read Yes/No; ``on_hold`` reads On hold; a value the catalogue does not know
    is returned as it is (names, free text).
    """
    key = str(value)
    pair = CODE_LABELS.get(key)
    if pair is None:
        return key
    return pair[LANGUAGES.index(current())]


#: Columns whose values are codes shown through :func:`label`, in the reports and in report.xlsx.
CODE_COLUMNS = {
    "status",
    "health",
    "kind",
    "impact",
    "decision",
    "month_status",
    "source",
    "action_status",
    "phase",
    "funded",
    "ahead",
    "is_actual",
    "running",
    "type",
    "state",
    "open",
    "overdue",
    "due",
    "on_time",
    "slipped",
    "missed",
    "no_owner",
    "probability_band",
    "impact_band",
    "rule",  # the decision a rule gives (decisions.csv); a data-quality rule is a sentence and reads as it is
}

#: Abbreviations a report may use, with their meaning (English, Chinese); every report explains
#: the ones it shows, once (see :func:`pmo_analysis.reporting.display.abbreviations`).
ABBREVIATIONS: dict[str, tuple[str, str]] = {
    "NPV": ("net present value: future net cash flows discounted to today", "净现值：折现到今天的未来净现金流"),
    "ROI": ("return on investment = (benefit − cost) / cost", "投资回报率 =（收益 − 成本）/ 成本"),
    "IRR": ("internal rate of return: the discount rate at which NPV is zero", "内部收益率：使净现值为零的折现率"),
    "BCR": ("benefit-cost ratio = PV of benefits / PV of costs", "效益成本比 = 收益现值 / 成本现值"),
    "CPI": ("cost performance index = EV / AC; below 1 is over budget", "成本绩效指数 = EV / AC；低于 1 即超支"),
    "SPI": ("schedule performance index = EV / PV; below 1 is late", "进度绩效指数 = EV / PV；低于 1 即延误"),
    "BAC": ("budget at completion", "完工预算"),
    "EAC": ("estimate at completion = BAC / CPI", "完工估算 = BAC / CPI"),
    "VAC": ("variance at completion = BAC − EAC", "完工偏差 = BAC − EAC"),
    "TCPI": ("to-complete performance index", "完工尚需绩效指数"),
    "PV": ("planned value: the budgeted cost of work scheduled to date", "计划价值：截至目前计划工作的预算成本"),
    "EV": ("earned value = % complete × BAC", "挣值 = 完成百分比 × BAC"),
    "AC": ("actual cost to date", "截至目前的实际成本"),
    "FTE": ("full-time equivalent: one person's capacity", "全职当量：一个人的产能"),
}


#: Table headers and chart labels: column names of the model (the CSV keeps these) in words.
COLUMNS: dict[str, tuple[str, str]] = {
    # delivery (dependencies, milestones, risks)
    "path": ("Path", "路径"),
    "type": ("Type", "类型"),
    "slip_days": ("Slip (days)", "延误（天）"),
    "lag_days": ("Lag (days)", "间隔（天）"),
    "predecessor_id": ("Predecessor", "前置项目"),
    "successor_id": ("Successor", "后续项目"),
    "exposure": ("Exposure", "风险敞口"),
    "overdue": ("Overdue", "逾期"),
    "risk_id": ("Risk ID", "风险编号"),
    "probability": ("Probability", "概率"),
    "impact_cost": ("Impact cost", "影响成本"),
    "milestone": ("Milestone", "里程碑"),
    "milestone_id": ("Milestone ID", "里程碑编号"),
    "baseline_date": ("Baseline date", "基线日期"),
    "forecast_date": ("Forecast date", "预测日期"),
    "actual_date": ("Actual date", "实际日期"),
    "status_date": ("Status date", "状态日期"),
    "current_date": ("Current forecast", "当前预测"),
    "forecast_or_actual": ("Forecast or actual date", "预测或实际日期"),
    "state": ("State", "状态"),
    "due": ("Due", "已到期"),
    "on_time": ("On time", "按时"),
    "slipped": ("Slipped", "已延误"),
    "missed": ("Missed", "逾期未达成"),
    "days_overdue": ("Days overdue", "逾期天数"),
    "no_owner": ("No owner", "无负责人"),
    "raised_date": ("Raised", "提出日期"),
    "due_date": ("Due date", "到期日期"),
    "closed_date": ("Closed", "关闭日期"),
    "forecast_changes": ("Forecast changes", "预测变更次数"),
    "impact_share": ("Impact share", "影响占预算比例"),
    "probability_band": ("Probability band", "概率区间"),
    "impact_band": ("Impact band", "影响区间"),
    "open": ("Open", "未关闭"),
    "project_id": ("Project ID", "项目编号"),
    "name": ("Name", "名称"),
    "department": ("Department", "部门"),
    "status": ("Status", "状态"),
    "health": ("Health", "健康状况"),
    "health_reason": ("Why", "原因"),
    "sponsor": ("Sponsor", "发起人"),
    "manager": ("Manager", "项目经理"),
    "cpi": ("CPI", "CPI"),
    "spi": ("SPI", "SPI"),
    "months_without_actuals": ("Months without actuals", "无实际成本的月数"),
    "end_date": ("End date", "结束日期"),
    "forecast_end": ("Forecast end", "预测结束日期"),
    "forecast_end_source": ("Forecast end from", "预测结束日期依据"),
    "end_by_milestones": ("End by milestones", "按里程碑的结束日期"),
    "end_with_dependencies": ("End with dependencies", "计入依赖的结束日期"),
    "missing_data": ("Data needed", "需补充的数据"),
    "start_date": ("Start date", "开始日期"),
    "eac": ("EAC", "EAC"),
    "bac": ("BAC", "BAC"),
    "npv": ("NPV", "净现值"),
    "roi": ("ROI", "投资回报率"),
    "irr": ("IRR", "内部收益率"),
    "bcr": ("BCR", "效益成本比"),
    "remaining_npv": ("Remaining NPV", "剩余净现值"),
    "data_needed": ("Data needed", "所需数据"),
    "has_benefits": ("Has benefit figures", "有收益数据"),
    "has_actuals": ("Has actual costs", "有实际成本"),
    "value_projects": ("Projects with benefit figures", "有收益数据的项目数"),
    "value_cost": ("Cost of projects with benefit figures", "有收益数据项目的成本"),
    "evm_projects": ("Projects with earned value", "有挣值的项目数"),
    "total_cost": ("Total cost", "总成本"),
    "total_benefit": ("Total benefit", "总收益"),
    "payback_months": ("Payback (months)", "回收期（月）"),
    "irr_roots": ("IRR roots", "IRR 解的个数"),
    "projects": ("Projects", "项目数"),
    "strategic_objective": ("Strategic objective", "战略目标"),
    "decision": ("Decision", "决策"),
    "why": ("Why", "原因"),
    "money": ("Money", "金额"),
    "reason": ("Reason", "原因"),
    "robustness": ("What would flip it", "何种变化会改变决策"),
    "fragile": ("Fragile", "脆弱"),
    "score": ("Score", "得分"),
    "priority_score": ("Priority score", "优先级得分"),
    "funding_need": ("Funding need", "资金需求"),
    "funded": ("Funded", "已资助"),
    "risk_score": ("Risk score", "风险评分"),
    "percent_complete": ("% complete", "完成百分比"),
    "role": ("Role", "角色"),
    "resource_id": ("Person ID", "人员编号"),
    "period": ("Month", "月份"),
    "utilization": ("Utilization", "利用率"),
    "planned_utilization": ("Planned utilization", "计划利用率"),
    "capacity_hours": ("Capacity (h)", "产能（小时）"),
    "actual_hours": ("Actual (h)", "实际（小时）"),
    "planned_hours": ("Planned (h)", "计划（小时）"),
    "excess_hours": ("Excess (h)", "超出（小时）"),
    "booked_hours": ("Booked (h)", "已登记（小时）"),
    "variance_hours": ("Variance (h)", "差异（小时）"),
    "booked_vs_plan": ("Booked vs plan", "登记工时/计划工时"),
    "months": ("Months", "月数"),
    "months_below": ("Months below", "低于阈值的月数"),
    "demand_hours": ("Demand (h)", "需求（小时）"),
    "gap_hours": ("Gap (h)", "缺口（小时）"),
    "gap_fte": ("Gap (FTE)", "缺口（FTE）"),
    "breakdown": ("Projects", "各项目计划工时"),
    "detail": ("Detail", "详情"),
    "planned_ahead_hours": ("Planned ahead (h)", "未来计划（小时）"),
    "from_project": ("From project", "来源项目"),
    "projects_needing_role": ("Projects needing the role", "需要该角色的项目"),
    "lessons": ("Lessons", "经验教训数"),
    "lesson_id": ("Lesson ID", "经验编号"),
    "title": ("Title", "标题"),
    "category": ("Category", "类别"),
    "kind": ("Kind", "类型"),
    "impact": ("Impact", "影响"),
    "phase": ("Phase", "阶段"),
    "date": ("Date", "日期"),
    "owner": ("Owner", "负责人"),
    "age_days": ("Age (days)", "已持续天数"),
    "theme": ("Theme", "主题"),
    "top_terms": ("Top terms", "关键词"),
    "problem": ("Problem", "问题"),
    "project_names": ("Projects with most lessons", "经验最多的项目"),
    "example_titles": ("Most representative lessons", "最具代表性的经验"),
    "text_theme": ("Also found in the text as", "在文本中也归入"),
    "departments": ("Departments", "部门"),
    "source": ("Source", "来源"),
    "recurrences": ("Recurrences", "再次出现次数"),
    "practice": ("Practice", "做法"),
    "action_status": ("Action status", "行动状态"),
    "recommendation": ("Recommendation", "建议"),
    "table": ("Table", "表"),
    "row": ("Row", "行"),
    "column": ("Column", "列"),
    "value": ("Value", "值"),
    "rule": ("Rule", "规则"),
    "file": ("File", "文件"),
    "change": ("Change", "变化"),
    "kind_of_change": ("Kind", "类型"),
    "before": ("Before", "之前"),
    "after": ("After", "之后"),
    "went_well": ("Went well", "成功经验"),
    "to_improve": ("To improve", "待改进"),
}


#: The Chinese of more model columns whose English is the column name in words (see _in_words).
_COLUMNS_ZH = {
    "scenario": "情景",
    "decision_before": "原决策",
    "decision_after": "新决策",
    "net_cash_need": "净资金需求",
    "cash_need_p50": "资金需求 P50",
    "cash_need_p80": "资金需求 P80",
    "figure": "指标",
    "base": "基准",
    "active_projects": "进行中项目数",
    "ahead": "未来月份",
    "ahead_of_plan": "超前于计划",
    "as_of": "截至日期",
    "at_risk": "有风险",
    "benefits_realization": "收益实现率",
    "benefits_shortfall": "收益缺口",
    "budget": "预算",
    "budget_cap": "预算上限",
    "budget_share": "预算占比",
    "capacity_to_date": "至今产能",
    "cohesion": "内聚度",
    "conflict": "冲突",
    "constraint_date": "约束日期",
    "cost": "成本",
    "decision_reason": "决策理由",
    "delay_path": "延误路径",
    "delayed_by": "受其拖延",
    "delayed_projects": "被拖延的项目",
    "description": "描述",
    "example_lesson_ids": "示例经验编号",
    "example_title": "示例标题",
    "exposure_share": "敞口占比",
    "forecast_cumulative": "累计预测",
    "forecast_end_with_dependencies": "计入依赖后的预测结束日期",
    "forecast_net": "预测净额",
    "forecast_start": "预测开始日期",
    "funded_need": "获资助需求",
    "gap": "缺口",
    "has_open_action": "有未完成行动",
    "high_impact": "高影响",
    "hours": "工时",
    "is_actual": "实际",
    "is_past": "已过去",
    "items": "条目数",
    "median_age_days": "中位天数",
    "milestone_end": "里程碑结束日期",
    "milestone_on_time_rate": "里程碑按时率",
    "milestones": "里程碑数",
    "missed_milestones": "逾期未达成的里程碑",
    "month_status": "月份状态",
    "months_unreported": "未报告月数",
    "name_zh": "中文名称",
    "net_benefit": "净收益",
    "non_project_hours": "非项目工时",
    "off_track": "偏离",
    "oldest_days": "最久天数",
    "on_hold_projects": "暂停项目数",
    "on_time_rate": "按时率",
    "on_track": "正常",
    "open_actions": "未完成行动",
    "open_exposure": "未关闭敞口",
    "open_issues": "未关闭问题",
    "open_items": "未关闭条目",
    "open_risk_exposure": "未关闭风险敞口",
    "open_risks": "未关闭风险",
    "overdue_mitigations": "逾期缓解措施",
    "own_slip_days": "自身延误天数",
    "peak_planned_utilization": "计划利用率峰值",
    "people": "人数",
    "planned_cost": "计划成本",
    "planned_cumulative": "累计计划",
    "planned_end": "计划结束日期",
    "planned_net": "计划净额",
    "planned_to_date": "截至目前计划",
    "planned_total": "计划总额",
    "position": "位置",
    "predecessor_date": "前置项目日期",
    "project": "项目",
    "project_ids": "项目编号",
    "project_name": "项目名称",
    "projects_needing_role_count": "需要该角色的项目数",
    "propagated_slip_days": "传递延误天数",
    "quarter": "季度",
    "query": "检索词",
    "reached": "已达成",
    "realization": "实现率",
    "realized_to_date": "截至目前已实现",
    "reported_date": "报告日期",
    "root_cause": "根本原因",
    "running": "在建",
    "running_projects": "在建项目",
    "share": "占比",
    "shortfall": "缺口",
    "spend_to_date": "至今支出",
    "spent": "已支出",
    "stop_frees": "停止可释放",
    "strategic_alignment": "战略契合度",
    "successor_date": "后续项目日期",
    "total_budget": "总预算",
    "total_need": "总需求",
    "total_slip_days": "总延误天数",
    "unowned_risks": "无负责人的风险",
    "utilization_mtd": "本月至今利用率",
    "working_days": "工作日数",
}


def _in_words(name: str) -> str:
    """A column name in English words: ``own_slip_days`` -> Own slip days, ``npv`` -> NPV."""
    words = str(name).split("_")
    words = [w.upper() if w.upper() in ABBREVIATIONS or w.lower() in ("id", "ids") else w for w in words]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


COLUMNS.update({name: (_in_words(name), zh) for name, zh in _COLUMNS_ZH.items() if name not in COLUMNS})


def column_label(name) -> str:
    """A column name in words in the report language (``total_cost`` -> Total cost / 总成本)."""
    pair = COLUMNS.get(str(name))
    if pair is not None:
        return pair[LANGUAGES.index(current())]
    return _in_words(name)


#: English text -> Chinese. Keys are the exact English strings passed to :func:`_`.
CATALOGUE: dict[str, str] = {}


def _add(pairs: dict[str, str]) -> None:
    CATALOGUE.update(pairs)


_add(
    {
        # report titles and header
        "Executive summary": "执行摘要",
        "Executive portfolio summary": "项目组合执行摘要",
        "Resource utilization and capacity": "资源利用率与产能",
        "Portfolio ROI and performance": "项目组合投资回报与绩效",
        "Resource utilization": "资源利用率",
        "Lessons learned": "经验教训",
        "As of {date}": "截至 {date}",
        "Schedule: {schedule}": "报告周期：{schedule}",
        "Generated {time}": "生成于 {time}",
        "All reports": "全部报告",
        "This report failed and is incomplete.": "本报告运行失败，内容不完整。",
        "Abbreviations": "缩写说明",
        "Show all {n} rows": "显示全部 {n} 行",
        "Show fewer rows": "收起",
        "+ {n} more rows: all in the report online and in its CSV": "另有 {n} 行：全部见在线报告及其 CSV",
        "Filter rows": "筛选行",
        "(first {shown} of {total} rows; all rows in {csv})": "（{total} 行中的前 {shown} 行；全部见 {csv}）",
        "the exported CSV": "导出的 CSV",
        " and {n} more": " 等另 {n} 项",
        "{shown} of {total} rows": "{shown} / {total} 行",
        # banners
        "Stale data, accepted for this run": "数据过期（本次运行已接受）",
        "Stale data: figures after the data ends are plans, not actuals": "数据过期：数据截止之后的数字是计划，不是实际",
        "the data was last reported in {month}, {n} months before the last complete month {last}": "数据最后一次报告于 {month}，比最后一个完整月 {last} 早 {n} 个月",
        "the data was last reported in {month}, {n} months before this run ({run})": "数据最后一次报告于 {month}，比本次运行（{run}）早 {n} 个月",
        "actual costs are dated up to {month}, after this run ({run}): they are projections, not reports, and do not show when the data was reported": "实际成本的日期一直到 {month}，晚于本次运行（{run}）：这些是预测而非报告，不能说明数据何时报告",
        "{n} invalid row(s) left out of this run": "本次运行排除了 {n} 行无效数据",
        "each is listed under \u201cData quality\u201d at the end of this report.": "每一行都列在本报告末尾的\u201c数据质量\u201d中。",
        "As of {date}: the end of the last complete month the data covers (no report date was given).": "截至 {date}：数据覆盖的最后一个完整月的月末（未指定报告日期）。",
        "nothing has been reported yet, every figure is the plan, and project statuses are those the data records today.": "尚无任何实际数据，所有数字均为计划，项目状态为数据当前记录的状态。",
        "Data quality: {n} invalid row(s) left out of this run (and rows that depended on them)": "数据质量：本次运行排除了 {n} 行无效数据（及依赖它们的行）",
        # executive summary
        "Portfolio health, the decisions needed, and what changed since the last report.": "项目组合健康状况、需要的决策，以及自上次报告以来的变化。",
        "Running projects": "在建项目",
        "Budget of running projects": "在建项目预算",
        "Portfolio NPV": "组合净现值",
        "Remaining NPV": "剩余净现值",
        "Portfolio ROI": "组合投资回报率",
        "Lifetime NPV (each project at its start)": "全生命周期净现值（各项目折现至其开始）",
        "at {date}": "折现至 {date}",
        "over {coverage}": "覆盖 {coverage}",
        "Spend to date vs plan": "至今支出 / 计划",
        "CPI / SPI": "CPI / SPI",
        "Utilization": "利用率",
        "Over-allocated people": "超负荷人员",
        "Open high-impact actions": "未完成的高影响行动",
        "Off track / at risk": "偏离 / 有风险",
        "target ≥ {value}": "目标 ≥ {value}",
        "target ≤ {value}": "目标 ≤ {value}",
        "target {low}–{high}": "目标 {low}–{high}",
        "{change} since {date}": "较 {date} {change}",
        "no change since {date}": "较 {date} 无变化",
        "first report": "首次报告",
        "Trend": "趋势",
        "Health of running projects": "在建项目健康状况",
        "Decisions needed": "需要的决策",
        "Changes since the previous report": "自上次报告以来的变化",
        "Health of the {n} running project(s) (active or on hold): {off} off track, {risk} at risk, {ok} on track.": "{n} 个在建项目（进行中或暂停）的健康状况：{off} 个偏离，{risk} 个有风险，{ok} 个正常。",
        " {n} more wait for data and are not judged at risk for what is missing.": "另有 {n} 个等待补充数据，不因缺失数据而判为有风险。",
        "{n} running project(s) need data before their health can be judged: what is missing": "{n} 个在建项目需补充数据后才能判断健康状况：缺少的数据",
        " CPI counts {n} past project-month(s) without a reported actual cost at their planned cost.": "CPI 将 {n} 个没有实际成本的历史项目月按计划成本计算。",
        "No project is running (active or on hold) at {date}, so there is no health, spend or CPI/SPI to report: the {n} project(s) are {statuses}.": "截至 {date} 没有在建项目（进行中或暂停），因此没有健康状况、支出或 CPI/SPI 可报告：{n} 个项目中 {statuses}。",
        " Not available from this data: {what}.": "此数据无法提供：{what}。",
        "utilization and capacity (needs the resources, assignments and timesheets tables)": "利用率与产能（需要 resources、assignments 和 timesheets 表）",
        "lessons (needs the lessons table)": "经验教训（需要 lessons 表）",
        "{n} running projects off track or at risk, worst first": "{n} 个偏离或有风险的在建项目，最差的在前",
        "No decision is needed: no project is stopped, re-scoped, re-planned or left unfunded, no role is short and every recurring problem has an owner.": "无需决策：没有项目被停止、调整范围、重新规划或未获资助，没有角色短缺，每个反复出现的问题都有负责人。",
        "Budget cap {cap}: the funded projects need {need}; stopping what the rules stop frees {frees}. One decision per project, with its reason, is in decisions.csv and the ROI report.": "预算上限 {cap}：获资助项目需要 {need}；按规则停止的项目可释放 {frees}。每个项目的决策及理由见 decisions.csv 和投资回报报告。",
        "No project is proposed or running, so there is no budget to allocate and nothing to stop; the decisions below are about people and recurring problems.": "没有提议或在建的项目，因此没有预算可分配，也没有项目可停止；以下决策涉及人员和反复出现的问题。",
        "{n} decision(s)": "{n} 项决策",
        "No open project can be ranked for the budget yet: {n} wait for benefit figures, which the first decision below asks for.": "尚无可参与预算排序的在建或提议项目：{n} 个项目缺少收益数据，下面第一项决策即要求补充。",
        "{n} open project(s) wait for benefit figures (data needed) before they can compete for the budget.": "{n} 个未结项目缺少收益数据（需补充数据），补充后才能参与预算竞争。",
        "Every other open project is stopped or rejected by the rules ({stopped}).": "其余未结项目均被规则停止或否决（{stopped}）。",
        "No project has benefit figures, so there is no NPV or ROI to rank: add planned and actual benefits to the cash flows.": "没有项目有收益数据，因此无法按净现值或 ROI 排序：请在现金流中补充计划与实际收益。",
        "{n} project(s) without benefit figures have no NPV and are not drawn: {ids}.": "{n} 个项目没有收益数据，因此没有净现值，未绘制：{ids}。",
        "No previous report of the '{schedule}' schedule was found, so there is nothing to compare with yet. The next run will show the changes.": "未找到报告周期为“{schedule}”的上一份报告，暂无可比较的内容。下次运行将显示变化。",
        "Nothing material changed since the previous report (as of {date}).": "自上一份报告（截至 {date}）以来没有实质变化。",
        "Compared with the previous report (as of {date}): {n} change(s).": "与上一份报告（截至 {date}）相比：{n} 项变化。",
        "What changed (largest 2 of each kind; all in changes_since_previous.csv)": "变化（每类最大的 2 项；全部见 changes_since_previous.csv）",
        "The trend appears from the second report of this schedule on.": "从本报告周期的第二份报告起显示趋势。",
        "Headline figures across {n} reports of this schedule": "本报告周期 {n} 份报告的关键数字",
        # roi
        "Projects": "项目",
        "Running (active + on hold)": "在建（进行中 + 暂停）",
        "Budget cap / funded need": "预算上限 / 获资助需求",
        "Returns by department": "各部门回报",
        "Returns by strategic objective": "各战略目标回报",
        "Returns per project, and value against risk": "各项目回报及价值与风险",
        "Portfolio cash flow over time (the J-curve)": "组合现金流随时间变化（J 曲线）",
        "Earned value: which running projects are over budget or late?": "挣值：哪些在建项目超支或延误？",
        "Definitions": "定义",
        "Projects by lifetime NPV": "按全周期净现值排序的项目",
        # utilization
        "People": "人员",
        "On the bench (< {pct})": "闲置（< {pct}）",
        # lessons
        "Lessons": "经验教训",
        "Recurring problems": "反复出现的问题",
        "Action follow-through": "行动跟进",
        "Lessons for the projects running now": "供在建项目借鉴的经验",
        "What went well": "成功经验",
        # charts
        "Net present value ({unit})": "净现值（{unit}）",
        "NPV by project: {neg} of {n} shown destroy value": "各项目净现值：所示 {n} 个项目中有 {neg} 个为负值",
        "Delivery risk score (1 = low, 5 = high)": "交付风险评分（1 = 低，5 = 高）",
        "Strategic objective (size = budget)": "战略目标（大小 = 预算）",
        "Value vs risk: the deepest-loss and high-risk negative-NPV projects are named": "价值与风险：标出亏损最深及高风险的负净现值项目",
        "Plan": "计划",
        "Roadmap": "路线图",
        "{months}, dashed: plan": "{months}，虚线：计划",
        "{n} more running or proposed project(s) are not drawn: the roadmap shows the {top} with the most at stake "
        "(off track, then at risk, then waiting for data, then by budget).": "另有 {n} 个在建或提议中的项目未画出：路线图显示"
        "利害最大的 {top} 个（先偏离，再有风险，再需补充数据，然后按预算）。",
        "No project is running or proposed: there is no roadmap to draw.": "没有在建或提议中的项目：无路线图可画。",
        "Forecast (actuals to as-of, plan after)": "预测（截至报告日为实际，之后为计划）",
        "as of {date}": "截至 {date}",
        "Cumulative net cash flow ({unit})": "累计净现金流（{unit}）",
        "Cumulative cost ({unit})": "累计成本（{unit}）",
        "PV (plan)": "PV（计划价值）",
        "AC (actual cost)": "AC（实际成本）",
        "Earned value: CPI {cpi}, SPI {spi}": "挣值：CPI {cpi}，SPI {spi}",
        "Earned value: none yet": "挣值：尚无",
        "J-curve: deepest {money} in {month}": "J 曲线：最低点 {money}（{month}）",
        "J-curve: no cash flows": "J 曲线：无现金流",
        "Month": "月份",
        "Portfolio J-curve: deepest point {value} in {month}": "组合 J 曲线：最低点 {value}（{month}）",
        "Within thresholds": "在阈值内",
        "Below a threshold": "低于阈值",
        "late, over budget": "延误，超支",
        "early, over budget": "提前，超支",
        "late, under budget": "延误，节支",
        "early, under budget": "提前，节支",
        "Schedule performance index SPI = EV / PV": "进度绩效指数 SPI = EV / PV",
        "Cost performance index CPI = EV / AC": "成本绩效指数 CPI = EV / AC",
        "Earned value: {n} of {total} running projects below CPI or SPI threshold": "挣值：{total} 个在建项目中 {n} 个低于 CPI 或 SPI 阈值",
        "Earned value: {n} of {total} running projects off track or at risk, {k} of them below an amber CPI or SPI line": "挣值：{total} 个在建项目中 {n} 个偏离或有风险，其中 {k} 个低于 CPI 或 SPI 黄线",
        "Off track below CPI {cpi} or SPI {spi}": "CPI 低于 {cpi} 或 SPI 低于 {spi}：偏离",
        "At risk below CPI {cpi} or SPI {spi}": "CPI 低于 {cpi} 或 SPI 低于 {spi}：有风险",
        "Efficient frontier: what each extra unit of budget buys": "有效前沿：每增加一单位预算可获得的价值",
        "Funding available for proposed + active projects ({unit})": "提议及在建项目的可用资金（{unit}）",
        "Best total priority score": "最佳总优先级得分",
        "Best total NPV ({unit})": "最佳总净现值（{unit}）",
        "Budget cap {cap}: value {value}": "预算上限 {cap}：价值 {value}",
        "ROI = net benefit / cost": "ROI = 净收益 / 成本",
        "NPV ({unit})": "净现值（{unit}）",
        "Returns by {group}": "按{group}的回报",
        "Utilization (booked project hours / capacity)": "利用率（已登记项目工时 / 产能）",
        "Portfolio (actual)": "组合（实际）",
        "Portfolio (month to date)": "组合（本月至今）",
        "Portfolio (planned)": "组合（计划）",
        "Utilization by {by}: portfolio {now}": "按{by}的利用率：组合 {now}",
        "{value} in {month}": "{month} 为 {value}",
        "no actuals": "无实际数据",
        "Month (left of the black line: actual; right: planned)": "月份（黑线左侧为实际，右侧为计划）",
        "Utilization by {by} and month, furthest from a healthy 80% first{note}": "按{by}和月份的利用率，偏离健康值 80% 最远的在前{note}",
        " ({shown} of {total}; the other {rest} are within {band} of 80%, all in utilization_by_resource.csv)": "（{total} 个中显示 {shown} 个；其余 {rest} 个距 80% 在 {band} 以内，全部见 utilization_by_resource.csv）",
        "Planned hours above capacity, summed over the months (hours)": "超出产能的计划工时，按月累计（小时）",
        "Over-allocation: {n} people planned above capacity": "超负荷：{n} 人的计划超出产能",
        " {months} mo, peak {peak}": " {months} 个月，峰值 {peak}",
        "Capacity": "产能",
        "Planned demand": "计划需求",
        "balanced": "平衡",
        "short {fte} FTE": "短缺 {fte} FTE",
        "spare {fte} FTE": "富余 {fte} FTE",
        "Hours over the forecast months": "预测月份的工时",
        "Capacity vs demand by role, next {n} months (FTE = average per month)": "各角色产能与需求，未来 {n} 个月（FTE = 月平均）",
        " {pct} of plan": " 计划的 {pct}",
        "Booked minus planned hours (hours; negative = less effort than planned)": "已登记减计划工时（小时；负值 = 投入少于计划）",
        "Plan vs actual effort: projects furthest from plan": "计划与实际投入：偏离计划最远的项目",
        "Share of booked hours": "已登记工时占比",
        "Where time went: project work vs non-project time by department": "时间去向：各部门项目工作与非项目时间",
        "Lessons per quarter": "每季度经验数",
        "Lessons recorded per quarter": "每季度记录的经验",
        "Lessons by category ({n} lessons{note})": "按类别的经验（{n} 条{note}）",
        ", 25 largest categories": "，最大的 25 个类别",
        "Distinct projects reporting the problem": "报告该问题的项目数",
        " {projects} projects, {lessons} lessons": " {projects} 个项目，{lessons} 条经验",
        "Recurring problems (blue: by category, purple: found in the text)": "反复出现的问题（蓝：按类别，紫：从文本发现）",
        "Open or in-progress recommendations": "未处理或处理中的建议",
        "other": "其他",
        "text: {name}": "文本：{name}",
        "high impact": "高影响",
        " oldest {days} days": " 最久 {days} 天",
        "Open actions by owner ({n} in all)": "按负责人的未完成行动（共 {n} 项）",
        "Distinct projects reporting it": "报告该做法的项目数",
        "What went well: practices to make standard": "成功经验：应推广为标准的做法",
        "Utilization by {by}, one panel each: portfolio {now}": "按{by}的利用率（每个一幅）：组合 {now}",
        "department": "部门",
        "role": "角色",
        "resource": "人员",
        "strategic objective": "战略目标",
        "Budget, running": "在建预算",
        "Spend to date (AC)": "至今支出（AC）",
        "Planned to date (PV)": "至今计划（PV）",
        "Portfolio CPI": "组合 CPI",
        "Portfolio SPI": "组合 SPI",
        "Over-allocated, ahead": "未来超负荷人员",
        "Over-allocated people, ahead": "未来超负荷人员",
        "Name": "名称",
        "Actual (complete months)": "实际（完整月）",
        "Over-allocated above {pct}": "超负荷：高于 {pct}",
        "Bench below {pct}": "闲置：低于 {pct}",
        # notes, captions and tiles of the ROI, utilization and lessons reports
        "By role over the complete months (hours summed, then divided)": "各角色在完整月内的情况（先汇总工时，再相除）",
        "By {group} (NPV at {date})": "按{group}（净现值截至 {date}）",
        "Capacity against demand by role, {months} (gap FTE: negative is short)": "各角色产能与需求，{months}（缺口 FTE：负值为短缺）",
        "Every open project is stopped or rejected by the rules ({stopped}): none competes for the budget.": "所有未结项目均被规则停止或拒绝（{stopped}）：没有项目竞争预算。",
        "Fixes that did not stick": "未能持续的改进",
        "High-impact lessons whose action is done: {pct}.": "行动已完成的高影响经验：{pct}。",
        "High-impact lessons with action done": "行动已完成的高影响经验",
        "Lessons by impact and kind": "按影响和类型的经验",
        "Lessons by phase and kind": "按阶段和类型的经验",
        "Month to date": "本月至今",
        "No bench without booked hours: nobody can be judged under-used.": "没有登记工时就无法判断闲置：无法认定任何人利用不足。",
        "No fix came undone: no problem whose action was marked done came back later in another project.": "没有改进失效：标记为已完成的问题没有在其他项目中再次出现。",
        "No heatmap: no project hours are booked or planned in the window.": "无热力图：窗口内没有已登记或计划的项目工时。",
        "No high-impact lesson to improve has been recorded, so there is no follow-through to measure.": "没有记录待改进的高影响经验，因此没有可衡量的跟进。",
        "No hours are booked in the complete months of the window (up to {month}).": "窗口内的完整月（截至 {month}）没有登记工时。",
        "No lesson of kind went well.": "没有成功经验类的记录。",
        "No month of the cash flows is complete at {date}: the whole curve is the plan.": "截至 {date} 现金流没有完整月：整条曲线都是计划。",
        "No project hours are booked in the complete months of the window (up to {month}): utilization, the bench and plan against actual need timesheets, so only the plan is shown.": "窗口内的完整月（截至 {month}）没有登记项目工时：利用率、闲置和计划对实际都需要工时表，因此只显示计划。",
        "No project hours are planned or booked in the complete months of the window (up to {month}), so there is no effort to compare.": "窗口内的完整月（截至 {month}）没有计划或登记的项目工时，因此没有可比较的投入。",
        "No project is proposed or running: all {n} are completed or cancelled, so there is nothing to fund, stop or defer.": "没有提议或在建的项目：全部 {n} 个已完成或取消，因此没有需要资助、停止或暂缓的项目。",
        "No project is running (active or on hold) at {date}, so there is no earned value to judge.": "截至 {date} 没有在建项目（进行中或暂停），因此没有挣值可评判。",
        "No recommendation is open or in progress: every action is done, or none was recorded.": "没有未处理或处理中的建议：所有行动都已完成，或没有记录。",
        "No utilization to chart: no project hours are booked in the complete months of the window.": "无利用率图：窗口内的完整月没有登记项目工时。",
        "Nobody is below the bench threshold over the last three complete months.": "最近三个完整月内没有人低于闲置阈值。",
        "Nobody is planned above {pct} of capacity in {months}.": "{months} 没有人的计划高于产能的 {pct}。",
        "None of the {n} running project(s) has earned value at {date}: CPI and SPI need a percent complete and planned or actual cost up to the last complete month.": "截至 {date}，{n} 个在建项目都没有挣值：CPI 和 SPI 需要完成百分比以及截至最后一个完整月的计划或实际成本。",
        "Oldest open recommendations": "最久未处理的建议",
        "One decision per open project, with its reason": "每个未结项目一项决策及其理由",
        "Open recommendations": "未处理的建议",
        "Over-allocated person-months in {months}, largest excess first": "{months} 的超负荷人月，超出最多的在前",
        "People below the threshold over the last 3 complete months, with the projects where their role is over-allocated ahead": "最近 3 个完整月低于阈值的人员，以及其角色未来超负荷的项目",
        "Planned": "计划",
        "Practices reported as working": "被报告为有效的做法",
        "Projects furthest from planned effort (complete months)": "偏离计划投入最远的项目（完整月）",
        "Recurring themes (≥ {n} projects)": "反复出现的主题（≥ {n} 个项目）",
        "Roles short of capacity on average over {months}: {roles}.": "{months} 平均产能短缺的角色：{roles}。",
        "Ten worst forecast variances at completion (VAC); months without actuals were counted at plan": "完工偏差（VAC）最差的十个项目；无实际数据的月份按计划计算",
        "The cash flows table has no rows, so there is no J-curve to draw.": "现金流表没有数据，因此无法绘制 J 曲线。",
        "The lessons table has no rows: no lesson has been recorded yet.": "经验表没有数据：尚未记录任何经验。",
        "The resources table has no rows, so there is nobody to report on.": "资源表没有数据，因此没有可报告的人员。",
        "There are no forward months to compare.": "没有可比较的未来月份。",
        "This report needs the lessons table, which the data folder does not hold (see docs/data-dictionary.md).": "本报告需要 lessons 表，数据文件夹中没有（见 docs/data-dictionary.md）。",
        "This report needs the resources, assignments and timesheets tables, which the data folder does not hold (see docs/data-dictionary.md).": "本报告需要 resources、assignments 和 timesheets 表，数据文件夹中没有（见 docs/data-dictionary.md）。",
        "This report needs the table(s) {tables}, which the data in {folder} does not hold (see docs/data-dictionary.md).": "本报告需要 {tables} 表，{folder} 中的数据没有（见 docs/data-dictionary.md）。",
        "To improve / went well": "待改进 / 成功经验",
        "Utilization, {n} complete months": "利用率，{n} 个完整月",
        "With {cap} available against a need of {need}, the selection funds {n} of {total} candidate project(s) for {funded}. Decisions: {counts}.": "可用资金 {cap}，需求 {need}，选择在 {total} 个候选项目中资助 {n} 个，共 {funded}。决策：{counts}。",
        "none": "无",
        "{n} lesson(s) had their action marked done, yet the same problem came back later in another project (the lesson date stands in for the completion date, which the register does not hold).": "{n} 条经验的行动已标记为完成，但同样的问题之后在其他项目中再次出现（登记表没有完成日期，以经验日期代替）。",
        "{n} of the {total} running project(s) have no earned value yet (no percent complete, or no cost up to the last complete month) and are not drawn: {ids}.": "{total} 个在建项目中有 {n} 个尚无挣值（没有完成百分比，或截至最后一个完整月没有成本），未绘制：{ids}。",
        "{n} people are planned above {pct} of capacity in {months}.": "{months} 有 {n} 人的计划高于产能的 {pct}。",
        "{n} project(s) have more than one IRR (their cash flows change sign several times): the IRR shown is the root nearest 10%, and IRR roots gives the count.": "{n} 个项目有多个 IRR（现金流多次变号）：所示 IRR 为最接近 10% 的解，“IRR 解的个数”一列给出共有几个。",
        "At the end of {month} the cumulative net cash flow is {value} ahead of plan.": "{month} 末累计净现金流领先计划 {value}。",
        "At the end of {month} the cumulative net cash flow is {value} behind plan.": "{month} 末累计净现金流落后计划 {value}。",
        "Stale data": "数据过期",
        # section headings
        "Bench: who has spare time, and where their role is short": "闲置：谁有空余时间，其角色在哪里短缺",
        "Capacity vs demand by role for the coming months": "未来几个月各角色的产能与需求",
        "Heatmap: utilization by month (actual in complete months, planned after)": "热力图：按月利用率（完整月为实际，之后为计划）",
        "Over-allocation: who is planned above capacity, and which projects cause it": "超负荷：谁的计划超出产能，由哪些项目造成",
        "Overview: categories, phases, impact and trend": "概览：类别、阶段、影响和趋势",
        "Plan vs actual effort per project": "各项目计划与实际投入",
        "Returns by department and strategic objective": "按部门和战略目标的回报",
        "Utilization and its trend, by department and role": "按部门和角色的利用率及趋势",
        "Where time went": "时间去向",
        "Decisions: the rules, then the budget": "决策：先规则，后预算",
    }
)

# the words of the portfolio model: health reasons (analyses/health.py), decision reasons
# (analyses/finance/decisions.py) and the decisions needed (analyses/summary.py), each the template
# of a reason code in core/wording.py; the model is built in the run's language (runs/runner.py)
_add(
    {
        "; ": "；",
        ", ": "、",
        "unknown": "未知",
        # health
        "CPI {value} below {threshold}": "CPI {value} 低于 {threshold}",
        "SPI {value} below {threshold}": "SPI {value} 低于 {threshold}",
        "end date {date} passed at {pct}% complete": "结束日期 {date} 已过，完成 {pct}%",
        "end date {date} passed with no percent complete reported": "结束日期 {date} 已过，未报告完成百分比",
        "risk score {score}/5": "风险评分 {score}/5",
        "no earned value (percent complete or actual cost missing)": "无挣值（缺少完成百分比或实际成本）",
        "no benefit figures recorded": "未记录收益数据",
        "no percent complete reported": "未报告完成百分比",
        "no actual cost reported": "未报告实际成本",
        "no cash flows": "无现金流",
        "{n} of {total} projects": "{total} 个项目中的 {n} 个",
        "needs percent complete (for CPI and SPI)": "需要完成百分比（用于 CPI 和 SPI）",
        "needs actual cost to date (for CPI)": "需要截至目前的实际成本（用于 CPI）",
        "needs planned cost to date (for SPI)": "需要截至目前的计划成本（用于 SPI）",
        "needs benefits (for ROI, NPV and payback)": "需要收益数据（用于 ROI、净现值和回收期）",
        "needs cash flows (for ROI, NPV and payback)": "需要现金流数据（用于 ROI、净现值和回收期）",
        "delayed {days} days by {by} (dependency)": "受前置项目 {by} 影响延误 {days} 天",
        "{n} missed milestone(s)": "{n} 个里程碑逾期未达成",
        "open risk exposure {money} = {share} of budget": "未关闭风险敞口 {money}，占预算 {share}",
        # rules and budget of the decisions
        "negative remaining NPV ({value})": "剩余净现值为负（{value}）",
        "low strategic alignment ({value}/5)": "战略契合度低（{value}/5）",
        " (forecast overrun {amount})": "（预计超支 {amount}）",
        "never pays back in the forecast": "预测期内无法收回投资",
        "priority score {score}": "优先级得分 {score}",
        "remaining NPV {value}": "剩余净现值 {value}",
        "funded: {value} for a need of {need}": "获资助：{value}，资金需求 {need}",
        "not funded: no positive score": "未获资助：得分不为正",
        "not funded: no positive remaining NPV": "未获资助：剩余净现值不为正",
        "not funded within the budget cap of {cap}: {value} for a need of {need} ranks below the funded projects": "在预算上限 {cap} 内未获资助：{value}，资金需求 {need}，排在获资助项目之后",
        "not funded further (stopping frees a need of {need})": "不再追加资助（停止可释放资金需求 {need}）",
        "not funded (rejecting frees a need of {need})": "不予资助（拒绝可释放资金需求 {need}）",
        "not ranked for funding until the data is there": "数据补齐前不参与资助排序",
        "set by the budget_cap parameter": "由参数 budget_cap 设定",
        "default: {share} of the total funding need of {need}; set budget_cap to change it": "默认：总资金需求 {need} 的 {share}；可通过 budget_cap 参数修改",
        "Assumptions: budget cap {cap} ({source}); discount rate {rate} a year; CPI off track below {cpi_red}, at risk below {cpi_amber}; SPI off track below {spi_red}, at risk below {spi_amber}; risk score at risk from {risk}/5; forward horizon {horizon} months ({first} to {last}).": "假设：预算上限 {cap}（{source}）；年折现率 {rate}；CPI 低于 {cpi_red} 为偏离，低于 {cpi_amber} 为有风险；SPI 低于 {spi_red} 为偏离，低于 {spi_amber} 为有风险；风险评分 {risk}/5 及以上为有风险；前瞻期 {horizon} 个月（{first} 至 {last}）。",
        "Forecast ranges: {draws} seeded draws (seed {seed}); outcomes correlated {rho} within {group}; a reference class needs {min} completed projects ({n} in the data).": "预测区间：{draws} 次带种子的联合抽样（种子 {seed}）；{group}内项目结果的相关系数为 {rho}；参照类至少需要 {min} 个已完成项目（数据中有 {n} 个）。",
        "each department": "各部门",
        "the whole portfolio": "整个组合",
        "closed ({status})": "已关闭（{status}）",
        # what flips a decision (robustness)
        "{decision} holds unless the discount rate falls below {rate}": "除非折现率降至 {rate} 以下，否则维持“{decision}”",
        "{decision} holds unless the discount rate rises above {rate}": "除非折现率升至 {rate} 以上，否则维持“{decision}”",
        "remaining NPV turns negative if the discount rate rises above {rate}": "折现率升至 {rate} 以上时剩余净现值转为负",
        "remaining NPV turns negative if the discount rate falls below {rate}": "折现率降至 {rate} 以下时剩余净现值转为负",
        "{decision} holds at any discount rate up to {bound} a year": "年折现率在 {bound} 以内时均维持“{decision}”",
        "remaining NPV stays positive at any discount rate up to {bound} a year": "年折现率在 {bound} 以内时剩余净现值均为正",
        "{decision} holds at any discount rate of 0% or more": "折现率不低于 0% 时均维持“{decision}”",
        "remaining NPV stays positive at any discount rate of 0% or more": "折现率不低于 0% 时剩余净现值均为正",
        "(one of {n} rates at which it is zero: no unique IRR)": "（使其为零的利率共 {n} 个：IRR 不唯一）",
        "no discount rate changes the sign of its remaining NPV": "任何折现率都不会改变其剩余净现值的正负",
        "turns negative if costs overrun by {share} (fragile: within the P80 overrun of {p80})": "成本超支 {share} 时转为负（脆弱：在 P80 超支 {p80} 以内）",
        "turns negative if costs overrun by {share} (beyond the P80 overrun of {p80})": "成本超支 {share} 时转为负（超出 P80 超支 {p80}）",
        "no cost overrun turns it negative (no remaining cost)": "任何成本超支都不会使其转为负（无剩余成本）",
        "would turn positive if remaining costs fell by {cost} or its benefits rose by {benefit}": "剩余成本降低 {cost} 或收益增加 {benefit} 时将转为正",
        "would turn positive if remaining costs fell by {cost}": "剩余成本降低 {cost} 时将转为正",
        "would be funded if the budget cap rose by {money}": "预算上限提高 {money} 时将获资助",
        "would be dropped if the budget cap fell by {money}": "预算上限降低 {money} 时将不再获资助",
        "at the funding line: which projects fill the last of the budget decides it": "处于资助线上：由哪些项目填满最后一部分预算决定",
        "would be funded with the {weight} weight at {new} instead of {old}": "{weight}权重由 {old} 改为 {new} 时将获资助",
        "would be dropped with the {weight} weight at {new} instead of {old}": "{weight}权重由 {old} 改为 {new} 时将不再获资助",
        "no change of one score weight flips its funding": "单独改变任一得分权重都不会改变其资助",
        "robustness n/a ({reason})": "稳健性不适用（{reason}）",
        "alignment": "战略契合度",
        "value": "价值",
        "risk": "风险",
        "no cash flow after the last complete month": "最后一个完整月之后无现金流",
        "its remaining flows never change sign": "剩余现金流从不变号",
        # decisions needed (executive summary)
        "from {project}": "来自 {project}",
        "frees {money}": "释放 {money}",
        "needs {money}": "需要 {money}",
        "{verb} {project} {name}": "{verb} {project} {name}",
        "{verb} {n} more project(s)": "{verb}另外 {n} 个项目",
        "listed in decisions.csv and the ROI report": "见 decisions.csv 和投资回报报告",
        "Fund {n} proposed project(s)": "资助 {n} 个提议项目",
        "Collect the benefits of {n} project(s) before deciding their funding": "先补充 {n} 个项目的收益数据，再决定其资助",
        " and {n} more": " 等另外 {n} 个",
        "Add capacity: {role}": "增加产能：{role}",
        "short {fte} FTE on average over {first} to {last} ({hours} hours)": "{first} 至 {last} 平均短缺 {fte} FTE（{hours} 小时）",
        "{name} (text theme)": "{name}（文本主题）",
        "Assign an owner: recurring problem '{name}'": "指定负责人：反复出现的问题“{name}”",
        "{projects} projects, {lessons} lessons, no open action": "{projects} 个项目，{lessons} 条经验，无未完成行动",
        # delivery decisions (executive summary)
        "cannot start as planned": "无法按计划开始",
        "cannot finish as planned": "无法按计划完成",
        "forecast start": "预测开始",
        "forecast end": "预测结束",
        "finish to start": "完成-开始",
        "start to start": "开始-开始",
        "finish to finish": "完成-完成",
        "start to finish": "开始-完成",
        "Re-plan {successor} or recover {root}": "重新规划 {successor}，或追回 {root} 的进度",
        "{waits}: {days} days late through {path} ({type}; {predecessor} {which} {date})": "{waits}：经 {path} 延误 {days} 天（{type}；{predecessor} {which} {date}）",
        "Re-plan {n} more dependency conflict(s)": "重新规划另外 {n} 个依赖冲突",
        "listed in dependency_conflicts.csv and the delivery report": "见 dependency_conflicts.csv 和交付报告",
        "mitigation {days} days overdue": "缓解措施逾期 {days} 天",
        "resolution {days} days overdue": "解决逾期 {days} 天",
        "no owner": "无负责人",
        "Decide on risk {id} of {project}: {title}": "就 {project} 的风险 {id} 作出决定：{title}",
        "Decide on issue {id} of {project}: {title}": "就 {project} 的问题 {id} 作出决定：{title}",
        "Decide on {kind} {id} of {project}: {title}": "就 {project} 的{kind} {id} 作出决定：{title}",
        " (probability {probability}, impact {impact})": "（概率 {probability}，影响 {impact}）",
        "exposure {money}": "敞口 {money}",
        "Decide on {n} more overdue or unowned risk(s) and issue(s)": "就另外 {n} 个逾期或无负责人的风险和问题作出决定",
        "listed in risk_exposure.csv and the delivery report": "见 risk_exposure.csv 和交付报告",
    }
)

# the delivery section of the executive summary and the lessons report (their notebooks' _() texts)
_add(
    {
        "Benefits realized (completed projects)": "已实现收益（已完成项目）",
        "Delivery: dependencies, milestones, risks, benefits": "交付：依赖、里程碑、风险、收益",
        "Dependency conflicts": "依赖冲突",
        "Dependency conflicts, milestone slips and risk exposure need the {tables} table(s), which this data does not hold (see docs/data-dictionary.md); benefits realization needs only the cash flows.": "依赖冲突、里程碑延误和风险敞口需要 {tables} 表，此数据中没有（见 docs/data-dictionary.md）；收益实现只需要现金流。",
        "Milestones on time": "按时达成的里程碑",
        "Missed milestones": "逾期未达成的里程碑",
        "No theme has to-improve lessons from {n} or more projects.": "没有主题的待改进经验来自 {n} 个或更多项目。",
        "Open risk exposure": "未关闭风险敞口",
        "Overdue mitigations / no owner": "逾期缓解措施 / 无负责人",
        "Overdue mitigations": "逾期缓解措施",
        '{n} of the {total} lessons grouped by what they say ({share}) share no problem with the other lessons: they are kept together as "Other lessons" and are never a recurring problem.': "按内容归组的 {total} 条经验教训中有 {n} 条（{share}）与其他经验教训没有共同问题：它们归入“其他经验教训”，从不计为反复出现的问题。",
        "Risks and issues with no owner": "无负责人的风险和问题",
        "Problems reported by at least {n} projects": "至少 {n} 个项目报告的问题",
        "Top 5 open risks and issues by exposure (all in the delivery report)": "敞口最大的 5 个未关闭风险和问题（全部见交付报告）",
        "{n} dependency conflict(s): the successor cannot start or finish as planned": "{n} 个依赖冲突：后续项目无法按计划开始或完成",
    }
)

# the delivery report (notebooks/portfolio_delivery.ipynb)
_add(
    {
        "1. Dependency conflicts and slip propagation": "1. 依赖冲突与延误传递",
        "2. Milestones": "2. 里程碑",
        "3. Risks and issues": "3. 风险与问题",
        "4. Benefits realization": "4. 收益实现",
        "Benefits realized, completed projects": "已实现收益（已完成项目）",
        "Completed projects, largest shortfall first": "已完成项目，缺口最大的在前",
        "Longest dependency chain: {n} projects, {chain}; it ends {date} on the current forecast.": "最长依赖链：{n} 个项目，{chain}；按当前预测于 {date} 结束。",
        "Milestones on time (due by {date})": "按时达成的里程碑（截至 {date} 到期）",
        "No completed project: there is no benefit to check yet.": "没有已完成项目：暂无可核对的收益。",
        "No dependency conflict: every successor can start and finish as planned.": "没有依赖冲突：每个后续项目都能按计划开始和完成。",
        "No risk or issue is open.": "没有未关闭的风险或问题。",
        "Not available from this data: {what}. Add the tables as described in docs/data-dictionary.md; benefits realization needs only the cash flows.": "此数据无法提供：{what}。请按 docs/data-dictionary.md 添加这些表；收益实现只需要现金流。",
        "On-time rate by department (due milestones reached by their baseline)": "各部门按时率（到期里程碑在基线日期前达成）",
        "No milestone was due by {date}, so there is no on-time rate yet.": "截至{date}尚无到期里程碑，暂无按时率。",
        "Open exposure by department (share of the department's budget)": "各部门未关闭敞口（占部门预算的比例）",
        "Projects delayed by a predecessor": "受前置项目拖延的项目",
        "Projects forecast to end late: own slip (milestones) and slip passed on by predecessors": "预测延期结束的项目：自身延误（里程碑）及前置项目传递的延误",
        "Slipped and missed milestones, missed first, then by slip": "已延误和逾期未达成的里程碑，先逾期未达成，再按延误排序",
        "Top 15 open risks and issues by exposure": "敞口最大的 15 个未关闭风险和问题",
        "dependency conflicts and slip propagation": "依赖冲突与延误传递",
        "milestone trends": "里程碑趋势",
        "risks and issues": "风险与问题",
        "{n} completed project(s) realized {realized} of the {planned} planned to date ({share}); {short} fall short by {shortfall} in total.": "{n} 个已完成项目实现了截至目前计划的 {planned} 中的 {realized}（{share}）；{short} 个未达标，共短缺 {shortfall}。",
        "{n} dependency conflict(s), largest slip first": "{n} 个依赖冲突，延误最大的在前",
        "{n} of {total} milestones slipped or missed; {missed} missed (baseline passed, not reached).": "{total} 个里程碑中 {n} 个已延误或逾期未达成；{missed} 个逾期未达成（基线已过，未达成）。",
        "{n} open issue(s), median age {median} days, oldest {oldest} days.": "{n} 个未关闭问题，中位天数 {median} 天，最久 {oldest} 天。",
        "{n} open risk(s) and issue(s) with no owner": "{n} 个无负责人的未关闭风险和问题",
        "{n} overdue mitigation(s) or resolution(s), oldest first": "{n} 个逾期的缓解或解决措施，最久的在前",
        "{what} (needs the {table} table)": "{what}（需要 {table} 表）",
    }
)

# the project page (notebooks/project_report.ipynb)
_add(
    {
        " to ": " 至 ",
        " (forecast end {date})": "（预测结束 {date}）",
        "AC counts {n} past month(s) without a reported actual cost at their planned cost.": "AC 将 {n} 个没有实际成本报告的历史月份按计划成本计算。",
        "Budget (BAC)": "预算（BAC）",
        "Decision": "决策",
        "Decision {decision}: {reason}.": "决策：{decision}。理由：{reason}。",
        "What would flip it: {text}.": "什么变化会改变这一决策：{text}。",
        "Dependencies": "依赖",
        "EAC / VAC": "EAC / VAC",
        "Health": "健康状况",
        "Health {health}: {reason}.": "健康状况：{health}（{reason}）。",
        "Health {health}.": "健康状况：{health}。",
        "Milestones": "里程碑",
        "No past lesson from another project matches this project.": "没有其他项目的过往经验与本项目匹配。",
        "Nobody is assigned to this project or books hours on it in the window.": "窗口内没有人被分配到本项目或在本项目登记工时。",
        "Nobody on this project is over-allocated in the months ahead because of it.": "未来几个月内没有人因本项目而超负荷。",
        "Open actions from this project's lessons ({n})": "本项目经验的未完成行动（{n}）",
        "Over-allocated ahead, partly because of this project (planned hours by project)": "未来超负荷的人员（部分由本项目造成；按项目列出计划工时）",
        "Past lessons that match it (score: text similarity, department, category, impact)": "与之匹配的过往经验（得分：文本相似度、部门、类别、影响）",
        "People on it: planned and booked hours over the complete months, and planned {first} to {last}": "项目人员：完整月内的计划与登记工时，以及 {first} 至 {last} 的计划",
        "Risks": "风险",
        "TCPI": "TCPI",
        "This project has no cash flows, so there is no earned-value curve or J-curve to draw.": "本项目没有现金流，因此无法绘制挣值曲线或 J 曲线。",
        "department {name}": "部门：{name}",
        "manager {name}": "项目经理：{name}",
        "not running": "未在建",
        "status {status}": "状态：{status}",
        "{name} ({n})": "{name}（{n}）",
        "{pct} complete": "已完成 {pct}",
    }
)

_add(
    {
        # project and department pages: header, navigation and department report
        "Project {title}": "项目 {title}",
        "Run index": "本次运行索引",
        "ROI report": "投资回报报告",
        "Utilization report": "资源利用率报告",
        "Department: {name}": "部门：{name}",
        "{name}: department report {date}": "{name}：部门报告 {date}",
        "Running projects: cost and schedule performance": "在建项目：成本与进度绩效",
        "People (complete months of the window)": "人员（窗口内的完整月）",
        "Projects (running)": "项目（在建）",
        "NPV (at {date})": "净现值（截至 {date}）",
    }
)

# the input template (pmo_analysis/inputs/template.py): instructions, header notes, validation messages
_add(
    {
        "Instructions": "说明",
        "Portfolio data template": "项目组合数据模板",
        "Fill one sheet per table below. Keep the sheet names and the header rows as they are; type or paste your rows under the header.": "每张表填写一个工作表。工作表名称和标题行保持不变；在标题行下方输入或粘贴数据行。",
        "Point at a column's header to read what it holds. Dark headers are required; light headers may be left empty.": "将鼠标指向列标题即可查看该列的含义。深色标题为必填列；浅色标题可以留空。",
        "Coded columns offer a drop-down list; date columns take dates only; number columns take their range only; id columns offer the ids typed in the projects or resources sheet, so fill those sheets first.": "代码列提供下拉列表；日期列只接受日期；数字列只接受其范围内的数值；编号列提供 projects 或 resources 工作表中已填写的编号，因此请先填写这两个工作表。",
        "Amounts are in one currency for the whole workbook. An empty cell means not given, never zero.": "整个工作簿的金额使用同一种货币。空单元格表示未提供，绝不等于零。",
        "This sheet is ignored when the workbook is read; sheets you do not need may stay empty.": "读取工作簿时会忽略本工作表；不需要的工作表可以留空。",
        "Sheet": "工作表",
        "What it holds": "内容",
        "Who fills it": "填写人",
        "Needed": "是否需要",
        "Check and run": "检查与运行",
        "Check the workbook:": "检查工作簿：",
        "Run the reports:": "运行报告：",
        "validate lists every problem with its sheet, row, column, value and rule; fix them and check again. The rules are in docs/data-dictionary.md.": "validate 会列出每个问题所在的工作表、行、列、值和规则；修正后再次检查。规则见 docs/data-dictionary.md。",
        "One row per project in the portfolio, whatever its status.": "项目组合中的每个项目一行，无论其状态如何。",
        "One row per project and month: planned and actual cost and benefit.": "每个项目每月一行：计划和实际的成本与收益。",
        "One row per person whose time the PMO plans: role, department, weekly capacity, cost.": "PMO 计划其时间的每个人一行：角色、部门、每周产能、成本。",
        "Who is planned on which project, from when to when, at what share of their week.": "谁被计划投入哪个项目、从何时到何时、占其每周时间的比例。",
        "Hours booked: one row per person, project (or non-project activity) and day.": "登记的工时：每人、每个项目（或非项目活动）、每天一行。",
        "Lessons learned: what went well and what to improve, with a recommendation.": "经验教训：成功经验和待改进之处，并附建议。",
        "Public holidays: weekdays nobody works.": "公共假日：无人上班的工作日。",
        "Projects that wait for another project: which one, how and with what lag.": "等待其他项目的项目：等待哪个项目、以何种方式、间隔多久。",
        "Milestones with their baseline, forecast and actual dates; one row per status report.": "里程碑及其基线、预测和实际日期；每次状态报告一行。",
        "Open and closed risks and issues, with probability, cost impact, owner and due date.": "未关闭和已关闭的风险与问题，含概率、成本影响、负责人和到期日。",
        "PMO": "PMO",
        "Finance, with each project manager": "财务部门，与各项目经理共同填写",
        "Resource manager": "资源经理",
        "Resource manager, with each project manager": "资源经理，与各项目经理共同填写",
        "Each person, or an export of the timesheet system": "每位员工本人，或工时系统的导出",
        "Project manager": "项目经理",
        "Required": "必需",
        "For the utilization report": "资源利用率报告需要",
        "For the lessons-learned report": "经验教训报告需要",
        "Optional: for the delivery report": "选填：交付报告使用",
        "Optional": "选填",
        "Text (an identifier or a name).": "文本（编号或名称）。",
        "Text.": "文本。",
        "Date (YYYY-MM-DD).": "日期（YYYY-MM-DD）。",
        "Month (YYYY-MM, or any date in the month).": "月份（YYYY-MM，或该月中的任一日期）。",
        "Number (amount).": "数字（金额）。",
        "Number.": "数字。",
        "One of the listed values.": "列表中的一个值。",
        "Required.": "必填。",
        "Optional: leave empty when not known.": "选填：未知时留空。",
        "Unit: {unit}.": "单位：{unit}。",
        "Range: {range}.": "范围：{range}。",
        "Values: {values}.": "可选值：{values}。",
        "Must be a {column} of the {table} sheet.": "必须是 {table} 工作表中已有的 {column}。",
        "Unique: no two rows have the same value.": "唯一：任意两行的值不得相同。",
        "Unique together with {others}: one row per {key}.": "与 {others} 组合唯一：每个 {key} 组合一行。",
        "Must not be before {column}.": "不得早于 {column}。",
        "{low} and {high}": "{low} 且 {high}",
        "Not allowed here": "此处不允许该值",
        "Choose a {column} typed in the {table} sheet (fill that sheet first).": "请选择 {table} 工作表中已填写的 {column}（请先填写该工作表）。",
        "Choose one of: {values}": "请从以下值中选择：{values}",
        "Enter a date, such as 2026-03-31.": "请输入日期，例如 2026-03-31。",
        "Enter a month, such as 2026-03.": "请输入月份，例如 2026-03。",
        "Enter a number {range}.": "请输入数字，{range}。",
        # units of the data contract (schema.Column.unit)
        "currency": "货币（整个工作簿统一）",
        "currency/hour": "货币/小时",
        "score 1-5": "1-5 分",
        "%": "%",
        "% of weekly capacity": "占每周产能的 %",
        "hours/week": "小时/周",
        "hours": "小时",
        "calendar days": "日历天",
        "probability 0-1": "概率 0-1",
        # code values without a report label (lesson phases, action status)
        "initiating": "启动",
        "planning": "规划",
        "executing": "执行",
        "monitoring": "监控",
        "closing": "收尾",
        "n/a": "不适用",
        # the data contract's column descriptions (schema.Column.description)
        "Unique project identifier": "项目唯一编号",
        "Project name": "项目名称",
        "Owning department": "所属部门",
        "Portfolio status": "在项目组合中的状态",
        "Planned or actual start": "计划或实际开始日期",
        "Planned finish (must not be before start_date)": "计划完成日期（不得早于 start_date）",
        "Budget at completion (BAC)": "完工预算（BAC）",
        "Executive sponsor": "高管发起人",
        "Objective it serves": "所服务的战略目标",
        "Fit with strategy, 5 = best": "与战略的契合度，5 = 最好",
        "Delivery risk, 5 = riskiest": "交付风险，5 = 风险最高",
        "Physical percent complete, used for earned value": "实际完成百分比，用于计算挣值",
        "Date percent_complete was last reported; tells the reports how fresh progress is": "最近一次报告 percent_complete 的日期；报告据此判断进度数据是否及时",
        "Month (2026-03 or any date in it)": "月份（2026-03 或该月中的任一日期）",
        "Empty = not reported yet": "空 = 尚未报告（不是零）",
        "First working day": "第一个工作日",
        "Last working day": "最后一个工作日",
        "Empty = non-project time": "空 = 非项目时间",
        "e.g. delivery, leave, admin, training": "例如 delivery（交付）、leave（休假）、admin（行政）、training（培训）",
        "A non-working weekday": "不上班的工作日（节假日）",
        "The project whose dates constrain the successor": "其日期约束后续项目的前置项目",
        "The project that waits (must differ from predecessor_id; no cycles)": "等待的后续项目（必须不同于 predecessor_id；不得形成循环）",
        "Empty = finish_to_start": "空 = finish_to_start（完成-开始）",
        "Days between the two dates (negative = lead); empty = 0": "两个日期之间的天数（负数 = 提前）；空 = 0",
        "What the successor waits for": "后续项目在等待什么",
        "Identifies the milestone within its project": "在所属项目内标识该里程碑",
        "Milestone name": "里程碑名称",
        "Date agreed in the baseline plan": "基线计划中约定的日期",
        "Date forecast at status_date (empty = the baseline still holds)": "在 status_date 时预测的日期（空 = 仍按基线）",
        "Date reached (empty = not reached yet)": "达成日期（空 = 尚未达成）",
        "Date of the status report this row records; several rows of one milestone are the history of its forecast": "本行记录的状态报告日期；同一里程碑的多行即其预测的历史",
        "risk: may happen; issue: has happened": "risk：可能发生；issue：已经发生",
        "Chance the risk happens; required for a risk, empty = 1 for an issue": "风险发生的概率；风险必填，问题留空即为 1",
        "Cost if it happens": "发生时的成本",
        "Who manages it (empty = nobody)": "负责管理的人（空 = 无人负责）",
        "Mitigation (risk) or resolution (issue) due; not before raised_date": "缓解（风险）或解决（问题）的到期日；不早于 raised_date",
        "When it was closed": "关闭日期",
    }
)

# the run's index page, the reports index and a page that failed (templates/*.html.j2)
_add(
    {
        "Portfolio reports": "项目组合报告",
        "{n} run(s), newest first.": "共 {n} 次运行，最新的在前。",
        "Latest good run:": "最近一次成功运行：",
        "No successful run of the whole suite yet.": "全套报告尚无成功运行。",
        "Latest headline": "最新关键数字",
        "Latest: as of {date}": "最新：截至 {date}",
        "executive summary": "执行摘要",
        "Run": "运行",
        "Status": "状态",
        "As of": "截至日期",
        "Schedule": "报告周期",
        "Started": "开始时间",
        "Reports": "报告",
        "(latest good)": "（最近一次成功）",
        "(not the whole suite)": "（非全套报告）",
        "Off track / at risk / on track": "偏离 / 有风险 / 正常",
        "Portfolio report {run}": "项目组合报告 {run}",
        "Portfolio report, as of {date}": "项目组合报告，截至 {date}",
        "Run {run}": "运行 {run}",
        "started {time}": "开始于 {time}",
        "{s} s": "{s} 秒",
        "data {name} ({what})": "数据 {name}（{what}）",
        "{n} database tables": "{n} 张数据库表",
        "{n} files": "{n} 个文件",
        "manifest": "运行清单",
        "(and listed in each report's data-quality section and in the manifest)": "（每一行都列在各报告的数据质量部分和运行清单中）",
        ".": "。",
        ": one decision per project, with its reason.": "：每个项目一项决策，附理由。",
        ": every table of this run in one Excel workbook.": "：本次运行的全部表格，汇总在一个 Excel 工作簿中。",
        "Report": "报告",
        "Time": "用时",
        "Tables": "表格",
        "Error": "错误",
        "Not run: {reason}.": "未运行：{reason}。",
        "Project and department pages: not run: {reason}.": "项目页和部门页未运行：{reason}。",
        "{title}: failed": "{title}：失败",
        "This page failed and is incomplete.": "本页生成失败，内容不完整。",
        "Project pages": "项目页",
        "{n} project page(s) ({which}), worst health first": "{n} 个项目页（{which}），健康状况最差的在前",
        "{n} failed": "{n} 个失败",
        "Departments:": "部门：",
        "{n} project(s)": "{n} 个项目",
        "Project": "项目",
        "Page": "页面",
    }
)

# the delivery report's charts (reporting/plots/delivery.py)
_add(
    {
        " (the {n} of {total} projects around a conflict)": "（{total} 个项目中与冲突相关的 {n} 个）",
        "+{days} d": "+{days} 天",
        "conflict (slip in days)": "冲突（延误天数）",
        "Dependencies: {n} conflict(s) among {linked} linked projects{note} (earlier projects on the left)": "依赖关系：{linked} 个关联项目{note}中有 {n} 个冲突（靠前的项目在左侧）",
        "reached (date = status date)": "已达成（日期 = 状态日期）",
        "up to {days} days late": "最多延误 {days} 天",
        "on baseline": "按基线",
        "Status report date": "状态报告日期",
        "Forecast date (dotted: baseline)": "预测日期（虚线：基线）",
        "Milestone trend analysis: rising lines are milestones slipping report after report": "里程碑趋势分析：上升的线表示里程碑在一次次报告中不断延误",
        "Exposure (probability x impact)": "风险敞口（概率 × 影响）",
        "Impact as a share of the project's budget": "影响占项目预算的比例",
        "Probability": "概率",
        "{n} open risks and issues (count, exposure)": "{n} 个未关闭的风险和问题（数量、敞口）",
        ": most exposure at {probability} probability, impact {impact}": "：敞口最集中在概率 {probability}、影响 {impact}",
    }
)

_add(
    {
        # hours per project in a table cell ("PRJ-1: 84 h; PRJ-7: 70 h")
        "{hours} h": "{hours} 小时",
    }
)

# why a past lesson is shown to a running project (core/wording.py, analyses/lessons/matching.py)
_add(
    {
        "same category '{category}'": "同属类别“{category}”",
        "same theme": "同一主题",
        "same department": "同一部门",
        "text similarity {value}": "文本相似度 {value}",
    }
)

# the lessons report (notebooks/lessons_learned.ipynb)
_add(
    {
        "No project is running at {date}, so no past lesson is matched to one.": "截至 {date} 没有在建项目，因此没有可匹配的过往经验。",
        "No past lesson from another project matches the running projects.": "没有其他项目的过往经验与在建项目匹配。",
        "Top {n} past lessons per running project (score: text similarity, department, category, impact)": "每个在建项目最相关的 {n} 条过往经验（得分依据：文本相似度、部门、类别、影响）",
        "Search “{query}”: no lesson matches.": "检索“{query}”：没有匹配的经验。",
        "Search “{query}”": "检索“{query}”",
    }
)

# how fresh the data is (model.freshness): the stale notes of a run and its reports
_add(
    {
        "{kind} end in {month}, {n} months before the last complete month {last}": "{kind}截至 {month}，比最后一个完整月 {last} 早 {n} 个月",
        "actual costs": "实际成本",
        "timesheets": "工时记录",
        "progress reports": "进度报告",
        "cash flows": "现金流",
        "no actual cost is reported, although costs were planned from {month}": "尚未报告任何实际成本，而计划成本从 {month} 起就已开始",
        "the data begins after this date ({firsts})": "数据在此日期之后才开始（{firsts}）",
        "{kind} from {month}": "{kind}从 {month} 开始",
    }
)

# report.xlsx in a report's language: its contents sheet
_add(
    {
        "Contents": "目录",
        "sheet": "工作表",
        "rows shown": "显示行数",
        "rows": "总行数",
        "every row in": "全部行所在文件",
    }
)

_add(
    {
        # a project and what is said of it (a chart's title)
        "{project}: {slip}": "{project}：{slip}",
    }
)

# pmo-analysis import: its lines and import-report.md (runs/imports.py, cli.py)
_add(
    {
        "no schedule could be imported": "没有可导入的进度计划",
        # why a schedule file cannot be imported (inputs/schedules)
        "unsupported format {suffix}: import Microsoft Project (.mpp, .xml) or Primavera P6 (.xer, .xml/.pmxml) files": (
            "不支持的格式 {suffix}：请导入 Microsoft Project（.mpp、.xml）或 Primavera P6（.xer、.xml/.pmxml）文件"
        ),
        "(no extension)": "（无扩展名）",
        "no such file": "文件不存在",
        "the file is empty": "文件为空",
        "the file is password-protected: save it without a password in Microsoft Project and import it again": (
            "文件有密码保护：请在 Microsoft Project 中另存为无密码的文件后再导入"
        ),
        "the file is corrupt or not a schedule MPXJ can read ({detail})": "文件已损坏，或不是 MPXJ 能读取的进度计划（{detail}）",
        "the file is corrupt or not a Microsoft Project or P6 file (MPXJ does not recognise its content)": (
            "文件已损坏，或不是 Microsoft Project 或 P6 文件（MPXJ 无法识别其内容）"
        ),
        "not a Primavera P6 XER file (it does not start with ERMHDR)": "不是 Primavera P6 XER 文件（开头不是 ERMHDR）",
        "the XER file holds no project (no PROJECT table)": "XER 文件中没有项目（没有 PROJECT 表）",
        "{file}: cannot read the file: {error}": "{file}：无法读取文件：{error}",
        "{file}: the file holds no project": "{file}：文件中没有项目",
        "not imported: {problem}": "未导入：{problem}",
        "read {file}: ": "已读取 {file}：",
        "{key} ({n} activities)": "{key}（{n} 个活动）",
        "{stem}: imported from its own file": "{stem}：从其自身文件导入",
        "{file}: subproject {stem!r} not found (give its file with the master, or put it in the master's folder)": "{file}：未找到子项目 {stem!r}（请连同主项目一起提供其文件，或将其放在主项目所在文件夹中）",
        "{stem}: read from {file}": "{stem}：读取自 {file}",
        "the schedules are in several currencies ({listed}); a portfolio has one currency: import the files of each currency into a folder of its own, or convert them first": "这些进度计划使用了多种货币（{listed}）；一个项目组合只能有一种货币：请将每种货币的文件导入各自的文件夹，或先进行换算",
        "same status date ({date}) as {file} for project {project}: this file is used and the other is not a status copy of its own": "与 {file} 的状态日期（{date}）相同，均属项目 {project}：采用本文件，另一文件不作为单独的状态副本",
        "# Schedule import": "# 进度计划导入",
        "{given} file(s) given, {imported} imported, {failed} not imported; {projects} project(s); currency {currency}.": "提供 {given} 个文件，导入 {imported} 个，未导入 {failed} 个；共 {projects} 个项目；货币：{currency}。",
        "not stated in the files": "文件中未注明",
        "No currency is stated in {files}: its amounts are taken to be in {currency}.": "{files} 未注明货币：其金额按 {currency} 计。",
        "Tables written: {tables}.": "写入的表：{tables}。",
        "{table} ({n} rows)": "{table}（{n} 行）",
        "## Files not imported": "## 未导入的文件",
        "## {file} (master project)": "## {file}（主项目）",
        "A master project gives its subprojects:": "主项目提供其子项目：",
        "### {name} (key {key!r}, project_id {project})": "### {name}（键 {key!r}，project_id {project}）",
        "**Read**: {format}; {activities} activities ({milestones} milestones), {costs} cost items, {resources} work resources with {work} assignments, {links} links from other projects, {holidays} non-working weekdays; status date {date}; calendar {day} h a day, {week} h a week.": "**读取**：{format}；{activities} 个活动（{milestones} 个里程碑），{costs} 个成本项，{resources} 个工时资源及 {work} 条分配，{links} 条来自其他项目的链接，{holidays} 个非工作日；状态日期 {date}；日历每天 {day} 小时、每周 {week} 小时。",
        "**Derived**:": "**推导**：",
        "**Derived**: a status copy of {project}: its milestones are part of the milestone history.": "**推导**：{project} 的状态副本，其里程碑计入里程碑历史。",
        "no status date: projects.status_date is empty, and actual costs are stated up to the last actual date": "无状态日期：projects.status_date 为空，实际成本计至最后一个实际日期",
        "**Missing**:": "**缺失**：",
        "nothing the contract needs": "数据契约所需的内容均已具备",
        "**Assumptions**:": "**假设**：",
        "## Every project": "## 所有项目",
        "- Summary tasks, WBS nodes, the project summary task and subproject placeholders are not activities.": "- 摘要任务、WBS 节点、项目摘要任务和子项目占位符不算活动。",
        "- Budget = baseline cost where the file has a baseline; percent complete = cost-weighted earned value over the budget (the sum over activities of budget x own percent complete, divided by the budget), not the file's roll-up.": "- 预算 = 文件有基线时的基线成本；完成百分比 = 按成本加权的挣值除以预算（各活动预算 × 自身完成百分比之和，再除以预算），而不是文件自身的汇总值。",
        "- Status is derived from actual dates (completed, active or proposed); on hold and cancelled are not in a schedule: set them in projects.csv after the import if they apply.": "- 状态由实际日期推导（已完成、进行中或提议）；暂停和已取消不在进度计划中：如适用，请在导入后于 projects.csv 中设置。",
        "- Monthly costs are spread over the working days (Monday to Friday) of each cost item's dates, in whole cents, so each month's costs add up to the file's totals.": "- 每月成本按各成本项日期内的工作日（周一至周五）分摊，精确到分，因此各月成本之和等于文件中的总额。",
        "- Resources are the work (labour) resources; capacity = max units x the calendar's hours a week; rates are per hour. Their role is the resource group (or 'Scheduled resource') and their department '{department}': edit resources.csv if the utilization report should group them.": "- 资源为工时（人力）资源；产能 = 最大单位 × 日历每周工时；费率按小时计。其角色为资源组（或“Scheduled resource”），部门为“{department}”：如需在资源利用率报告中分组，请编辑 resources.csv。",
        "- Departments: every new project is in '{department}'. Set the department in {file} (column department) and import again; the same file keeps project ids stable across imports.": "- 部门：每个新项目都归入“{department}”。请在 {file}（department 列）中设置部门后重新导入；该文件使项目编号在多次导入之间保持不变。",
        "- **Benefits**: schedules hold no benefits, so planned_benefit is 0 and actual_benefit is empty in cashflows.csv, and ROI and NPV show no return. Add the benefits each month is expected to bring in cashflows.csv (planned_benefit, actual_benefit) after each import, or keep them in a file of your own and merge them in before running the reports.": "- **收益**：进度计划中没有收益，因此 cashflows.csv 中 planned_benefit 为 0、actual_benefit 为空，ROI 和净现值显示无回报。请在每次导入后于 cashflows.csv（planned_benefit、actual_benefit）中补充每月预期带来的收益，或将其保存在自己的文件中，在运行报告前合并进来。",
        "  {table} {rows} rows": "  {table} {rows} 行",
        "imported {n} project(s) into {out} in {seconds} s; see {report}": "已将 {n} 个项目导入 {out}，用时 {seconds} 秒；详见 {report}",
        "{n} file(s) not imported (listed above)": "{n} 个文件未导入（见上文）",
    }
)

# import-report.md: what an import derived from each schedule (inputs/schedules/contract.py)
_add(
    {
        "no status date and no actual dates: actual costs are left empty (not reported)": "无状态日期且无实际日期：实际成本留空（视为未报告）",
        "cash flows: {n} months; planned cost {planned} and actual cost {actual}, each month's amounts adding up to the file's totals": "现金流：{n} 个月；计划成本 {planned}，实际成本 {actual}，各月金额之和等于文件中的总额",
        "status {status} (from actual dates); budget {budget} {source}; percent complete {percent} (cost-weighted earned value over the budget)": "状态 {status}（由实际日期推导）；预算 {budget} {source}；完成百分比 {percent}（按成本加权的挣值除以预算）",
        "(baseline cost)": "（基线成本）",
        "(planned cost: no baseline)": "（计划成本：无基线）",
        "n/a (the budget is 0, so there is nothing to weigh progress by)": "不适用（预算为 0，无法据以衡量进度）",
        "{n} person-month(s) planned above capacity are shown at 100% allocation": "{n} 个计划超出产能的人月按 100% 分配显示",
        "days with more than 24 actual hours of one person are capped at 24 hours": "同一人某天实际工时超过 24 小时的，按 24 小时计",
        "{n} monthly assignment row(s) from planned work; {hours} actual hours as timesheet rows marked '{activity}'": "由计划工作得出 {n} 行月度分配；{hours} 个实际工时记为活动“{activity}”的工时行",
        "{n} milestone row(s) from 1 status copy": "{n} 行里程碑，来自 1 个状态副本",
        "{n} milestone row(s) from {copies} status copies": "{n} 行里程碑，来自 {copies} 个状态副本",
        "; {n} without a baseline date left out": "；{n} 个无基线日期的里程碑未计入",
        "a link from {source!r} into {project} ({task}) is left out: that project was not imported with this one": "从 {source!r} 到 {project}（{task}）的链接未计入：该项目没有与本项目一同导入",
        "the links {cycle} form a cycle between projects: the link {pred} -> {succ} is left out": "链接 {cycle} 在项目之间构成循环：链接 {pred} -> {succ} 未计入",
    }
)

# project pages: the business case, an extreme TCPI, the decision's next step (pmo_analysis.core.wording)
_add(
    {
        "the budget is spent: {spent} against a budget of {bac} at {pct} complete; on the current CPI of {cpi} "
        "finishing needs {more} more (EAC {eac})": "预算已用完：已花费 {spent}，预算为 {bac}，完成 {pct}；按当前 CPI {cpi}，"
        "完成还需再投入 {more}（EAC {eac}）",
        "the budget is all but spent: {share} of {bac} at {pct} complete; the {left} left must pay for {work} of "
        "planned work, {tcpi} times the efficiency planned (CPI so far {cpi})": "预算几乎用完：{bac} 已花费 {share}，完成 {pct}；"
        "剩余的 {left} 须完成 {work} 的计划工作，效率须达到计划的 {tcpi} 倍（迄今 CPI {cpi}）",
        "to finish within the budget, the {left} left must pay for {work} of planned work: {tcpi} times the "
        "efficiency planned (CPI so far {cpi})": "要在预算内完成，剩余的 {left} 须完成 {work} 的计划工作：效率须达到计划的 {tcpi} 倍"
        "（迄今 CPI {cpi}）",
        "Next step: start the project: confirm the sponsor and team, baseline the plan and its budget of {need}, "
        "and report progress and actual cost every month.": "下一步：启动项目：确认发起人和团队，为计划及其 {need} 的预算建立基线，"
        "并每月报告进度和实际成本。",
        "Next step: keep delivering to plan, and report percent complete and actual cost every month.": "下一步：按计划继续交付，"
        "并每月报告完成百分比和实际成本。",
        "Next step: bring a smaller or cheaper scope, with its new cost and benefit forecast, to the next portfolio "
        "review: the funding continues on condition of it.": "下一步：在下次项目组合评审时提交更小或更省的范围及新的成本和收益预测："
        "继续资助以此为条件。",
        "Next step: submit a new schedule (baseline) for approval at the next portfolio review: the funding continues "
        "on condition of it.": "下一步：在下次项目组合评审时提交新的进度计划（基线）供批准：继续资助以此为条件。",
        "Next step: at {pct} complete, take on no new work: finish or hand over what is in progress, keep what is "
        "built and known, and ask the sponsor whether the {need} it still needs can be found before the next "
        "portfolio review; otherwise plan a pause.": "下一步：在完成 {pct} 时不再承接新工作：完成或移交进行中的工作，保留已建成的成果和知识，"
        "并请发起人在下次项目组合评审前确认能否筹到仍需的 {need}；否则安排暂停。",
        "Next step: do not start yet; update the business case and submit it again at the next funding round.": "下一步：暂不启动；"
        "更新业务论证，在下一轮资金分配时重新提交。",
        "Next step: close the project in an orderly way: stop new spending and commitments, hand over or archive "
        "what was built, release the people and record its lessons.": "下一步：有序关闭项目：停止新的支出和承诺，移交或归档已建成的成果，"
        "释放人员并记录经验教训。",
        "Next step: do not start it; the sponsor may submit a better business case at a later funding round.": "下一步：不启动；"
        "发起人可在以后的资金分配中提交更好的业务论证。",
        "Next step: record the project's expected benefits by month, so that its value can be judged and it can "
        "compete for funding.": "下一步：按月记录项目的预期收益，以便评估其价值并参与资金竞争。",
        "Nothing left to decide: record the project's lessons and, once complete, the benefits it realizes.": "无需再作决策："
        "记录项目的经验教训，并在完成后记录其实现的收益。",
        "{n} IRRs: the cash flows change sign several times": "{n} 个 IRR：现金流多次变号",
        "no rate makes the NPV zero": "没有使 NPV 为零的利率",
        "Lifetime NPV (business case)": "全生命周期净现值（业务论证）",
        "Lifetime ROI (business case)": "全生命周期投资回报率（业务论证）",
        "IRR (business case)": "内部收益率（业务论证）",
        "realistic ≤ {value}": "现实可行 ≤ {value}",
        "TCPI {value}: {reason}.": "TCPI {value}：{reason}。",
        "Running projects (active or on hold)": "在建项目（进行中或暂停）",
        "Off track / at risk (running projects)": "偏离 / 有风险（在建项目）",
        "Data needed (running projects whose health waits for data)": "需补充数据（健康状况有待数据评估的在建项目）",
        "Portfolio ROI (lifetime)": "项目组合投资回报率（全生命周期）",
        "Spend to date vs plan (running projects, AC / PV)": "至今支出与计划（在建项目，AC / PV）",
        "CPI / SPI (running projects)": "CPI / SPI（在建项目）",
        "Utilization (booked / capacity, {month})": "利用率（已报工时 / 产能，{month}）",
        "Open high-impact actions (lessons learned)": "未完成的高影响行动（经验教训）",
        "Open risk exposure (share of the running budget)": "未关闭风险敞口（占在建项目预算的比例）",
        "Overdue mitigations / no owner (open risks and issues)": "逾期缓解措施 / 无负责人（未关闭的风险和问题）",
        "Benefits realized (completed projects, vs plan to date)": "已实现收益（已完成项目，对比至今计划）",
        "target < {value}": "目标 < {value}",
        "{first} to {last}: {start} → {end}": "{first} 至 {last}：{start} → {end}",
        "Roadmap: {n} running and proposed projects, plan and forecast": "路线图：{n} 个在建和提议中的项目，计划与预测",
        "({n} more not drawn)": "（另有 {n} 个未画出）",
        "Dashed line: as of {date}": "虚线：截至 {date}",
        "Milestone (black: reached, red: missed)": "里程碑（黑色：已达成；红色：逾期未达成）",
        "Dependency (red: conflict)": "依赖关系（红色：冲突）",
        "nothing to fund: no project is proposed or running": "无可资助项目：没有提议中或在建的项目",
        "nothing to fund: no proposed or running project can be ranked yet ({n} wait for benefit figures)": "无可资助项目："
        "提议中或在建的项目尚不能排序（{n} 个在等待收益数据）",
    }
)

# the printed briefing of the executive summary (reporting.display.briefing)
_add(
    {
        "Find money": "筹措资金",
        "Add capacity": "增加人手",
        "short {fte} FTE": "缺 {fte} 个全职人力",
        "Decisions that need money or people": "需要资金或人手的决策",
        "All {n} decisions, with their reasons, are in the report online and in decisions.csv.": "全部 {n} 项决策及其理由见在线报告和 decisions.csv。",
    }
)

# what-if scenarios: why a decision changes (pmo_analysis.core.wording), and the scenarios report
_add(
    {
        "cancelled by the scenario": "由情景取消",
        "added by the scenario": "由情景新增",
        "its need moved from {before} to {after}": "其资金需求从 {before} 变为 {after}",
        "its priority score moved from {before} to {after}": "其优先级得分从 {before} 变为 {after}",
        "its remaining NPV moved from {before} to {after}": "其剩余净现值从 {before} 变为 {after}",
        "its need of {need} no longer fits the cap of {cap}": "其资金需求 {need} 已超出预算上限 {cap}",
        "its need of {need} now fits the cap of {cap}": "其资金需求 {need} 现可纳入预算上限 {cap}",
        "now: {reasons}": "现为：{reasons}",
        "{project} {before} → {after}: {reason}": "{project} {before} → {after}：{reason}",
    }
)

# the scenarios report (notebooks/scenarios.ipynb, pmo_analysis.reporting.scenarios and its charts)
_add(
    {
        "What-if scenarios": "假设情景",
        "Base": "基准",
        "Figure": "指标",
        "Scenario": "情景",
        "Budget cap": "预算上限",
        "Funded need": "获资助需求",
        "Off-track projects": "偏离项目",
        "What-if scenarios of this run: {names}": "本次运行的假设情景：{names}",
        "Efficient frontier of each scenario: the dot is its budget cap": "各情景的有效前沿：圆点为其预算上限",
        "Capacity gap by role in each scenario": "各情景按角色的产能缺口",
        "Capacity minus demand, FTE on average over the forward months (negative = short)": "产能减需求，前瞻期内平均 FTE（负数 = 短缺）",
        "Cash need by quarter: forecast cost minus benefit (below zero: net inflow)": "按季度的资金需求：预测成本减收益（低于零为净流入）",
        "Net cash need ({unit})": "净资金需求（{unit}）",
        "This run has no scenario: run with --scenario <file> (see docs/scenarios.md), or name scenario_files here.": "本次运行没有情景：使用 --scenario <文件> 运行（见 docs/scenarios.md），或在此处填写 scenario_files。",
        "Headline figures: the base beside each scenario (change in brackets)": "关键指标：基准与各情景对比（括号内为变化）",
        "Decisions that change": "发生变化的决策",
        "No decision changes in any scenario.": "所有情景中均无决策变化。",
        "{n} decision(s) change; the reason says what moved between the runs.": "{n} 项决策发生变化；原因说明两次运行之间的变化。",
        "Efficient frontiers": "有效前沿",
        "Capacity by role": "按角色的产能",
        "Cash need by quarter": "按季度的资金需求",
        "Cash need of running projects, next four quarters, P50": "在建项目未来四个季度资金需求 P50",
        "Cash need of running projects, next four quarters, P80": "在建项目未来四个季度资金需求 P80",
        "Quarter": "季度",
        "P50 {p50} / P80 {p80}": "P50 {p50} / P80 {p80}",
        "Running projects' cash need by quarter: P50 and P80 of each model's forecast": "按季度的在建项目资金需求：各模型预测的 P50 与 P80",
        "Scenarios compared": "对比的情景",
    }
)

# exploring scenarios in JupyterLab (pmo_analysis.reporting.explore, notebooks/explore_scenarios.ipynb)
_add(
    {
        "Discount rate": "折现率",
        "Weight: alignment": "权重：契合度",
        "Weight: value": "权重：价值",
        "Weight: risk": "权重：风险",
        "Project": "项目",
        "Delay (months)": "延后（月）",
        "Stop it": "停止",
        "What-if": "假设",
        "File": "文件",
        "Save scenario": "保存情景",
        "Saved as {file}": "已保存为 {file}",
        "{n} project(s) funded for {need} within the cap of {cap}": "在预算上限 {cap} 内资助 {n} 个项目，共 {need}",
        "Move a slider or pick a project: the selection, the frontier, the capacity gap and the decisions that change are redrawn in place. Save scenario writes the YAML file that pmo-analysis run --scenario reads.": "移动滑块或选择项目：资助选择、有效前沿、产能缺口和发生变化的决策会就地重绘。“保存情景”会写出 pmo-analysis run --scenario 读取的 YAML 文件。",
    }
)

# the forecasts (analyses/forecast; reporting/plots/forecast.py and the pages that show them)
_add(
    {
        "Finish P80 {month} (plan {plan})": "完工 P80 {month}（计划 {plan}）",
        "P10-P90": "P10–P90",
        "Plan {month}": "计划 {month}",
        "Final cost P80 {p80} (budget {bac})": "最终成本 P80 {p80}（预算 {bac}）",
        "Final cost against budget (0 = on budget)": "最终成本相对预算（0 = 符合预算）",
        "Finish against the planned end (months)": "完工相对计划结束（月）",
        "Final cost: P80 over budget for {n} of {m}": "最终成本：{m} 个中 {n} 个 P80 超出预算",
        "Finish: P80 after the plan for {n} of {m}": "完工：{m} 个中 {n} 个 P80 晚于计划",
        "Cash need of running projects, next four quarters, P50 / P80": "在建项目未来四个季度资金需求 P50 / P80",
        "Forecast ranges: final cost P10 to P90 {p10} to {p90}, P80 {p80}; {finish}; "
        "{miss} chance of missing the planned end. They rest on {basis}.": "预测区间：最终成本 P10 至 P90 为 {p10} 至 {p90}，"
        "P80 {p80}；{finish}；错过计划结束日期的概率 {miss}。依据：{basis}。",
        "the back-test of {formula} on {n} completed projects": "{formula} 在 {n} 个已完成项目上的回测",
        "the reference class of {n} completed projects": "{n} 个已完成项目的参考类别",
        "the published default (HM Treasury optimism bias), too few completed projects": "公开默认分布（英国财政部乐观偏差），已完成项目太少",
        "Forecast ranges of the running projects: P10 to P90 of final cost and finish, the {n} with the highest P80 "
        "overrun. Point forecast: {formula} ({basis}).": "在建项目的预测区间：最终成本与完工的 P10 至 P90，"
        "列出 P80 超支最高的 {n} 个。点预测：{formula}（{basis}）。",
        "closest in the back-test on {n} completed projects": "在 {n} 个已完成项目的回测中最接近",
        "stated fallback: fewer than {n} completed projects": "既定后备：已完成项目少于 {n} 个",
    }
)

_add(
    {
        # the scheduled mails (pmo_analysis.runs.mail): summary, its plain-text part, the alert
        "Portfolio report as of {date}": "项目组合报告，截至 {date}",
        " ({status})": "（{status}）",
        "Portfolio report as of {date} (run {run}, {status})": "项目组合报告，截至 {date}（运行 {run}，{status}）",
        "schedule {schedule}": "报告周期：{schedule}",
        "status": "状态",
        "stale data": "数据过期",
        "Running projects (active + on hold)": "在建项目（进行中或暂停）",
        "Off track": "偏离",
        "At risk": "有风险",
        "Utilization, last complete month": "利用率（最后一个完整月）",
        "Headline figures, run by run": "历次运行的核心指标",
        "Cost and schedule performance (CPI, SPI)": "成本与进度绩效（CPI、SPI）",
        "Projects ranked by NPV": "按净现值排序的项目",
        "Capacity against demand": "产能与需求对比",
        "Decisions asked for": "待决策事项",
        "Decisions asked for:": "待决策事项：",
        "Money": "金额",
        "Why": "原因",
        "Not available: {reason}.": "无法提供：{reason}。",
        "the executive summary was not run: it needs the table(s) {tables}": "执行摘要未运行：需要数据表 {tables}",
        "needs the table(s) {tables}": "需要数据表 {tables}",
        "None this time.": "本期没有。",
        "Open the full reports": "打开完整报告",
        "(ROI, resource utilization, lessons learned).": "（投资回报、资源利用率、经验教训）。",
        "The full executive summary is attached: open it in a browser.": "完整的执行摘要见附件：请用浏览器打开。",
        "One decision per project, with its reason, is in the attached decisions.csv.": "每个项目的决策及其原因见附件 decisions.csv。",
        "{label}: {value}": "{label}：{value}",
        " ({money})": "（{money}）",
        ": {why}": "：{why}",
        "- not available: {reason}": "- 无法提供：{reason}",
        "- none": "- 无",
        "Full reports: {link}": "完整报告：{link}",
        "The executive summary is attached (open it in a browser).": "执行摘要见附件（请用浏览器打开）。",
        "Alert: {n} project(s) turned off track, as of {date}": "预警：截至 {date}，{n} 个项目转为偏离",
        "Off track as of {date}, and not in the previous report:": "截至 {date} 偏离、而上一期报告中未偏离的项目：",
        "- {project} (was {was}): {why}": "- {project}（此前：{was}）：{why}",
        "Projects turned off track": "转为偏离的项目",
        "{n} project(s) turned off track, as of {date}": "截至 {date}，{n} 个项目转为偏离",
        "Off track in run {run}, and not in the previous report of schedule {schedule}:": "运行 {run} 中偏离、而报告周期 {schedule} 的上一期报告中未偏离的项目：",
        "Was": "此前",
        "new": "新增",
    }
)
