"""YAML as the workbook reads it: parameters files, schedules, mapping files and ``-p`` values.

Only YAML's core tags are accepted (:class:`PlainLoader`), a date ``YYYY-MM-DD`` is a date, and
every problem is one line naming where the text came from.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import yaml

from pmo_analysis.core.exceptions import ParameterError

__all__ = ["PlainLoader", "compose_yaml", "construct_yaml", "load_yaml", "read_text", "read_yaml"]

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

#: Tags a parameters or schedules file may use: YAML's core scalars, dates, lists and mappings.
_ALLOWED_TAGS = {
    f"tag:yaml.org,2002:{t}" for t in ("null", "bool", "int", "float", "str", "timestamp", "seq", "map", "merge")
}


class _TagError(yaml.YAMLError):
    def __init__(self, tag: str, key: str, line: int) -> None:
        super().__init__(tag, key, line)
        self.tag, self.key, self.line = tag, key, line


class PlainLoader(yaml.SafeLoader):
    """A ``SafeLoader`` that refuses every tag but YAML's core ones.

    ``!!binary``, ``!!set``, ``!!omap``, ``!!pairs``, ``!!python/...`` and local ``!tags`` raise
    before anything is built, naming the key that holds them. A date ``2026-06-30`` loads as a
    ``datetime.date``; a date with a time, or a day that does not exist (``2026-02-30``), stays
    text, for the parameter checks to accept or explain.
    """

    #: Key path of the node being built, for messages (set by :func:`construct_yaml`).
    key_prefix = ""

    def construct_document(self, node: yaml.Node) -> Any:
        """Check every tag of the document before anything is built."""
        self._check_tags(node)
        return super().construct_document(node)

    def _check_tags(self, root: yaml.Node) -> None:
        seen: set[int] = set()
        stack: list[tuple[yaml.Node, str]] = [(root, self.key_prefix)]
        while stack:
            node, key = stack.pop()
            if id(node) in seen:  # aliases: each node is checked once
                continue
            seen.add(id(node))
            if node.tag not in _ALLOWED_TAGS:
                raise _TagError(node.tag, key, node.start_mark.line + 1)
            if isinstance(node, yaml.MappingNode):
                for k, v in node.value:
                    name = k.value if isinstance(k, yaml.ScalarNode) else "?"
                    stack.append((v, f"{key}.{name}" if key else name))
                    stack.append((k, key))
            elif isinstance(node, yaml.SequenceNode):
                stack.extend((v, f"{key}[{i}]") for i, v in enumerate(node.value))

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> dt.date | str:  # type: ignore[override]
        """A plain date YYYY-MM-DD as a date; anything else YAML calls a timestamp stays text."""
        text = self.construct_scalar(node)
        if _ISO_DATE.fullmatch(text):
            try:
                return dt.date.fromisoformat(text)
            except ValueError:
                pass
        return text


PlainLoader.add_constructor("tag:yaml.org,2002:timestamp", PlainLoader.construct_yaml_timestamp)
# types-PyYAML's add_constructor wants a constructor typed on a Loader; this one is SafeConstructor's own
_undefined = cast(Callable[[PlainLoader, yaml.Node], Any], PlainLoader.construct_undefined)
for _tag in set(yaml.SafeLoader.yaml_constructors) - _ALLOWED_TAGS - {None}:
    PlainLoader.add_constructor(_tag, _undefined)  # checked above; never reached


def _short_tag(tag: str) -> str:
    return "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml.org,2002:") else tag


def _yaml_problem(source: str, exc: Exception) -> ParameterError:
    """A YAML error as one line naming ``source`` (PyYAML's own message spans several)."""
    if isinstance(exc, _TagError):
        where = f" key {exc.key!r} (line {exc.line}):" if exc.key else ""
        return ParameterError(
            f"{source}:{where} YAML tag {_short_tag(exc.tag)!r} is not allowed; "
            f"give plain values (text, numbers, true/false, dates YYYY-MM-DD)"
        )
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        return ParameterError(f"{source}: not valid YAML{at}: {exc.problem or exc.context}")
    return ParameterError(f"{source}: not valid YAML: {exc}")  # e.g. a number too long to read


def compose_yaml(text: str, *, source: str) -> yaml.Node | None:
    """The node tree of YAML ``text``, nothing built yet; a syntax error is one line naming ``source``.

    With :func:`construct_yaml`, lets a file be built part by part, so that one bad part (a
    schedule) is reported while the others are used.
    """
    try:
        return yaml.compose(text, Loader=PlainLoader)  # composing builds no object
    except yaml.YAMLError as exc:
        raise _yaml_problem(source, exc) from None


def construct_yaml(node: yaml.Node | None, *, source: str, key: str = "") -> Any:
    """Build the value of ``node`` with :class:`PlainLoader`: tags checked, every problem one line
    naming ``source`` and the key (``key`` is the path of ``node`` in its file).
    """
    if node is None:
        return None
    loader = PlainLoader("")
    loader.key_prefix = key
    try:
        return loader.construct_document(node)
    except (yaml.YAMLError, ValueError) as exc:
        raise _yaml_problem(source, exc) from None
    finally:
        loader.dispose()


def load_yaml(text: str, *, source: str, invalid_as_text: bool = False) -> Any:
    """Parse YAML ``text`` with :class:`PlainLoader`; every problem is one line naming ``source``.

    ``source`` names where the text came from: a file, or ``-p as_of``. With ``invalid_as_text``
    (for ``-p`` values), text that is not valid YAML is returned as it is; a refused tag still raises.

    Examples
    --------
    >>> load_yaml("as_of: 2026-06-30", source="params.yml")
    {'as_of': datetime.date(2026, 6, 30)}
    >>> try:
    ...     load_yaml("!!binary aGk=", source="-p x")
    ... except ParameterError as exc:
    ...     print(exc)
    -p x: YAML tag '!!binary' is not allowed; give plain values (text, numbers, true/false, dates YYYY-MM-DD)
    """
    try:
        return yaml.load(text, Loader=PlainLoader)  # noqa: S506 - PlainLoader is a restricted SafeLoader
    except _TagError as exc:
        raise _yaml_problem(source, exc) from None
    except (yaml.YAMLError, ValueError) as exc:  # ValueError: e.g. a number too long to read
        if invalid_as_text:
            return text
        raise _yaml_problem(source, exc) from None


def read_text(path: str | Path, *, what: str = "file") -> str:
    """The UTF-8 text of ``path``; a missing or unreadable file is one line.

    ``what`` names the file in messages (``"parameters file"``, ``"schedule file"``).
    """
    path = Path(path)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ParameterError(f"{what} not found: {str(path)!r}") from None
    except UnicodeDecodeError:
        raise ParameterError(f"{what} {str(path)!r} is not UTF-8 text") from None
    except OSError as exc:
        raise ParameterError(f"cannot read the {what} {str(path)!r}: {exc.strerror or exc}") from None


def read_yaml(path: str | Path, *, what: str = "file") -> Any:
    """Read and parse a YAML file with :func:`load_yaml` (see :func:`read_text` for its messages)."""
    return load_yaml(read_text(path, what=what), source=str(path))
