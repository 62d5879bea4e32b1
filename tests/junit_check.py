"""Every JUnit report the tests write is read as CI reads it: validated against the
Jenkins xUnit plugin's junit-10.xsd (kept verbatim in tests/junit_xsd/, with the one
documented extension: ``file`` and ``line`` on testcases), parsed with junitparser,
and its counts checked against its elements."""

from __future__ import annotations

import functools
import xml.etree.ElementTree as ET
from pathlib import Path

import xmlschema
from junitparser import Error, Failure, JUnitXml, Skipped

SCHEMAS = Path(__file__).resolve().parent / "junit_xsd"
EXTENSION = ("file", "line")  # the attributes junit-10-file-line.xsd adds to <testcase>


@functools.cache
def _verbatim() -> xmlschema.XMLSchema10:
    return xmlschema.XMLSchema10(str(SCHEMAS / "junit-10.xsd"))


@functools.cache
def _extended() -> xmlschema.XMLSchema11:
    return xmlschema.XMLSchema11(str(SCHEMAS / "junit-10-file-line.xsd"))


def is_junit(path: Path) -> bool:
    """Whether ``path`` is an XML file whose root is ``<testsuites>`` or ``<testsuite>``."""
    try:
        with path.open("rb") as file:
            for _, element in ET.iterparse(file, events=("start",)):
                return element.tag in ("testsuites", "testsuite")
    except (OSError, ET.ParseError):
        return False
    return False


def check_junit(source: Path | str) -> JUnitXml:
    """Validate a JUnit report (a path, or its text) and return it parsed by junitparser."""
    text = source.read_text(encoding="utf-8") if isinstance(source, Path) else source
    _extended().validate(text)
    root = ET.fromstring(text.encode("utf-8"))
    for case in root.iter("testcase"):
        for name in EXTENSION:
            case.attrib.pop(name, None)
    _verbatim().validate(root)
    xml = JUnitXml.fromstring(text.encode("utf-8"))
    _check_counts(xml)
    return xml


def _check_counts(xml: JUnitXml) -> None:
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for suite in xml:
        kinds = [type(result) for case in suite for result in case.result]
        counted = {"tests": len(list(suite)), "failures": kinds.count(Failure),
                   "errors": kinds.count(Error), "skipped": kinds.count(Skipped)}
        written = {name: int(suite._elem.get(name, "0")) for name in counted}
        assert written == counted, (suite.name, written, counted)
        for name in totals:
            totals[name] += counted[name]
    root = {name: int(xml._elem.get(name, "0")) for name in totals}
    assert root == totals, (root, totals)
