"""The ground floor: paths and defaults, the one exception hierarchy, number bounds, time periods,
how figures read (formatting) and in which language (i18n), YAML loading, child processes.

Imports nothing else of the package (see docs/architecture.md).
"""
