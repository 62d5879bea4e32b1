"""Safe YAML loading that remembers where every key and value came from.

The data is built straight from the parser's events rather than through
PyYAML's constructors, so no tag can ever build a Python object, nesting
depth and alias expansion are bounded *before* anything grows, and every
mapping key and value gets a file/line/column in an index keyed by JSON path
tuples such as ``("steps", 2, "expect", "status")``.

Dialect notes (each is a deliberate choice, documented in the error texts):

- Booleans are YAML 1.2's ``true``/``false`` only, so ``C: NO`` stays the
  string "NO" and ``on:`` stays the key "on".
- Mapping keys are always strings (``200:`` is the key "200"); complex keys
  are refused; a duplicate key is an error at the second occurrence.
- Anchors, aliases and ``<<`` merge keys work, but the total size that
  aliases expand to is capped (``ALIAS_BUDGET``), which refuses "billion
  laughs" documents without expanding them. Values reached through an alias
  report the alias's position.
- Timestamps stay strings; ``!!binary``, ``!!set``, ``!!python/...`` and any
  other tag are refused.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml

from runner.errors import PlaybookError, Position
from runner.playbook.document import Document, JsonPath, Mark
from runner.playbook.yamlfile import MAX_BYTES as MAX_BYTES
from runner.playbook.yamlfile import read_yaml_text

MAX_DEPTH = 64
ALIAS_BUDGET = 10_000
MAX_VALUES = 50_000
"""Values in one file: far above any real playbook or inventory, and low enough that schema
validation of the largest accepted file stays around a second (5 MB of tiny steps took 16 s)."""

_YAML = "tag:yaml.org,2002:"
_STR, _TIMESTAMP = f"{_YAML}str", f"{_YAML}timestamp"
_SCALAR_TAGS = {f"{_YAML}{name}" for name in ("str", "int", "float", "bool", "null")}
_Parser: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_CONSTRUCTOR = yaml.constructor.SafeConstructor()


class _Resolver(yaml.resolver.Resolver):
    """PyYAML's implicit types, with YAML 1.2 booleans (no yes/no/on/off)."""


_Resolver.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in pairs if tag != f"{_YAML}bool"]
    for first, pairs in yaml.resolver.Resolver.yaml_implicit_resolvers.items()
}
_Resolver.add_implicit_resolver(
    f"{_YAML}bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def load_text(text: str, path: str = "<string>") -> Document:
    """Parse YAML text into a Document; any problem is a positioned PlaybookError."""
    builder = _Builder(text, path)
    try:
        data = builder.build()
    except yaml.MarkedYAMLError as exc:
        raise builder.error_at(_best_mark(exc, text), _yaml_message(exc, text)) from None
    except yaml.reader.ReaderError as exc:
        message = f"character {exc.character:#06x} is not allowed in YAML ({exc.reason})"
        raise _error_at_index(text, path, _char_index(text, exc.position), message) from None
    except yaml.YAMLError as exc:  # pragma: no cover - every parser error above has a mark
        raise PlaybookError(f"{path}: not valid YAML: {exc}") from None
    except UnicodeEncodeError as exc:  # a lone surrogate, in text that did not come from a file
        message = "a character that is not valid Unicode"
        raise _error_at_index(text, path, exc.start, message) from None
    return Document(path, text, data, builder.keys, builder.values)


def load_document(path: str | os.PathLike[str]) -> Document:
    """Read and parse a file, refusing anything that is not a small UTF-8 YAML text."""
    shown = os.fspath(path)
    return load_text(read_yaml_text(shown), shown)


def _error_at_index(text: str, path: str, index: int, message: str) -> PlaybookError:
    line = text.count("\n", 0, index) + 1
    col = index - (text.rfind("\n", 0, index) + 1) + 1
    lines = text.splitlines()
    source = lines[line - 1] if line <= len(lines) else ""
    return PlaybookError(message, position=Position(path, line, col), source_line=source)


def _char_index(text: str, position: int) -> int:
    """libyaml's reader counts UTF-8 bytes; the pure-Python one counts characters."""
    if _Parser is yaml.SafeLoader:
        return position
    return len(text.encode("utf-8")[:position].decode("utf-8", "ignore"))


def _best_mark(exc: yaml.MarkedYAMLError, text: str) -> Any:
    """The problem's mark; at the end of the file, the context's or the last line's end."""
    mark = exc.problem_mark or exc.context_mark
    end = len(text.rstrip())
    if mark is None or mark.index < end:
        return mark
    if exc.context_mark is not None and exc.context_mark.index < end:
        return exc.context_mark
    lines = text[:end].split("\n")
    return yaml.Mark(mark.name, end, len(lines) - 1, len(lines[-1]), None, 0)


def _yaml_message(exc: yaml.MarkedYAMLError, text: str) -> str:
    problem = exc.problem or "invalid YAML"
    mark = exc.problem_mark
    lines = text.splitlines()
    line = lines[mark.line] if mark is not None and mark.line < len(lines) else ""
    if mark is not None and line[mark.column : mark.column + 1] == "\t":
        return "a tab character in indentation; YAML indents with spaces only"
    if exc.context:
        return f"{problem} ({exc.context})"
    return problem


@dataclass
class _Anchor:
    value: Any
    size: int


class _Builder:
    """Turns parser events into plain data plus a position index."""

    def __init__(self, text: str, path: str) -> None:
        self.text = text
        self.path = path
        self.keys: dict[JsonPath, Mark] = {}
        self.values: dict[JsonPath, Mark] = {}
        self.anchors: dict[str, _Anchor] = {}
        self.expanded = 0
        self.count = 0
        self.resolver = _Resolver()
        self.plain_tags: dict[str, str] = {}

    def build(self) -> Any:
        parser = _Parser(self.text)
        try:
            self.events: Iterator[Any] = iter(parser.get_event, None)
            self._expect(yaml.StreamStartEvent)
            start = next(self.events)
            if isinstance(start, yaml.StreamEndEvent):
                raise PlaybookError(f"{self.path}: is empty (expected a YAML mapping)")
            data, _ = self._node(next(self.events), (), 1)
            if data is None:
                raise PlaybookError(f"{self.path}: is empty (expected a YAML mapping)")
            self._expect(yaml.DocumentEndEvent)
            extra = next(self.events)
            if not isinstance(extra, yaml.StreamEndEvent):
                raise self.error_at(extra.start_mark, "a second YAML document; use one per file")
            return data
        finally:
            parser.dispose()

    def _expect(self, kind: type) -> None:
        event = next(self.events)
        if not isinstance(event, kind):  # pragma: no cover - the parser guarantees the order
            raise self.error_at(event.start_mark, f"unexpected {type(event).__name__}")

    def position(self, mark: Any) -> Position:
        return Position(self.path, mark.line + 1, mark.column + 1)

    def error_at(self, mark: Any, message: str) -> PlaybookError:
        if mark is None:
            return PlaybookError(message)
        return PlaybookError(
            message, position=self.position(mark), source_line=self.line_text(mark.line)
        )

    def line_text(self, index: int) -> str:
        lines = self.text.splitlines()
        return lines[index] if 0 <= index < len(lines) else ""

    def _node(self, event: Any, path: JsonPath, depth: int) -> tuple[Any, int]:
        """Build one value from ``event`` on; return it and its expanded size."""
        if depth > MAX_DEPTH:
            raise self.error_at(event.start_mark, f"nesting deeper than {MAX_DEPTH} levels")
        self.count += 1
        if self.count > MAX_VALUES:
            raise self.error_at(event.start_mark, f"more than {MAX_VALUES} values in one file; "
                                "split it into smaller playbooks or inventories")
        self.values[path] = _line_and_column(event)
        if isinstance(event, yaml.AliasEvent):
            return self._alias(event)
        if isinstance(event, yaml.ScalarEvent):
            value, size = self._scalar(event), 1
        elif isinstance(event, yaml.SequenceStartEvent):
            self._check_tag(event, "seq")
            value, size = self._sequence(path, depth)
        else:
            self._check_tag(event, "map")
            value, size = self._mapping(path, depth)
        if event.anchor is not None:
            self.anchors[event.anchor] = _Anchor(value, size)
        return value, size

    def _alias(self, event: Any) -> tuple[Any, int]:
        anchor = self.anchors.get(event.anchor)
        if anchor is None:
            raise self.error_at(event.start_mark, f"undefined alias *{event.anchor}")
        self.expanded += anchor.size
        if self.expanded > ALIAS_BUDGET:
            raise self.error_at(
                event.start_mark,
                f"aliases expand to more than {ALIAS_BUDGET} values; refusing a possible "
                "'billion laughs' document",
            )
        return anchor.value, anchor.size

    def _check_tag(self, event: Any, kind: str) -> None:
        if event.tag not in (None, "!", f"{_YAML}{kind}"):
            raise self.error_at(event.start_mark, f"unsupported YAML tag {event.tag}")

    def _scalar(self, event: Any) -> Any:
        tag = event.tag
        if tag in (None, "!"):
            tag = self._implicit_tag(event)
        if tag == _TIMESTAMP:
            return event.value
        if tag == _STR:  # what SafeConstructor.construct_yaml_str returns
            return event.value
        if tag not in _SCALAR_TAGS:
            raise self.error_at(event.start_mark, f"unsupported YAML tag {tag}")
        node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
        try:
            value = _CONSTRUCTOR.yaml_constructors[tag](_CONSTRUCTOR, node)
        except (ValueError, yaml.YAMLError):
            raise self.error_at(event.start_mark, f"{event.value!r} is not a valid {tag}") from None
        if isinstance(value, float) and not math.isfinite(value):
            # .nan passes every minimum and maximum, and neither has a JSON form for reports
            raise self.error_at(event.start_mark, f"{event.value!r} is not a finite number")
        return value

    def _implicit_tag(self, event: Any) -> str:
        """The resolver's tag for an untagged scalar: a string when quoted (``_Resolver``
        has no path resolvers), else by its patterns, looked up once per distinct text."""
        if not event.implicit[0]:
            return _STR
        value = event.value
        tag = self.plain_tags.get(value)
        if tag is None:
            tag = self.plain_tags[value] = self.resolver.resolve(yaml.ScalarNode, value,
                                                                 event.implicit)
        return tag

    def _sequence(self, path: JsonPath, depth: int) -> tuple[list[Any], int]:
        items: list[Any] = []
        size = 1
        for event in self.events:
            if isinstance(event, yaml.SequenceEndEvent):
                break
            value, grown = self._node(event, (*path, len(items)), depth + 1)
            items.append(value)
            size += grown
        return items, size

    def _mapping(self, path: JsonPath, depth: int) -> tuple[dict[str, Any], int]:
        result: dict[str, Any] = {}
        merges: list[dict[str, Any]] = []
        size = 1
        for event in self.events:
            if isinstance(event, yaml.MappingEndEvent):
                break
            key = self._key(event, result, path)
            value_event = next(self.events)
            if key is None:
                merged, grown = self._node(value_event, (*path, "<<"), depth + 1)
                merges.extend(self._merge_sources(value_event, merged))
            else:
                result[key], grown = self._node(value_event, (*path, key), depth + 1)
            size += grown
        for source in merges:
            for name, value in source.items():
                result.setdefault(name, value)
        return result, size

    def _key(self, event: Any, seen: dict[str, Any], path: JsonPath) -> str | None:
        """The key's text, or None for a ``<<`` merge key."""
        if not isinstance(event, yaml.ScalarEvent):
            raise self.error_at(event.start_mark, "mapping keys must be plain scalars")
        if event.tag not in (None, "!", _STR):
            raise self.error_at(event.start_mark, f"unsupported YAML tag {event.tag} on a key")
        if event.value == "<<" and event.tag is None and event.implicit[0]:
            return None
        key = str(event.value)
        if key in seen:
            first = self.keys[(*path, key)]
            message = f"duplicate key {key!r} (first at line {first[0]})"
            raise self.error_at(event.start_mark, message)
        self.keys[(*path, key)] = _line_and_column(event)
        return key

    def _merge_sources(self, event: Any, merged: Any) -> list[dict[str, Any]]:
        sources = merged if isinstance(merged, list) else [merged]
        if not all(isinstance(item, dict) for item in sources):
            message = "a '<<' merge key needs a mapping or a list of them"
            raise self.error_at(event.start_mark, message)
        return list(sources)


def _line_and_column(event: Any) -> Mark:
    """Where an event starts, 1-based (a Position is made only when one is asked for)."""
    mark = event.start_mark
    return mark.line + 1, mark.column + 1
