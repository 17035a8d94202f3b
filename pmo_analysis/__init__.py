"""PMO portfolio-analysis workbook: data contract, analyses, plots and the report runner."""

from pmo_analysis.core.exceptions import DataValidationError, MissingTableError, ParameterError, PMOError, Problem
from pmo_analysis.inputs.portfolio import Portfolio, load_portfolio

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
