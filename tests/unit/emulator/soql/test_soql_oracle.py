"""SOQL filters translated to SQL agree with a direct reading of SOQL's rules."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runner.emulator import ids
from runner.emulator.errors import RestApiError
from runner.emulator.sample_data import seed_org
from runner.emulator.store import Store

ORG = ids.to_18("00Dxx0000001gPL")
NAMES = ["alpha", "Alpha", "beta", "BETA_1", "gamma%", None]
RATINGS = ["Hot", "Warm", "Cold", None]
EMPLOYEES = [0, 5, 10, 250, None]
SOQL_ERRORS = {
    "MALFORMED_QUERY",
    "INVALID_FIELD",
    "INVALID_TYPE",
    "INVALID_QUERY_FILTER_OPERATOR",
    "NUMBER_OUTSIDE_VALID_RANGE",
}


def _make_store() -> tuple[Store, list[dict[str, Any]]]:
    store = Store(clock=lambda: dt.datetime(2024, 3, 15, tzinfo=dt.timezone.utc))
    seed_org(store, ORG, organization={}, users=[{"Username": "o@o.test"}], sample_data=False)
    rows = []
    for i, name in enumerate(NAMES * 4):
        row = {
            "Name": f"{name}-{i}" if name else f"n{i}",
            "Site": name,
            "Rating": RATINGS[i % len(RATINGS)],
            "NumberOfEmployees": EMPLOYEES[(i * 3) % len(EMPLOYEES)],
        }
        row["Id"] = store.create(ORG, "Account", {k: v for k, v in row.items()})
        rows.append(row)
    return store, rows


STORE, ROWS = _make_store()


def _fold(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def _like(value: str | None, pattern: str) -> bool:
    if value is None:
        return False
    regex = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, re.IGNORECASE | re.DOTALL) is not None


def _compare(value: Any, op: str, literal: Any) -> bool:
    if op == "=":
        return value is not None and _fold(value) == _fold(literal)
    if op == "!=":
        return value is None or _fold(value) != _fold(literal)
    if value is None:
        return False
    a, b = _fold(value), _fold(literal)
    return {"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[op]


text_field = st.sampled_from(["Site", "Rating"])
text_literal = st.sampled_from(["alpha", "ALPHA", "beta_1", "Hot", "warm", "gamma%", "zzz", ""])
op = st.sampled_from(["=", "!=", "<", ">", "<=", ">="])


@st.composite
def comparisons(draw: st.DrawFn) -> tuple[str, Any]:
    kind = draw(st.sampled_from(["text", "number", "in", "like", "null"]))
    if kind == "text":
        field, o, lit = draw(text_field), draw(op), draw(text_literal)
        return f"{field} {o} '{lit}'", lambda r: _compare(r[field], o, lit)
    if kind == "number":
        o, n = draw(op), draw(st.integers(-1, 300))
        return f"NumberOfEmployees {o} {n}", lambda r: _compare(r["NumberOfEmployees"], o, n)
    if kind == "in":
        values = draw(st.lists(text_literal, min_size=1, max_size=3))
        negate = draw(st.booleans())
        listed = ", ".join(f"'{v}'" for v in values)

        def member(r: dict[str, Any]) -> bool:
            inside = r["Rating"] is not None and _fold(r["Rating"]) in {_fold(v) for v in values}
            return (r["Rating"] is None or not inside) if negate else inside

        return f"Rating {'NOT IN' if negate else 'IN'} ({listed})", member
    if kind == "like":
        pattern = draw(st.sampled_from(["a%", "%A", "%eta%", "_eta%", "gamma%", "%"]))
        return f"Site LIKE '{pattern}'", lambda r: _like(r["Site"], pattern)
    field, negate = draw(text_field), draw(st.booleans())
    return (
        f"{field} {'!=' if negate else '='} null",
        lambda r: (r[field] is not None) if negate else r[field] is None,
    )


def conditions(depth: int = 2) -> st.SearchStrategy[tuple[str, Any]]:
    if depth == 0:
        return comparisons()
    sub = conditions(depth - 1)

    @st.composite
    def build(draw: st.DrawFn) -> tuple[str, Any]:
        shape = draw(st.sampled_from(["leaf", "and", "or", "not"]))
        if shape == "leaf":
            return draw(comparisons())
        if shape == "not":
            text, pred = draw(sub)
            return f"NOT ({text})", lambda r: not pred(r)
        parts = draw(st.lists(sub, min_size=2, max_size=3))
        joiner = " AND " if shape == "and" else " OR "
        text = joiner.join(f"({t})" for t, _ in parts)
        preds = [p for _, p in parts]
        if shape == "and":
            return text, lambda r: all(p(r) for p in preds)
        return text, lambda r: any(p(r) for p in preds)

    return build()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(conditions())
def test_filters_match_the_oracle(condition: tuple[str, Any]) -> None:
    text, predicate = condition
    body = STORE.query(ORG, f"SELECT Id FROM Account WHERE {text}", api_version="61.0")
    got = {r["Id"] for r in body["records"]}
    expected = {r["Id"] for r in ROWS if predicate(r)}
    assert got == expected, text


WORDS = [
    "SELECT", "Id", "Name", "Account.Name", "COUNT", "FIELDS", "ALL", "FROM", "Account",
    "Contact", "Contacts", "WHERE", "AND", "OR", "NOT", "IN", "LIKE", "null", "true", "TODAY",
    "LAST_N_DAYS", ":", "5", "-1.5", "'x'", "'a%'", "2024-01-31", "2024-01-31T10:00:00Z", "=",
    "!=", "<", ">=", "(", ")", ",", "ORDER", "BY", "ASC", "DESC", "NULLS", "FIRST", "LIMIT",
    "OFFSET", "GROUP", "WITH", "FOR", "VIEW", "'", "99999999999999999999999", "NumberOfEmployees",
]  # fmt: skip


PREFIXES = [
    "",
    "SELECT Id FROM Account",
    "SELECT Id FROM Account WHERE Name",
    "SELECT Id FROM Account WHERE Id",
    "SELECT Id FROM Account WHERE Id NOT",
    "SELECT Name, (SELECT Id FROM Contacts",
    "SELECT COUNT(",
    "SELECT Id FROM Account ORDER BY",
    "SELECT Id FROM Account LIMIT",
    "SELECT Id FROM Account WHERE NumberOfEmployees >",
]


@settings(max_examples=500, deadline=None)
@given(st.sampled_from(PREFIXES), st.lists(st.sampled_from(WORDS), max_size=12))
def test_any_text_gives_records_or_a_soql_error(prefix: str, words: list[str]) -> None:
    text = " ".join([prefix, *words])
    try:
        body = STORE.query(ORG, text, api_version="61.0")
    except RestApiError as err:
        assert err.status == 400
        assert err.error_code in SOQL_ERRORS
    else:
        assert body["done"] is True


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_arbitrary_characters_never_crash_the_parser(tail: str) -> None:
    try:
        STORE.query(ORG, f"SELECT Id FROM Account WHERE Name = {tail}", api_version="61.0")
    except RestApiError as err:
        assert err.status == 400


FULL_QUERIES = [
    "SELECT Id , Account.Name , ( SELECT LastName FROM Contacts WHERE LastName != null LIMIT 2 ) "
    "FROM Contact WHERE ( Name LIKE 'a%' OR Id IN ( SELECT Id FROM Contact ) ) AND NOT Id NOT "
    "IN ( '001D000000IqhSL' ) AND CreatedDate > LAST_N_DAYS : 3 WITH SECURITY_ENFORCED "
    "ORDER BY Name DESC NULLS LAST LIMIT 5 OFFSET 2 FOR VIEW",
    "SELECT Rating , COUNT ( Id ) n , MAX ( Name ) FROM Account GROUP BY Rating HAVING "
    "COUNT ( Id ) > 1 ORDER BY COUNT ( Id ) DESC NULLS LAST LIMIT 3",
    "SELECT FIELDS ( ALL ) FROM Account LIMIT 1",
]


@pytest.mark.parametrize("full", FULL_QUERIES)
def test_every_truncation_gives_records_or_a_soql_error(full: str) -> None:
    words = full.split(" ")
    for end in range(len(words) + 1):
        text = " ".join(words[:end])
        try:
            STORE.query(ORG, text, api_version="61.0")
        except RestApiError as err:
            assert (err.status, err.error_code in SOQL_ERRORS) == (400, True), text
