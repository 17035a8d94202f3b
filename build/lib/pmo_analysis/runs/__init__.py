"""Operations: plan and execute a run of the report notebooks, the report kernels, project and
department pages, publishing runs, schedules and mail.

May import every other layer; only :mod:`pmo_analysis.cli` imports it (see docs/architecture.md).
"""
