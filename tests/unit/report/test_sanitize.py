"""Each sink gets text it can carry: inert for a terminal, well-formed XML, strict JSON data."""

import json
import math
import xml.etree.ElementTree as ET

from runner.report.sanitize import (
    MAX_DEPTH,
    document_text,
    json_safe,
    terminal_text,
    xml_text,
)


def test_a_terminal_gets_no_control_character_but_tab_and_newline() -> None:
    shown = terminal_text("a\x1b]52;c;eA==\x07b\x9b2J\tc\nd\u202ee\ud800")
    assert shown == "a\\x1b]52;c;eA==\\x07b\\x9b2J\tc\nd\\u202ee\ufffd"


def test_xml_gets_only_what_xml_1_0_allows() -> None:
    text = xml_text("<a>f\x0cg\x00h\x1bi\tj\uffff\ud800</a>")
    ET.fromstring(text)
    assert text == "<a>f\\x0cg\\x00h\\x1bi\tj\\uffff\ufffd</a>"


def test_markdown_and_html_get_no_control_characters() -> None:
    assert document_text("a\x1b[2Jb\x85c\r\n") == "a\\x1b[2Jb\\x85c\r\n"


def test_json_data_is_what_strict_parsers_read() -> None:
    class Odd:
        def __str__(self) -> str:
            return "odd"

    data = json_safe({1: [math.nan, math.inf, -math.inf, 1.5], "s": "\ud800", "o": Odd(),
                      "t": (True, None)})
    assert data == {"1": ["NaN", "Infinity", "-Infinity", 1.5], "s": "\ufffd", "o": "odd",
                    "t": [True, None]}
    json.dumps(data, allow_nan=False).encode("utf-8")


def test_nesting_is_cut_at_its_limit() -> None:
    deep: list = []
    inner = deep
    for _ in range(MAX_DEPTH * 3):
        inner.append([])
        inner = inner[0]
    cut = json_safe(deep)
    depth = 0
    while isinstance(cut, list):
        cut, depth = cut[0], depth + 1
    assert depth == MAX_DEPTH and cut.startswith("(nested deeper than")


def test_an_object_whose_text_fails_is_still_reported() -> None:
    class Broken:
        def __str__(self) -> str:
            raise RuntimeError("no")

    assert json_safe(Broken()) == "<Broken>"
