"""Did-you-mean suggestions for misspelled keys, enum values and names.

A case-insensitive exact match wins (``Name`` for ``name``); otherwise
difflib's closest match above a similarity cutoff, so wild guesses stay quiet.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

CUTOFF = 0.6


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The allowed name ``word`` most likely meant, or None."""
    options = [choice for choice in choices if isinstance(choice, str) and choice != word]
    folded = {choice.casefold(): choice for choice in options}
    if word.casefold() in folded and folded[word.casefold()] != word:
        return folded[word.casefold()]
    matches = difflib.get_close_matches(word, options, n=1, cutoff=CUTOFF)
    if matches:
        return matches[0]
    lowered = difflib.get_close_matches(word.casefold(), list(folded), n=1, cutoff=CUTOFF)
    return folded[lowered[0]] if lowered else None


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` to append to a message, or "" when nothing is close."""
    match = closest(word, choices)
    return f"; did you mean {match!r}?" if match is not None else ""
