"""``--shard K/N``: disjoint, complete, balanced slices that do not depend on input order."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from runner.errors import UsageError
from runner.playbook.shards import MAX_SHARDS, Selection, Shard, parse_shard, shard_orgs


def _inventory(size: int, seed: int) -> list[str]:
    """``size`` distinct org names in a shuffled (inventory) order."""
    names = [f"{random.Random(seed + i).choice(['acme', 'globex', 'Initech', 'ümlaut'])}-{i}"
             for i in range(size)]
    random.Random(seed).shuffle(names)
    return names


@pytest.mark.parametrize("count", range(1, 8))
def test_every_org_lands_in_exactly_one_shard(count: int) -> None:
    for size in range(51):
        names = _inventory(size, seed=size * 31 + count)
        shards = [shard_orgs(names, Shard(index, count)) for index in range(1, count + 1)]
        flat = [name for shard in shards for name in shard]
        assert sorted(flat) == sorted(names), (size, count)  # complete and disjoint
        sizes = [len(shard) for shard in shards]
        assert max(sizes) - min(sizes) <= 1, (size, count, sizes)
        assert sizes == sorted(sizes, reverse=True)  # the larger slices first
        for shard in shards:  # each keeps the inventory's order
            assert shard == [name for name in names if name in shard]
        assert [sorted(shard) for shard in shards if shard] == _cut(sorted(names), sizes)


def _cut(ordered: list[str], sizes: list[int]) -> list[list[str]]:
    slices, start = [], 0
    for size in sizes:
        if size:
            slices.append(ordered[start:start + size])
        start += size
    return slices


@given(st.lists(st.text(min_size=1, max_size=12), unique=True, max_size=40),
       st.integers(1, 7), st.randoms(use_true_random=False))
def test_a_shard_does_not_depend_on_the_inventory_order(
    names: list[str], count: int, rng: random.Random
) -> None:
    shuffled = names[:]
    rng.shuffle(shuffled)
    for index in range(1, count + 1):
        assert set(shard_orgs(names, Shard(index, count))) == set(
            shard_orgs(shuffled, Shard(index, count)))


def test_the_rule_by_hand() -> None:
    names = ["globex-prod", "acme-uat", "acme-prod", "initech", "zeta"]
    assert [shard_orgs(names, Shard(k, 3)) for k in (1, 2, 3)] == [
        ["acme-uat", "acme-prod"], ["globex-prod", "initech"], ["zeta"]]
    assert [shard_orgs(names[:2], Shard(k, 4)) for k in (1, 2, 3, 4)] == [
        ["acme-uat"], ["globex-prod"], [], []]
    assert shard_orgs(["b", "B", "a"], Shard(1, 3)) == ["B"]  # code points: upper case first


def test_adding_an_org_moves_at_most_n_minus_one_others() -> None:
    for count in range(1, 8):
        names = _inventory(40, seed=count)
        before, after = _owners(names, count), _owners([*names, "acme-new"], count)
        assert sum(1 for name in names if before[name] != after[name]) <= count - 1


def _owners(names: list[str], count: int) -> dict[str, int]:
    return {name: k for k in range(1, count + 1) for name in shard_orgs(names, Shard(k, count))}


def test_without_a_shard_every_org_in_order() -> None:
    assert shard_orgs(["b", "a"], None) == ["b", "a"]
    assert Selection(("b", "a")).orgs == ["b", "a"]
    assert Selection(("b", "a", "c"), Shard(1, 2)).orgs == ["b", "a"]


@pytest.mark.parametrize(("text", "shard"), [
    ("1/1", Shard(1, 1)), ("2/3", Shard(2, 3)), (" 3 / 3 ", Shard(3, 3)),
    (f"{MAX_SHARDS}/{MAX_SHARDS}", Shard(MAX_SHARDS, MAX_SHARDS)), ("07/10", Shard(7, 10)),
])
def test_parse(text: str, shard: Shard) -> None:
    assert parse_shard(text) == shard
    assert str(shard) == f"{shard.index}/{shard.count}"


@pytest.mark.parametrize(("text", "words"), [
    ("", "expected K/N"), ("3", "expected K/N"), ("a/b", "expected K/N"), ("1/2/3", "expected K/N"),
    ("-1/3", "expected K/N"), ("1.5/3", "expected K/N"), ("0/3", "K must be between 1 and N (3)"),
    ("4/3", "K must be between 1 and N (3)"), ("1/0", "N must be between 1 and 1000"),
    ("1/1001", "N must be between 1 and 1000"), ("1/" + "9" * 5000, "N must be between 1 and 1000"),
])
def test_bad_shards_say_what_is_expected(text: str, words: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_shard(text)
    assert caught.value.message.startswith(f"--shard {text!r}: {words}")
    assert caught.value.hint and "--shard 1/3" in caught.value.hint
