"""The data and parameter contracts: the schema, readers of files and databases, validation, the
out-of-core engine, the portfolio loader, parameters, the sample generator, and the one
aggregation of timesheets every loader needs.

Imports only :mod:`pmo_analysis.core` (see docs/architecture.md).
"""
