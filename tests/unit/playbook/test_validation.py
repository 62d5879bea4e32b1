"""The compiled validator agrees with jsonschema on every document: what it passes is valid."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runner.playbook import schema
from runner.playbook.validation import is_valid, schema_names

REPO = Path(__file__).resolve().parents[3]


def _documents() -> list[Any]:
    found = []
    for folder in ("playbooks", "examples", "tests"):
        for path in sorted((REPO / folder).rglob("*.y*ml")):
            try:
                data = yaml.safe_load(path.read_text(encoding="utf-8"))
            except (yaml.YAMLError, UnicodeDecodeError):
                continue
            if isinstance(data, (dict, list)):
                found.append(data)
    return found


DOCUMENTS = _documents()
NAMES = schema_names()


def _agree(data: Any) -> None:
    for name in NAMES:
        fast, slow = is_valid(data, name), schema._validator(name).is_valid(data)
        assert fast == slow or (not fast and _unreadable(data)), (name, fast, slow)


def _unreadable(data: Any) -> bool:
    """A value JSON has no word for (a key that is not text, a date): jsonschema decides."""
    if isinstance(data, dict):
        return any(not isinstance(k, str) or _unreadable(v) for k, v in data.items())
    if isinstance(data, list):
        return any(map(_unreadable, data))
    return not (data is None or isinstance(data, (str, int, float, bool)))


def test_every_document_of_the_repository_gets_the_same_verdict() -> None:
    assert len(DOCUMENTS) > 20 and any(is_valid(data, "playbook") for data in DOCUMENTS)
    for data in DOCUMENTS:
        _agree(data)


WORDS = ["name", "steps", "request", "query", "expect", "status", "path", "method", "json",
         "loop", "when", "register", "orgs", "keys", "vars", "block", "rescue", "always",
         "emulator", "login_url", "client_id", "username", "private_key", "api_version",
         "tags", "retries", "until", "delay", "assert", "that", "debug", "msg", "headers"]
TEXT = st.sampled_from(["", "GET", "POST", "/services/data/", "{{ x }}", "v60.0", "v60.1",
                        "2xx", "200", "https://login.salesforce.com", "a\n", "x{{y}}\n",
                        "Acme", "1.5", "*.example.com", "ab", "abc", "0" * 64])
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 700) | st.floats(-1, 1e4, allow_nan=False)
    | TEXT,
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.sampled_from(WORDS), inner, max_size=3),
    max_leaves=8)


def _places(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    places = [path]
    if isinstance(data, dict):
        for key, value in data.items():
            places += _places(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            places += _places(value, (*path, index))
    return places


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.sampled_from([d for d in DOCUMENTS if isinstance(d, dict)]), data=st.data())
def test_a_changed_document_gets_the_same_verdict(seed: dict[str, Any],
                                                   data: st.DataObject) -> None:
    document = copy.deepcopy(seed)
    for _ in range(data.draw(st.integers(1, 3))):
        place = data.draw(st.sampled_from(_places(document)))
        if not place:
            continue
        parent = document
        for part in place[:-1]:
            parent = parent[part]
        action = data.draw(st.sampled_from(["replace", "drop", "add"]))
        if action == "drop":
            del parent[place[-1]]
        elif action == "add" and isinstance(parent, dict):
            parent[data.draw(st.sampled_from(WORDS))] = data.draw(VALUES)
        else:
            parent[place[-1]] = data.draw(VALUES)
    _agree(document)


@pytest.mark.parametrize("name", ["playbook", "inventory"])
def test_what_the_compiled_validator_cannot_read_goes_to_jsonschema(name: str) -> None:
    assert not is_valid({True: 1}, name) and not is_valid({"name": object()}, name)
    playbook = yaml.safe_load((REPO / "playbooks" / "smoke.yml").read_text(encoding="utf-8"))
    assert is_valid(playbook)
    playbook["steps"][0]["expect"]["status"] = (200,)  # an array to one, not to the other
    assert not is_valid(playbook) and not schema._validator("playbook").is_valid(playbook)
