"""``--shard K/N``: split the selected orgs into N disjoint slices, the same on every machine;
and what tells the shards' reports apart from those of another playbook or selection.

The rule, so that N CI jobs given the same inventory and ``-l`` agree without
talking to each other: sort the selected org names by Unicode code point (no
locale, no hash seed, nothing that differs between machines), then cut the
sorted list of M names into N contiguous slices in order, the first M mod N
slices holding ⌊M/N⌋+1 names and the others ⌊M/N⌋ (as numpy's ``array_split``
does). Slice sizes differ by at most one, every org lands in exactly one shard,
and when an org is added or removed at most N−1 others change shard (so
per-shard caches stay warm). With fewer orgs than shards the last shards are
empty: they run no org and pass.
Within a shard, orgs keep the order of the inventory.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from runner.errors import UsageError

MAX_SHARDS = 1000
_FORM = re.compile(r"\s*(\d+)\s*/\s*(\d+)\s*")


_HINT = "give K/N with 1 <= K <= N, e.g. --shard 1/3, --shard 2/3 and --shard 3/3 in three jobs"


@dataclass(frozen=True)
class Shard:
    """The K-th (1-based ``index``) of ``count`` shards."""

    index: int
    count: int

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def parse_shard(text: str) -> Shard:
    """``"2/3"`` → Shard(2, 3); anything else is a UsageError saying what is expected."""
    match = _FORM.fullmatch(text)
    if match is None:
        raise UsageError(f"--shard {text!r}: expected K/N, e.g. 2/3 for the 2nd of 3 shards",
                         hint=_HINT)
    index, count = _number(match[1]), _number(match[2])
    if not 1 <= count <= MAX_SHARDS:
        raise UsageError(f"--shard {text!r}: N must be between 1 and {MAX_SHARDS}",
                         hint=_HINT)
    if not 1 <= index <= count:
        raise UsageError(f"--shard {text!r}: K must be between 1 and N ({count})",
                         hint=_HINT)
    return Shard(index, count)


def _number(digits: str) -> int:
    """The value of a run of digits; anything longer than 9 digits is out of range anyway."""
    return int(digits) if len(digits) <= 9 else 10**9


def shard_bounds(total: int, shard: Shard) -> tuple[int, int]:
    """Start and end (exclusive) of the shard's slice of ``total`` sorted names."""
    size, extra = divmod(total, shard.count)
    before = shard.index - 1
    start = before * size + min(before, extra)
    return start, start + size + (1 if before < extra else 0)


def shard_orgs(names: Sequence[str], shard: Shard | None) -> list[str]:
    """The names that belong to ``shard`` (all of them without one), in their given order."""
    if shard is None:
        return list(names)
    ordered = sorted(names)
    start, end = shard_bounds(len(ordered), shard)
    chosen = set(ordered[start:end])
    return [name for name in names if name in chosen]


@dataclass(frozen=True)
class Selection:
    """The orgs of one run: every org chosen by ``-l`` (inventory order) and this shard of them."""

    selected: tuple[str, ...]
    shard: Shard | None = None

    @property
    def orgs(self) -> list[str]:
        return shard_orgs(self.selected, self.shard)


def fingerprint(text: str) -> str:
    """SHA-256 of a playbook's text with ``\n`` line ends: the same file hashes the same on a
    Windows checkout (``\r\n``) and a Linux one."""
    return hashlib.sha256(text.replace("\r\n", "\n").encode("utf-8")).hexdigest()
