"""What readers see: charts, tables and tiles in a report, the report pages' HTML, CSV and report.xlsx.

Imports :mod:`pmo_analysis.model`, :mod:`pmo_analysis.analyses`, :mod:`pmo_analysis.inputs` and
:mod:`pmo_analysis.core`; never :mod:`pmo_analysis.runs` (see docs/architecture.md).
"""

from pathlib import Path

#: The Jinja templates of report pages, run and report indexes, project and department pages and mail.
TEMPLATES = Path(__file__).parent / "templates"
