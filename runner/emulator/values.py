"""Field values in and out of the store: JSON from clients → SQLite → JSON back.

Input is checked the way Salesforce checks a create or update body (types,
lengths, ids of the right object) and raises the same REST errors; output turns
SQLite's integers back into booleans. Datetimes are stored as Salesforce prints
them (``2023-06-23T10:40:37.000+0000``), always UTC, so text order is time order.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from runner.emulator import ids
from runner.emulator.errors import RestApiError
from runner.emulator.metadata import Field

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(
    r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?"
    r"(Z|[+-]\d{2}:?\d{2})?$"
)
_AUTO_NUMBER = re.compile(r"\{(0+|YYYY|YY|MM|DD)\}")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

_JSON_TYPE_NAMES = {"boolean": "boolean", "int": "int", "date": "date", "datetime": "datetime"}


def is_email(text: str) -> bool:
    """Whether an Email field accepts ``text`` (a User's username and email are such fields)."""
    return bool(_EMAIL.match(text))


def format_datetime(moment: dt.datetime) -> str:
    """Salesforce's datetime text: milliseconds and a ``+0000`` offset."""
    utc = moment.astimezone(dt.timezone.utc) if moment.tzinfo else moment
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}+0000"


def auto_number(display_format: str, number: int, today: dt.date) -> str:
    """An auto-number value: ``INV-{0000}`` and 7 give ``INV-0007``; {YYYY} {YY} {MM} {DD} too."""

    def field(match: re.Match[str]) -> str:
        token = match.group(1)
        dates = {"YYYY": f"{today.year:04d}", "YY": f"{today.year % 100:02d}",
                 "MM": f"{today.month:02d}", "DD": f"{today.day:02d}"}  # fmt: skip
        if token in dates:
            return dates[token]
        return f"{number:0{len(token)}d}"

    return _AUTO_NUMBER.sub(field, display_format)


def parse_datetime(text: str) -> dt.datetime | None:
    """An ISO 8601 datetime (``Z``, ``+hh:mm`` or ``+hhmm``; naive means UTC), or None."""
    match = _DATETIME.match(text)
    if not match:
        return None
    day, hour, minute, second, fraction, zone = match.groups()
    try:
        base = dt.date.fromisoformat(day)
        micro = int((fraction or "0")[:6].ljust(6, "0"))
        tz = dt.timezone.utc
        if zone and zone != "Z":
            sign = -1 if zone[0] == "-" else 1
            digits = zone[1:].replace(":", "")
            tz = dt.timezone(sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
        moment = dt.datetime(
            base.year, base.month, base.day, int(hour), int(minute), int(second or 0), micro, tz
        )
    except ValueError:
        return None
    return moment.astimezone(dt.timezone.utc)


def parse_date(text: str) -> dt.date | None:
    if not _DATE.match(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _cannot_deserialize(f: Field, value: Any) -> RestApiError:
    kind = "VALUE_STRING" if isinstance(value, str) else "VALUE_" + type(value).__name__.upper()
    number = f.type in ("double", "currency", "percent")
    type_name = _JSON_TYPE_NAMES.get(f.type, "double" if number else "String")
    return RestApiError(
        400,
        "JSON_PARSER_ERROR",
        f"Cannot deserialize instance of {type_name} from {kind} value {value} "
        "or request may be missing a required field",
    )


def to_storage(f: Field, value: Any) -> Any:
    """Check ``value`` for field ``f`` and return what the store keeps; RestApiError if invalid."""
    if value is None:
        return None
    if isinstance(value, (dict, list)):
        raise _cannot_deserialize(f, "[" if isinstance(value, list) else "{")
    if f.type == "boolean":
        return _to_bool(f, value)
    if f.type in ("int", "long"):
        return int(_to_number(f, value, integral=True))
    if f.type in ("double", "currency", "percent"):
        return _to_number(f, value, integral=False)
    if f.type == "date":
        return _to_date(f, value)
    if f.type == "datetime":
        return _to_datetime(f, value)
    if f.type in ("reference", "id"):
        return _to_reference(f, value)
    return _to_text(f, value)


def _to_bool(f: Field, value: Any) -> int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return int(value.lower() == "true")
    raise _cannot_deserialize(f, value)


def _to_number(f: Field, value: Any, *, integral: bool) -> float:
    if isinstance(value, bool):
        raise _cannot_deserialize(f, value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise _cannot_deserialize(f, value) from None
    if number != number or number in (float("inf"), float("-inf")):
        raise _cannot_deserialize(f, value)
    if integral and not number.is_integer():
        raise _cannot_deserialize(f, value)
    whole_digits = f.digits if integral else f.precision - f.scale
    if whole_digits and abs(number) >= 10**whole_digits:
        raise RestApiError(
            400,
            "NUMBER_OUTSIDE_VALID_RANGE",
            f"{f.label}: value outside of valid range on numeric field: {value}",
            [f.name],
        )
    return number


def _to_date(f: Field, value: Any) -> str:
    if isinstance(value, str):
        parsed = parse_date(value) or _date_of(parse_datetime(value))
        if parsed is not None:
            return parsed.isoformat()
    raise _cannot_deserialize(f, value)


def _date_of(moment: dt.datetime | None) -> dt.date | None:
    return moment.date() if moment else None


def _to_datetime(f: Field, value: Any) -> str:
    if isinstance(value, str):
        parsed = parse_datetime(value)
        if parsed is None and parse_date(value):
            parsed = parse_datetime(value + "T00:00:00Z")
        if parsed is not None:
            return format_datetime(parsed)
    raise _cannot_deserialize(f, value)


def _to_reference(f: Field, value: Any) -> str:
    """A well-formed id of one of the objects the field points to (15 or 18 characters)."""
    text = str(value)
    message = f"{f.label}: id value of incorrect type: {text}"
    if not ids.is_valid_id(text):
        raise RestApiError(400, "MALFORMED_ID", message, [f.name])
    normalized = ids.normalize(text)
    if f.type == "reference" and ids.key_prefix(normalized) not in f.reference_prefixes:
        raise RestApiError(400, "FIELD_INTEGRITY_EXCEPTION", message, [f.name])
    return normalized


def _to_text(f: Field, value: Any) -> str:
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    else:
        text = str(value)
    if f.length and len(text) > f.length:
        raise RestApiError(
            400,
            "STRING_TOO_LONG",
            f"{f.label}: data value too large: {text[:40]} (max length={f.length})",
            [f.name],
        )
    if f.type == "email" and text and not is_email(text):
        raise RestApiError(
            400, "INVALID_EMAIL_ADDRESS", f"{f.label}: invalid email address: {text}", [f.name]
        )
    if f.restricted and text:
        chosen = text.split(";") if f.type == "multipicklist" else [text]
        bad = next((v for v in chosen if v not in f.picklist), None)
        if bad is not None:
            raise RestApiError(
                400,
                "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                f"{f.label}: bad value for restricted picklist field: {bad}",
                [f.name],
            )
    return text


def from_storage(f: Field, value: Any) -> Any:
    """The JSON value of a stored one."""
    if value is None:
        return None
    if f.type == "boolean":
        return bool(value)
    if f.type in ("int", "long"):
        return int(value)
    if f.type in ("double", "currency", "percent"):
        return float(value)
    return value
