"""Bulk API 2.0 CSV: reading a job's upload, writing its result files and query pages.

Python's ``csv`` module does the quoting; this module adds Bulk API 2.0's own
rules on top: the job's ``columnDelimiter`` and ``lineEnding`` (a file whose line
endings do not match fails the job, as on Salesforce), ``#N/A`` meaning null,
and result files whose every value is quoted after the ``sf__`` columns.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

DELIMITERS = {
    "BACKQUOTE": "`",
    "CARET": "^",
    "COMMA": ",",
    "PIPE": "|",
    "SEMICOLON": ";",
    "TAB": "\t",
}
LINE_ENDINGS = {"LF": "\n", "CRLF": "\r\n"}
NULL_VALUE = "#N/A"
MAX_FIELD_CHARS = 32_000
MAX_HEADER_CHARS = 32_000


class CsvError(Exception):
    """An upload that cannot be read; its text becomes the failed job's ``errorMessage``."""


@dataclass(frozen=True)
class Upload:
    """A parsed upload: the header as uploaded (for the result files), names, and rows."""

    header_line: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def parse_upload(data: str, delimiter: str, line_ending: str) -> Upload:
    """Split an upload into header and rows; CsvError with Salesforce's wording when it fails."""
    data = data.removeprefix("\ufeff")
    _check_line_endings(data, line_ending)
    ending = LINE_ENDINGS[line_ending]
    header_line = data.split(ending, 1)[0]
    if len(header_line) > MAX_HEADER_CHARS:
        raise CsvError("InvalidBatch : The header row exceeds 32,000 characters")
    reader = csv.reader(io.StringIO(data, newline=""), delimiter=DELIMITERS[delimiter])
    try:
        parsed = [tuple(row) for row in reader if row]
    except csv.Error as exc:
        raise CsvError(f"ClientInputError : CSV error: {exc}") from None
    if not parsed or not any(name.strip() for name in parsed[0]):
        raise CsvError("InvalidBatch : No header row found in the uploaded data")
    columns = parsed[0]
    for number, row in enumerate(parsed[1:], start=2):
        if len(row) != len(columns):
            raise CsvError(
                f"ClientInputError : Wrong number of columns on line {number}: "
                f"{len(row)} instead of {len(columns)}"
            )
        if any(len(value) > MAX_FIELD_CHARS for value in row):
            raise CsvError(f"ClientInputError : A field on line {number} exceeds 32,000 characters")
    return Upload(header_line, columns, tuple(parsed[1:]))


def _check_line_endings(data: str, line_ending: str) -> None:
    crlf = "\r\n" in data
    bare_lf = data.replace("\r\n", "").count("\n") > 0
    if (line_ending == "LF" and crlf) or (line_ending == "CRLF" and bare_lf):
        raise CsvError(
            "ClientInputError : LineEnding is invalid on user data. Current LineEnding "
            f"setting is {line_ending}"
        )


def _quoted(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def result_file(
    sf_columns: Sequence[str],
    header_line: str,
    rows: Iterable[Sequence[str]],
    delimiter: str,
    line_ending: str,
) -> str:
    """A results CSV: quoted ``sf__`` columns, the header as uploaded, every value quoted."""
    sep, end = DELIMITERS[delimiter], LINE_ENDINGS[line_ending]
    head = sep.join([*(_quoted(c) for c in sf_columns), *([header_line] if header_line else [])])
    lines = [head] + [sep.join(_quoted(v) for v in row) for row in rows]
    return end.join(lines) + end


def unprocessed_file(
    header_line: str, rows: Iterable[Sequence[str]], delimiter: str, line_ending: str
) -> str:
    """``unprocessedrecords``: the header as uploaded, then the rows that were never processed."""
    sep, end = DELIMITERS[delimiter], LINE_ENDINGS[line_ending]
    lines = [header_line] + [sep.join(_quoted(v) for v in row) for row in rows]
    return end.join(lines) + end


def query_page(
    columns: Sequence[str], rows: Iterable[Sequence[str]], delimiter: str, line_ending: str
) -> str:
    """One page of query results: quoted header (on every page), every value quoted."""
    sep, end = DELIMITERS[delimiter], LINE_ENDINGS[line_ending]
    lines = [sep.join(_quoted(c) for c in columns)]
    lines += [sep.join(_quoted(v) for v in row) for row in rows]
    return end.join(lines) + end
