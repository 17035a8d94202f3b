"""Schedule files as the data contract: Microsoft Project (.mpp, MSPDI .xml) and Primavera P6
(XER, PMXML).

:func:`read_schedule` reads one file into :class:`Schedule` objects (one per project), by format:
``xer`` reads XER itself (so the money adds up), ``mpxj`` reads the rest through MPXJ (Java,
started once per process, only when such a file is read). :func:`to_contract` turns them into the
contract's tables. Writing a folder from them is :func:`pmo_analysis.runs.imports.import_schedules`.
"""

from __future__ import annotations

from pathlib import Path

from pmo_analysis.core.exceptions import ScheduleFileError
from pmo_analysis.core.i18n import _
from pmo_analysis.inputs.schedules._model import Schedule
from pmo_analysis.inputs.schedules.contract import ACTUALS_ACTIVITY, Derived, to_contract
from pmo_analysis.inputs.schedules.xer import read_xer

__all__ = ["ACTUALS_ACTIVITY", "SUFFIXES", "Derived", "Schedule", "read_schedule", "to_contract"]

SUFFIXES = (".mpp", ".mpt", ".xml", ".pmxml", ".xer", ".mpx")
"""File name endings read as schedules."""


def read_schedule(path: Path) -> list[Schedule]:
    """The projects of the schedule file ``path``: one for a Microsoft Project file, one or more
    for a P6 file.

    Raises :class:`~pmo_analysis.core.exceptions.ScheduleFileError` for a file that is empty,
    corrupt, password-protected or of an unsupported format (one line naming the file and why),
    and :class:`~pmo_analysis.core.exceptions.PMOError` when Java or MPXJ is missing.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ScheduleFileError(
            path.name,
            _(
                "unsupported format {suffix}: import Microsoft Project (.mpp, .xml) "
                "or Primavera P6 (.xer, .xml/.pmxml) files",
                suffix=repr(suffix) if suffix else _("(no extension)"),
            ),
        )
    if not path.is_file():
        raise ScheduleFileError(str(path), _("no such file"))
    if suffix == ".xer":
        return read_xer(path)
    # Lazy import: the MPXJ reader starts Java, which only these files need (see its module).
    from pmo_analysis.inputs.schedules.mpxj import read_mpxj

    return read_mpxj(path)
