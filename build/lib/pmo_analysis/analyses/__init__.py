"""The analyses: pure functions, DataFrames in and a new DataFrame out, no I/O and no drawing.

finance (ROI, NPV, IRR, earned value, selection, decisions), utilization and capacity, lessons
(counts, themes, matching), delivery (dependencies, milestones, risks, benefits), health and the
executive summary. Imports :mod:`pmo_analysis.inputs` and :mod:`pmo_analysis.core` only (see
docs/architecture.md).
"""
