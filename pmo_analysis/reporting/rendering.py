"""The HTML exporter of every report and project page: nbconvert's, with the report template.

nbconvert's ``HTMLExporter`` ends by parsing the whole page with BeautifulSoup's pure-Python
parser, only to add an ``alt`` text to images that lack one and ``tabindex="0"`` to every output.
On a ten-thousand-project portfolio, whose reports hold tables of a thousand rows, that pass took
more time than rendering the page (3.8 s of 6.7 s for two reports) and ran in the run's own
process, where the notebooks' threads take turns. :class:`ReportExporter` renders the same page
without it: the report template (``templates/pmo``) writes the chart's title as its image's
``alt`` text (:func:`pmo_analysis.reporting.display.show` passes it) and makes outputs focusable in its
inline script. The rest is nbconvert's own code path (its ``from_notebook_node`` minus the
parse; tests/test_runner.py checks both additions in a rendered page).
"""

from __future__ import annotations

from typing import Any

from nbconvert import HTMLExporter
from nbconvert.exporters.templateexporter import TemplateExporter
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

from pmo_analysis.reporting import TEMPLATES

__all__ = ["ReportExporter", "report_exporter"]


class ReportExporter(HTMLExporter):
    """``HTMLExporter`` without the BeautifulSoup pass over the finished page (see the module)."""

    def from_notebook_node(self, nb, resources: dict[str, Any] | None = None, **kw: Any):
        """The page's HTML and resources, as ``HTMLExporter.from_notebook_node`` without its last pass."""
        langinfo = nb.metadata.get("language_info", {})
        lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
        highlight_code = self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self))
        resources = self._init_resources(resources)
        self.register_filter("highlight_code", highlight_code)
        self.register_filter(
            "filter_data_type",
            WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, parent=self, resources=resources),
        )
        return TemplateExporter.from_notebook_node(self, nb, resources, **kw)


def report_exporter(*, keep_code: bool = False, language: str = "en") -> ReportExporter:
    """The exporter of a report or project page: the report template, no code unless ``keep_code``,
    images embedded (the page is one self-contained file).
    """
    return ReportExporter(
        template_name="pmo",
        extra_template_basedirs=[str(TEMPLATES)],
        exclude_input=not keep_code,
        exclude_input_prompt=not keep_code,
        exclude_output_prompt=True,
        embed_images=True,
        language_code="zh" if language == "zh" else "en",
    )
