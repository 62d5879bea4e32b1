"""Tests for runner.playbook.suggest."""

from __future__ import annotations

from runner.playbook.suggest import closest, did_you_mean

KEYS = ["name", "request", "query", "assert", "expect", "register", "retries"]


def test_close_misspelling() -> None:
    assert closest("expct", KEYS) == "expect"
    assert closest("reqest", KEYS) == "request"


def test_case_only_difference_wins() -> None:
    assert closest("Name", KEYS) == "name"
    assert closest("GEt", ["GET", "POST", "SET"]) == "GET"


def test_nothing_close() -> None:
    assert closest("zzzzzz", KEYS) is None
    assert did_you_mean("zzzzzz", KEYS) == ""


def test_exact_match_is_not_a_suggestion() -> None:
    assert closest("name", KEYS) is None


def test_did_you_mean_text() -> None:
    assert did_you_mean("registr", KEYS) == "; did you mean 'register'?"


def test_non_strings_are_ignored() -> None:
    assert closest("2048", [2048, "2049"]) == "2049"  # type: ignore[list-item]
