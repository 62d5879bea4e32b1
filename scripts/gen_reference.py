"""Generate docs/playbook-reference.md from the JSON Schemas and the command line's parsers.

The schemas are the normative definition of the formats, and the parsers of the
commands and their options; this page is a rendering of them, so it is generated
rather than written, and a test fails when it is stale. Usage:
``python scripts/gen_reference.py`` (writes the page) or
``python scripts/gen_reference.py --check`` (exit 1 when it is stale).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "schemas"
OUTPUT = ROOT / "docs" / "playbook-reference.md"
# (schema file, section prefix for its $defs, heading of its top level)
SOURCES = [
    ("playbook.schema.json", "", "Playbook"),
    ("inventory.schema.json", "inventory-", "Inventory (`-i FILE`)"),
    ("emulator.schema.json", "emulator-", "Embedded org (`emulator:` options)"),
    ("steps.schema.json", "steps-", "Step files (`import_steps`, `include_steps`, roles)"),
    ("report.schema.json", "report-", "JSON report (`--json FILE`, read by `report merge`)"),
]


def load(name: str) -> dict[str, Any] | None:
    path = SCHEMAS / name
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


class Renderer:
    """Turns schemas into Markdown sections with tables of keys."""

    def __init__(self, schemas: dict[str, dict[str, Any]]) -> None:
        self.schemas = schemas

    def prefix(self, schema_file: str) -> str:
        return next(prefix for name, prefix, _ in SOURCES if name == schema_file)

    def resolve(self, ref: str, current: str) -> tuple[str, str, dict[str, Any]] | None:
        """(schema file, def name, def) for a ``$ref``, or None when it cannot be found."""
        target, _, pointer = ref.partition("#")
        schema_file = target or current
        schema = self.schemas.get(schema_file)
        if schema is None or not pointer.startswith("/$defs/"):
            return None
        name = pointer.removeprefix("/$defs/")
        return schema_file, name, schema["$defs"][name]

    @staticmethod
    def object_form(node: dict[str, Any]) -> dict[str, Any] | None:
        if "properties" in node:
            return node
        for branch in node.get("anyOf", []) + node.get("oneOf", []):
            if isinstance(branch, dict) and "properties" in branch:
                return branch
        return None

    def type_text(self, node: dict[str, Any], current: str) -> str:
        if "$ref" in node:
            found = self.resolve(node["$ref"], current)
            if found is None:
                return "object"
            schema_file, name, target = found
            if self.object_form(target) is not None:
                return f"[{name}](#{self.prefix(schema_file)}{name})"
            if "x-expected" in target:
                title = target.get("title")
                expected = str(target["x-expected"])
                return f"{title} ({expected})" if title else expected
            return self.type_text(target, schema_file)
        if "x-expected" in node:
            return str(node["x-expected"])
        if "enum" in node:
            return " \\| ".join(f"`{json.dumps(value)}`" for value in node["enum"])
        branches = node.get("anyOf") or node.get("oneOf") or self.conditional(node)
        if branches:
            return " or ".join(self.type_text(branch, current) for branch in branches)
        return self.plain_type(node, current)

    @staticmethod
    def conditional(node: dict[str, Any]) -> list[dict[str, Any]]:
        """The shapes of an ``if``/``then``/``else`` chain, in order."""
        found = []
        while "if" in node:
            found.append(node["then"])
            node = node["else"]
        return [*found, node] if found else []

    def plain_type(self, node: dict[str, Any], current: str) -> str:
        kinds = node.get("type")
        if kinds is None:
            return "any"
        names = kinds if isinstance(kinds, list) else [kinds]
        words = []
        for kind in names:
            if kind == "array" and isinstance(node.get("items"), dict):
                words.append(f"list of {self.type_text(node['items'], current)}")
            elif kind == "object" and isinstance(node.get("additionalProperties"), dict):
                values = self.type_text(node["additionalProperties"], current)
                words.append(f"mapping of name → {values}")
            else:
                words.append(self.bounded(kind, node))
        return " or ".join(words)

    @staticmethod
    def bounded(kind: str, node: dict[str, Any]) -> str:
        word = {"object": "mapping", "array": "list", "boolean": "bool"}.get(kind, kind)
        if "exclusiveMinimum" in node:
            return f"{word} > {node['exclusiveMinimum']}"
        low, high = node.get("minimum"), node.get("maximum")
        if low is not None and high is not None:
            return f"{word} {low}–{high}"
        return f"{word} ≥ {low}" if low is not None else word

    def table(self, form: dict[str, Any], current: str) -> Iterator[str]:
        required = set(form.get("required", []))
        yield "| Key | Type | Default | Description |"
        yield "|---|---|---|---|"
        for key, prop in form["properties"].items():
            target = self.target(prop, current)
            description = str(prop.get("description") or target.get("description", ""))
            examples = prop.get("examples") or target.get("examples")
            if examples:
                description += f" Example: `{json.dumps(examples[0], ensure_ascii=False)}`."
            default = prop.get("default", target.get("default"))
            default = f"`{json.dumps(default)}`" if default is not None else ""
            name = f"`{key}`" + (" (required)" if key in required else "")
            kind = self.type_text(prop, current)
            yield f"| {name} | {kind} | {default} | {escape(description)} |"

    def target(self, node: dict[str, Any], current: str) -> dict[str, Any]:
        """The definition a ``$ref`` points to, or {} when there is none."""
        found = self.resolve(node["$ref"], current) if "$ref" in node else None
        return found[2] if found else {}

    def section(
        self, anchor: str, heading: str, node: dict[str, Any], current: str
    ) -> Iterator[str]:
        yield f'<a id="{anchor}"></a>'
        yield ""
        yield heading
        yield ""
        if node.get("description"):
            yield escape(str(node["description"]), table=False)
            yield ""
        form = self.object_form(node)
        if form is not None:
            yield from self.table(form, current)
            yield ""

    def render(self) -> str:
        lines = [
            "# Playbook and inventory reference",
            "",
            "<!-- Generated by scripts/gen_reference.py from the schemas; do not edit. -->",
            "",
            "The JSON Schemas in `schemas/` are the normative definition of these formats; this",
            "page is generated from them. String values may be Jinja2 templates such as",
            '`"{{ env.UAT_CLIENT_ID }}"`. Editors that understand the `# yaml-language-server:',
            "$schema=...` first line of a file offer completion and checks from the same schemas.",
            "The [command line](#command-line) section is generated from its parsers.",
            "",
        ]
        for schema_file, prefix, title in SOURCES:
            schema = self.schemas.get(schema_file)
            if schema is None:
                continue
            anchor = prefix.rstrip("-") or "playbook"
            if schema_file == "report.schema.json":
                lines += command_line()
            if schema_file != "emulator.schema.json":
                lines += self.section(anchor, f"## {title}", schema, schema_file)
            else:
                lines += [f'<a id="{anchor}"></a>', "", f"## {title}", ""]
            for name, node in schema.get("$defs", {}).items():
                if self.object_form(node) is not None:
                    anchor = f"{prefix}{name}"
                    lines += self.section(anchor, f"### {anchor}", node, schema_file)
        return "\n".join(lines).rstrip() + "\n"


def command_line() -> list[str]:
    """A section per command: its usage and a table of its arguments and options."""
    from runner.cli.main import subcommand_parsers

    lines = ['<a id="command-line"></a>', "", "## Command line", ""]
    for parser in _commands(subcommand_parsers().values()):
        lines += [f"### {parser.prog}", "", escape(parser.description or "", table=False), ""]
        lines += ["```", _usage(parser), "```", ""]
        lines += ["| Argument | Value | Description |", "|---|---|---|"]
        for action in parser._actions:
            if isinstance(action, argparse._HelpAction) or not action.help:
                continue
            name = ", ".join(f"`{option}`" for option in action.option_strings)
            value = "" if action.nargs == 0 else f"`{_metavar(action)}`".replace("|", "\\|")
            lines.append(f"| {name or value} | {value if name else ''} | {escape(action.help)} |")
        lines.append("")
    return lines


def _commands(parsers: Iterable[argparse.ArgumentParser]) -> Iterator[argparse.ArgumentParser]:
    """Each parser, and in place of one with subcommands, each of those."""
    for parser in parsers:
        nested = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        if nested:
            yield from _commands(nested[0].choices.values())
        else:
            yield parser


def _usage(parser: argparse.ArgumentParser) -> str:
    """``prog [options] ARGS``, written here: argparse's own wraps differently across versions."""
    words = [parser.prog]
    if any(action.option_strings for action in parser._actions):
        words.append("[options]")
    for action in parser._actions:
        if not action.option_strings:
            name = _metavar(action)
            forms = {"+": f"{name} [{name} ...]", "*": f"[{name} ...]", "?": f"[{name}]"}
            words.append(forms.get(str(action.nargs), name))
    return " ".join(words)


def _metavar(action: argparse.Action) -> str:
    if action.metavar is not None:
        return str(action.metavar)
    if action.choices is not None:
        return "{" + ",".join(map(str, action.choices)) + "}"
    return action.dest.upper() if action.option_strings else action.dest


def escape(text: str, *, table: bool = True) -> str:
    text = " ".join(text.split())
    return text.replace("|", "\\|") if table else text


def render() -> str:
    schemas = {name: body for name, _, _ in SOURCES if (body := load(name)) is not None}
    return Renderer(schemas).render()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when the page is stale")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.is_file() else ""
        if current != text:
            print(f"{OUTPUT.relative_to(ROOT)} is stale: run python scripts/gen_reference.py")
            return 1
        return 0
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
