from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from runner.emulator import ids

VECTORS = [
    ("001D000000IqhSL", "001D000000IqhSLIAZ"),
    ("a0BA0000000L2ZC", "a0BA0000000L2ZCMA0"),
    ("70130000001tcyI", "70130000001tcyIAAQ"),
    ("00Dxx0000001gPL", "00Dxx0000001gPLEAY"),
    ("005xx000001SwiU", "005xx000001SwiUAAS"),
    ("003RO0000035WQg", "003RO0000035WQgYAM"),
]

id15s = st.text(alphabet=ids._BODY_ALPHABET, min_size=15, max_size=15)


@pytest.mark.parametrize(("id15", "id18"), VECTORS)
def test_to_18_matches_documented_vectors(id15: str, id18: str) -> None:
    assert ids.to_18(id15) == id18


@pytest.mark.parametrize(("id15", "id18"), VECTORS)
def test_normalize_accepts_both_forms(id15: str, id18: str) -> None:
    assert ids.normalize(id15) == id18
    assert ids.normalize(id18) == id18
    assert ids.normalize(id18[:15] + id18[15:].lower()) == id18


@pytest.mark.parametrize(
    "bad", ["", "001", "001D000000IqhSLIA", "001D000000IqhSLAAA", "001D00000-IqhSL", "x" * 19]
)
def test_normalize_rejects_malformed(bad: str) -> None:
    with pytest.raises(ValueError):
        ids.normalize(bad)
    assert not ids.is_valid_id(bad)


def test_is_valid_id_rejects_non_strings() -> None:
    assert not ids.is_valid_id(None)
    assert not ids.is_valid_id(12345)


def test_to_18_rejects_wrong_length() -> None:
    with pytest.raises(ValueError):
        ids.to_18("001D000000IqhSLIAZ")


def test_new_ids_are_unique_valid_and_ordered() -> None:
    made = [ids.new_id("001") for _ in range(2000)]
    assert len(set(made)) == len(made)
    assert all(ids.is_valid_id(i) and len(i) == 18 and i.startswith("001") for i in made)
    assert made == sorted(made)


def test_new_id_rejects_bad_prefix() -> None:
    with pytest.raises(ValueError):
        ids.new_id("01")


@given(id15s)
def test_checksum_round_trips(id15: str) -> None:
    id18 = ids.to_18(id15)
    assert ids.normalize(id18) == id18
    assert ids.normalize(id18.upper() if id15 == id15.upper() else id18) == id18


@given(id15s)
def test_checksum_detects_case_changes(id15: str) -> None:
    swapped = id15.swapcase()
    if swapped != id15:
        assert ids.to_18(swapped)[15:] != ids.to_18(id15)[15:]


def test_random_text_draws_every_character_of_the_alphabet_and_nothing_else() -> None:
    drawn = ids.random_text(64_000)
    assert len(drawn) == 64_000
    assert set(drawn) == set(ids.TOKEN_ALPHABET)  # all 64 show up; none is left out by a bias
    assert ids.random_text(80) != ids.random_text(80)
