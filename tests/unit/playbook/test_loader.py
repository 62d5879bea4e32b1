"""Tests for runner.playbook.loader: plain data, positions, and refusal of hostile input."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from runner.errors import PlaybookError, Position
from runner.playbook import loader
from runner.playbook.document import format_path
from runner.playbook.loader import ALIAS_BUDGET, MAX_BYTES, load_document, load_text

SAMPLE = """\
name: Smoke
steps:
  - name: versions
    request: {method: GET, path: /services/data/}
    expect:
      status: 200
"""


def error_of(text: str) -> PlaybookError:
    with pytest.raises(PlaybookError) as caught:
        load_text(text, "pb.yml")
    return caught.value


def test_plain_data_is_built() -> None:
    doc = load_text(SAMPLE, "pb.yml")
    assert doc.data == {
        "name": "Smoke",
        "steps": [
            {
                "name": "versions",
                "request": {"method": "GET", "path": "/services/data/"},
                "expect": {"status": 200},
            }
        ],
    }
    assert doc.path == "pb.yml"
    assert doc.text == SAMPLE


def test_key_and_value_positions_are_one_based() -> None:
    doc = load_text(SAMPLE, "pb.yml")
    path = ("steps", 0, "expect", "status")
    assert doc.position_of(path) == Position("pb.yml", 6, 7)
    assert doc.position_of(path, key=False) == Position("pb.yml", 6, 15)
    assert doc.position_of(("steps", 0, "request", "path")) == Position("pb.yml", 4, 28)


def test_position_of_sequence_item_is_the_value() -> None:
    doc = load_text(SAMPLE, "pb.yml")
    assert doc.position_of(("steps", 0)) == Position("pb.yml", 3, 5)


def test_position_falls_back_to_nearest_ancestor() -> None:
    doc = load_text(SAMPLE, "pb.yml")
    missing = ("steps", 0, "expect", "json", "a.b")
    assert doc.position_of(missing) == doc.position_of(("steps", 0, "expect"), key=False)
    assert doc.position_of(("nothing", 3)) == Position("pb.yml", 1, 1)


def test_source_line_and_error_helper() -> None:
    doc = load_text(SAMPLE, "pb.yml")
    assert doc.source_line(6) == "      status: 200"
    assert doc.source_line(99) == ""
    error = doc.error(("steps", 0, "expect", "status"), "bad status", hint="use 200")
    assert error.position == Position("pb.yml", 6, 7)
    assert error.source_line == "      status: 200"
    assert error.hint == "use 200"
    assert str(error) == "pb.yml:6:7: bad status"


def test_yaml_12_booleans_and_string_keys() -> None:
    doc = load_text("a: yes\nb: true\non: 1\n200: x\nC: NO\nd: False\n")
    assert doc.data == {"a": "yes", "b": True, "on": 1, "200": "x", "C": "NO", "d": False}


def test_scalars_and_timestamps_stay_plain() -> None:
    doc = load_text("i: 0x1f\nf: 1.5\nn: ~\nt: 2024-01-01\ns: '12'\n")
    assert doc.data == {"i": 31, "f": 1.5, "n": None, "t": "2024-01-01", "s": "12"}


def test_duplicate_key_is_reported_at_second_key() -> None:
    error = error_of("name: a\nsteps: []\nname: b\n")
    assert error.position == Position("pb.yml", 3, 1)
    assert "duplicate key 'name' (first at line 1)" in error.message
    assert error.source_line == "name: b"


def test_nested_duplicate_key() -> None:
    error = error_of("a:\n  b: 1\n  c: 2\n  b: 3\n")
    assert error.position == Position("pb.yml", 4, 3)


def test_tab_indentation_is_named() -> None:
    error = error_of("a:\n\tb: 1\n")
    assert error.position == Position("pb.yml", 2, 1)
    assert "tab" in error.message


def test_syntax_error_has_yaml_position() -> None:
    error = error_of("a: [1, 2\nb: 3\n")
    assert error.position is not None and error.position.line in (1, 2)
    assert "flow sequence" in error.message


def test_error_at_end_of_file_points_at_the_last_line() -> None:
    error = error_of("a: 1\nb: [\n\n\n")
    assert error.position == Position("pb.yml", 2, 5)
    assert error.source_line == "b: ["


def test_unterminated_quote_points_at_its_start() -> None:
    error = error_of("a: 1\nb: 'open\n")
    assert error.position == Position("pb.yml", 2, 4)


@pytest.mark.parametrize(
    "text",
    [
        "a: !!python/object/apply:os.system ['echo hi']\n",
        "a: !!python/name:os.system\n",
        "!!python/object:collections.OrderedDict {a: 1}\n",
        "a: !!binary aGVsbG8=\n",
        "a: !!set {x, y}\n",
        "a: !custom 1\n",
    ],
)
def test_object_and_unknown_tags_are_refused(text: str) -> None:
    error = error_of(text)
    assert "unsupported YAML tag" in error.message
    assert error.position is not None


def test_alias_and_merge_keys_work() -> None:
    doc = load_text("base: &b {x: 1, y: 2}\nc:\n  <<: *b\n  y: 3\nd: *b\n")
    assert doc.data["c"] == {"x": 1, "y": 3}
    assert doc.data["d"] == {"x": 1, "y": 2}
    assert "<<" not in doc.data["c"]
    assert doc.position_of(("d", "x")) == Position("<string>", 5, 4)


def test_merge_of_a_scalar_is_refused() -> None:
    assert "merge key" in error_of("a:\n  <<: 3\n").message


def test_quoted_merge_key_is_an_ordinary_key() -> None:
    assert load_text("a: {'<<': 3}\n").data == {"a": {"<<": 3}}


def test_billion_laughs_is_refused_without_expanding() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    error = error_of("\n".join(lines) + "\n")
    assert "billion laughs" in error.message
    assert error.position is not None
    assert str(ALIAS_BUDGET) in error.message


def test_undefined_alias() -> None:
    error = error_of("a: *nope\n")
    assert "undefined alias" in error.message
    assert error.position == Position("pb.yml", 1, 4)


@pytest.mark.parametrize("depth", [100, 5000])
@pytest.mark.parametrize("opener", ["[", "{a: "])
def test_deep_nesting_is_refused(opener: str, depth: int) -> None:
    closer = "]" if opener == "[" else "}"
    error = error_of(opener * depth + "1" + closer * depth)
    assert "nesting" in error.message
    assert error.position is not None and error.position.line == 1


def test_deep_block_nesting_is_refused() -> None:
    text = "".join(f"{'  ' * level}k:\n" for level in range(80)) + "  " * 80 + "v: 1\n"
    error = error_of(text)
    assert "nesting deeper than" in error.message
    assert error.position is not None and error.position.line > 60


def test_complex_keys_are_refused() -> None:
    assert "plain scalars" in error_of("? [a]\n: 1\n").message


def test_second_document_is_refused() -> None:
    error = error_of("a: 1\n---\nb: 2\n")
    assert error.position == Position("pb.yml", 2, 1)


@pytest.mark.parametrize("text", ["", "   \n", "# only a comment\n", "---\n", "null\n"])
def test_empty_documents(text: str) -> None:
    error = error_of(text)
    assert "is empty" in error.message


def test_control_character_has_position() -> None:
    error = error_of("a: 'é'\nb: \x07\n")
    assert error.position == Position("pb.yml", 2, 4)


def test_invalid_explicit_int() -> None:
    assert "not a valid" in error_of("a: !!int zz\n").message


def test_format_path() -> None:
    assert format_path(("steps", 2, "expect", "status")) == "steps[2].expect.status"
    assert format_path(("expect", "json", "a.b")) == "expect.json['a.b']"
    assert format_path(()) == "(top level)"


# --- files -------------------------------------------------------------------------


def test_load_document_reads_a_file(tmp_path: Path) -> None:
    target = tmp_path / "pb.yml"
    target.write_text(SAMPLE, encoding="utf-8")
    doc = load_document(target)
    assert doc.path == str(target)
    assert doc.position_of(("name",)) == Position(str(target), 1, 1)


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    target = tmp_path / "pb.yml"
    target.write_bytes(b"\xef\xbb\xbfname: x\n")
    assert load_document(target).data == {"name": "x"}


def test_non_utf8_has_position(tmp_path: Path) -> None:
    target = tmp_path / "pb.yml"
    target.write_bytes(b"name: ok\nother: caf\xe9\n")
    with pytest.raises(PlaybookError) as caught:
        load_document(target)
    assert caught.value.position == Position(str(target), 2, 11)
    assert "UTF-8" in caught.value.message


def test_binary_file(tmp_path: Path) -> None:
    target = tmp_path / "pb.yml"
    target.write_bytes(bytes(range(256)))
    with pytest.raises(PlaybookError, match="binary"):
        load_document(target)


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(PlaybookError, match="directory"):
        load_document(tmp_path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(PlaybookError, match="no such file"):
        load_document(tmp_path / "absent.yml")


def test_empty_file(tmp_path: Path) -> None:
    target = tmp_path / "pb.yml"
    target.write_bytes(b"")
    with pytest.raises(PlaybookError, match="is empty"):
        load_document(target)


def test_huge_file_is_refused_before_reading(tmp_path: Path) -> None:
    target = tmp_path / "pb.yml"
    with target.open("wb") as handle:
        handle.truncate(MAX_BYTES + 1)
    with pytest.raises(PlaybookError, match="too large"):
        load_document(target)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file(tmp_path: Path) -> None:
    target = tmp_path / "pb.yml"
    target.write_text("a: 1\n")
    target.chmod(0)
    with pytest.raises(PlaybookError, match="permission denied"):
        load_document(target)


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("a: 1\na: 2\n", (2, 1)),
        ("a:\n\tb: 1\n", (2, 1)),
        ("a: 'é'\nb: \x07\n", (2, 4)),
        ("a: !!python/name:os.system\n", (1, 4)),
    ],
)
def test_pure_python_parser_gives_the_same_positions(
    monkeypatch: pytest.MonkeyPatch, text: str, where: tuple[int, int]
) -> None:
    monkeypatch.setattr(loader, "_Parser", yaml.SafeLoader)
    assert error_of(text).position == Position("pb.yml", *where)
    monkeypatch.undo()
    assert error_of(text).position == Position("pb.yml", *where)


SCALARS = ["yes", "NO", "on", "true", "False", "1", "-2", "0x1f", "0o7", "1_000", "1.5", ".inf",
           "-.nan", "1e3", "~", "null", "Null", "", "2024-01-01", "12:30", "a b", "<<", "=",
           "v60.0", "acme", "'1'", "'true'", '"null"', '"a\\tb"', "!!str 1", "! 1", "!!int 7",
           "!!float 2", "!!bool true", "!!null ''", "'it''s'", "|\n  block", ">\n  folded"]


def _slow_scalar(event: yaml.ScalarEvent) -> object:
    """What the resolver and PyYAML's SafeConstructor make of a scalar, every time; a
    refusal as the words the loader's error holds."""
    tag = event.tag
    if tag in (None, "!"):
        tag = loader._Resolver().resolve(yaml.ScalarNode, event.value, event.implicit)
    if tag == "tag:yaml.org,2002:timestamp":
        return event.value
    if tag not in loader._SCALAR_TAGS:
        return Refused("unsupported YAML tag")
    node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
    try:
        value = loader._CONSTRUCTOR.yaml_constructors[tag](loader._CONSTRUCTOR, node)
    except (ValueError, yaml.YAMLError):
        return Refused("is not a valid")
    if isinstance(value, float) and not math.isfinite(value):
        return Refused("is not a finite number")
    return value


@dataclass(frozen=True)
class Refused:
    words: str


@pytest.mark.parametrize("scalar", SCALARS)
def test_a_scalar_is_what_the_resolver_and_constructor_make_of_it(scalar: str) -> None:
    """Strings are taken as the parser gives them and plain texts' tags are looked up once
    per text: the same values as resolving and constructing each one, twice in a file."""
    text = f"a: {scalar}\nb: {scalar}\n".replace("\n  ", "\n   ")
    events = [event for event in yaml.parse(text, Loader=loader._Parser)
              if isinstance(event, yaml.ScalarEvent)]
    expected = [_slow_scalar(event) for event in events[1::2]]
    refused = [value for value in expected if isinstance(value, Refused)]
    if refused:
        with pytest.raises(PlaybookError, match=refused[0].words):
            load_text(text, "pb.yml")
        return
    data = load_text(text, "pb.yml").data
    assert [data["a"], data["b"]] == expected
    assert [type(data["a"]), type(data["b"])] == [type(value) for value in expected]
