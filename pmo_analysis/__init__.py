"""PMO portfolio-analysis workbook: data contract, analyses, plots and the report runner."""
from .data import Portfolio, load_portfolio
from .exceptions import DataValidationError, MissingTableError, ParameterError, PMOError, Problem

__version__ = "0.1.0"  # the one declaration: pyproject.toml reads it (dynamic version)

__all__ = [
    "Portfolio",
    "load_portfolio",
    "PMOError",
    "DataValidationError",
    "MissingTableError",
    "ParameterError",
    "Problem",
    "__version__",
]
