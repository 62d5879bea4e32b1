"""Salesforce record ids: 15-character case-sensitive ids and their 18-character form.

Salesforce answers with 18-character ids whose last three characters encode the
case of the first fifteen, so that case-insensitive tools can tell ids apart.
Both forms are accepted as input; the store keeps and returns the 18-character one.
"""

from __future__ import annotations

import secrets
import string
import threading
import time

_SUFFIX_ALPHABET = string.ascii_uppercase + "012345"
_BODY_ALPHABET = string.digits + string.ascii_uppercase + string.ascii_lowercase

TOKEN_ALPHABET = string.ascii_letters + string.digits + "._"
"""The 64 characters of consumer keys and the opaque part of access tokens."""
_TOKEN_BYTES = bytes(ord(TOKEN_ALPHABET[byte % 64]) for byte in range(256))

_counter_lock = threading.Lock()
_last_stamp = 0


_UPPER_AS_BIT = str.maketrans({char: "1" if char.isupper() else "0" for char in _BODY_ALPHABET})


def _suffix(id15: str) -> str:
    """The three checksum characters: one per 5-character chunk, bit j set when char j is upper."""
    bits = id15.translate(_UPPER_AS_BIT)[::-1]  # char 14's bit first: read as base-2 numbers
    return (_SUFFIX_ALPHABET[int(bits[10:15], 2)] + _SUFFIX_ALPHABET[int(bits[5:10], 2)]
            + _SUFFIX_ALPHABET[int(bits[0:5], 2)])


def _is_id_text(text: str) -> bool:
    return text.isascii() and text.isalnum()


def to_18(id15: str) -> str:
    """Append the case checksum to a 15-character id."""
    if len(id15) != 15 or not _is_id_text(id15):
        raise ValueError(f"not a 15-character id: {id15!r}")
    return id15 + _suffix(id15)


def normalize(record_id: str) -> str:
    """Return the 18-character form of a 15- or 18-character id; ValueError when malformed.

    The checksum of an 18-character id is compared case-insensitively, as Salesforce does.
    """
    if not isinstance(record_id, str):
        raise ValueError(f"not an id: {record_id!r}")
    if len(record_id) == 15:
        return to_18(record_id)
    if len(record_id) == 18 and _is_id_text(record_id):
        body = record_id[:15]
        expected = _suffix(body)
        if record_id[15:].upper() == expected:
            return body + expected
    raise ValueError(f"malformed id: {record_id!r}")


def is_valid_id(value: object) -> bool:
    """True for a well-formed 15- or 18-character id (checksum included)."""
    if not isinstance(value, str):
        return False
    try:
        normalize(value)
    except ValueError:
        return False
    return True


def _base62(number: int, width: int) -> str:
    digits = []
    while number:
        number, rest = divmod(number, 62)
        digits.append(_BODY_ALPHABET[rest])
    text = "".join(reversed(digits)) or "0"
    if len(text) > width:
        raise OverflowError("id counter overflow")
    return text.rjust(width, "0")


def _next_stamp() -> int:
    """A strictly increasing number of microseconds, unique within the process.

    Based on the clock so that ids made after a restart (a persisted store) do not
    collide with earlier ones, and increasing so that ids sort in creation order.
    """
    global _last_stamp
    with _counter_lock:
        _last_stamp = max(_last_stamp + 1, time.time_ns() // 1000)
        return _last_stamp


def new_id(key_prefix: str) -> str:
    """A new, unique 18-character id for an object with this 3-character key prefix."""
    if len(key_prefix) != 3 or not _is_id_text(key_prefix):
        raise ValueError(f"not a key prefix: {key_prefix!r}")
    return to_18(key_prefix + "0E" + _base62(_next_stamp(), 10))


def key_prefix(record_id: str) -> str:
    """The object key prefix of an id (its first three characters)."""
    return record_id[:3]


def random_text(length: int) -> str:
    """``length`` characters of :data:`TOKEN_ALPHABET`, each equally likely (256 = 4 x 64),
    from one read of the system's randomness: a read per character cost 200 logins and
    200 new orgs half a second."""
    return secrets.token_bytes(length).translate(_TOKEN_BYTES).decode("ascii")
