"""Fault rules: matching, counts, seeded rates, and the answers they make."""

from __future__ import annotations

import json

import pytest

from runner.emulator.faults import FaultInjector, FaultRule


def _fires(injector: FaultInjector, n: int, method: str = "GET", path: str = "/x") -> list[bool]:
    return [injector.choose(method, path) is not None for _ in range(n)]


def test_matching_by_method_and_glob() -> None:
    rule = FaultRule(method="GET", path="/services/data/*/query*", status=503)
    assert rule.matches("get", "/services/data/v60.0/query")
    assert rule.matches("GET", "/services/data/v60.0/queryAll/01g-2000")
    assert not rule.matches("POST", "/services/data/v60.0/query")
    assert not rule.matches("GET", "/services/data/v60.0/sobjects")


def test_after_and_times() -> None:
    injector = FaultInjector((FaultRule(status=500, after=2, times=3),))
    assert _fires(injector, 7) == [False, False, True, True, True, False, False]
    assert injector.fired_counts() == [3]


def test_rate_is_reproducible_with_a_seed() -> None:
    rules = (FaultRule(status=503, rate=0.3),)
    first = _fires(FaultInjector(rules, seed=42), 200)
    again = _fires(FaultInjector(rules, seed=42), 200)
    other = _fires(FaultInjector(rules, seed=43), 200)
    assert first == again
    assert first != other
    assert 30 < sum(first) < 90


def test_first_matching_rule_wins() -> None:
    a, b = FaultRule(path="/a", status=500), FaultRule(path="*", status=503)
    injector = FaultInjector((a, b))
    assert injector.choose("GET", "/a") is a
    assert injector.choose("GET", "/b") is b


def test_rest_error_body_with_defaults_and_retry_after() -> None:
    response = FaultRule(status=503, retry_after=7).replacement("/services/data/v60.0/limits")
    assert response is not None
    assert response.status == 503 and response.headers["Retry-After"] == "7"
    body = json.loads(response.body)
    assert isinstance(body, list) and body[0]["errorCode"] == "SERVER_UNAVAILABLE"


def test_custom_error_code_and_message() -> None:
    rule = FaultRule(
        status=403, error_code="REQUEST_LIMIT_EXCEEDED", message="TotalRequests Limit exceeded."
    )
    response = rule.replacement("/services/data/v60.0/query")
    assert response is not None
    assert json.loads(response.body) == [
        {"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}
    ]


def test_token_endpoint_faults_use_oauth_shape() -> None:
    rule = FaultRule(status=400, error_code="invalid_grant", message="ip restricted")
    response = rule.replacement("/services/oauth2/token")
    assert response is not None
    assert json.loads(response.body) == {
        "error": "invalid_grant",
        "error_description": "ip restricted",
    }


def test_html_maintenance_page() -> None:
    response = FaultRule(html=True).replacement("/services/data/v60.0/")
    assert response is not None
    assert response.status == 503
    assert response.headers["Content-Type"].startswith("text/html")
    assert b"Maintenance" in response.body


@pytest.mark.parametrize(
    ("rule", "attr", "value"),
    [
        (FaultRule(drop=True), "drop", True),
        (FaultRule(truncate=True), "truncate", True),
        (FaultRule(slow_body_ms=300), "slow_body_ms", 300),
    ],
)
def test_transport_rules_do_not_replace_the_answer(
    rule: FaultRule, attr: str, value: object
) -> None:
    from runner.emulator.messages import Response

    assert rule.replacement("/x") is None
    response = Response.json(200, {"ok": True})
    rule.decorate(response)
    assert getattr(response, attr) == value


def test_from_mapping_ignores_nothing_it_knows() -> None:
    rule = FaultRule.from_mapping(
        {"method": "POST", "path": "/p", "status": 500, "rate": 0.5, "times": 2}
    )
    assert (rule.method, rule.path, rule.status, rule.rate, rule.times) == (
        "POST",
        "/p",
        500,
        0.5,
        2,
    )
