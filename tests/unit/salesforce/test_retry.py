"""Tests for runner.salesforce.retry: backoff, Retry-After, retryable answers, failures."""

from __future__ import annotations

import email.utils
import http.client
import socket
from collections.abc import Callable

import pytest
import requests
import urllib3.exceptions
from hypothesis import given
from hypothesis import strategies as st

from runner import secrets
from runner.errors import TransportError
from runner.salesforce.retry import (
    NetworkError,
    RetryPolicy,
    is_concurrency_limit,
    parse_retry_after,
    transport_error,
)

NOW = 1_700_000_000.0


def policy(sleeps: list[float] | None = None, rnd: float = 1.0, **changes: float) -> RetryPolicy:
    record = sleeps.append if sleeps is not None else (lambda seconds: None)
    return RetryPolicy(sleep=record, random=lambda: rnd, clock=lambda: NOW, **changes)  # type: ignore[arg-type]


def test_backoff_is_exponential_capped_and_fully_jittered() -> None:
    top = policy(backoff=0.5, max_backoff=3.0)
    assert [top.backoff_delay(n) for n in range(1, 6)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    assert policy(rnd=0.25, backoff=1.0).backoff_delay(3) == 1.0
    assert policy(rnd=0.0).backoff_delay(4) == 0.0


def test_retry_after_wins_over_backoff_and_too_long_a_wait_gives_up() -> None:
    rules = policy(max_retry_after=60.0)
    assert rules.delay(1, "7") == 7.0
    assert rules.delay(1, "600") is None
    assert rules.delay(2, "soon") == rules.backoff_delay(2)
    assert rules.delay(2, None) == rules.backoff_delay(2)


def test_retry_after_accepts_http_dates() -> None:
    later = email.utils.formatdate(NOW + 30, usegmt=True)
    assert parse_retry_after(later, NOW) == 30.0
    earlier = email.utils.formatdate(NOW - 30, usegmt=True)
    assert parse_retry_after(earlier, NOW) == 0.0
    assert parse_retry_after("not a date", NOW) is None
    assert parse_retry_after(" 12 ", NOW) == 12.0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '[{"errorCode":"REQUEST_LIMIT_EXCEEDED","message":"ConcurrentRequests (Concurrent API '
            'Requests) Limit exceeded."}]',
            True,
        ),
        (
            '[{"errorCode":"REQUEST_LIMIT_EXCEEDED","message":"TotalRequests Limit exceeded."}]',
            False,
        ),
        ('[{"errorCode":"INSUFFICIENT_ACCESS","message":"concurrent edit"}]', False),
    ],
)
def test_only_the_concurrent_request_limit_is_worth_waiting_for(text: str, expected: bool) -> None:
    assert is_concurrency_limit(text) is expected


def test_call_repeats_only_accepted_errors_up_to_the_limit() -> None:
    sleeps: list[float] = []
    rules = policy(sleeps, attempts=3)
    calls: list[int] = []

    def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise ValueError("again")
        return "done"

    assert rules.call(flaky, lambda exc: isinstance(exc, ValueError)) == "done"
    assert len(calls) == 3 and sleeps == [0.5, 1.0]

    def broken() -> str:
        raise KeyError("no")

    with pytest.raises(KeyError):
        rules.call(broken, lambda exc: isinstance(exc, ValueError))
    assert len(sleeps) == 2


def _wrapped(inner: BaseException) -> requests.ConnectionError:
    """How requests reports a socket failure: urllib3 errors wrapping the OS error."""
    try:
        try:
            raise inner
        except BaseException as exc:
            raise urllib3.exceptions.ProtocolError("Connection aborted.", exc) from exc
    except urllib3.exceptions.ProtocolError as protocol:
        return requests.ConnectionError(protocol)


def _refused() -> requests.ConnectionError:
    cause = urllib3.exceptions.NewConnectionError(None, "Failed to establish a new connection")  # type: ignore[arg-type]
    cause.__cause__ = ConnectionRefusedError(111, "Connection refused")
    return requests.ConnectionError(urllib3.exceptions.MaxRetryError(None, "/", cause))  # type: ignore[arg-type]


CASES: list[tuple[Callable[[], requests.RequestException], str, str, bool]] = [
    (
        lambda: requests.exceptions.ConnectTimeout("x"),
        "connect timeout",
        "connect timeout after 3s",
        False,
    ),
    (lambda: requests.exceptions.ReadTimeout("x"), "read timeout", "read timeout after 9s", True),
    (
        lambda: requests.exceptions.SSLError("[SSL: CERTIFICATE_VERIFY_FAILED] nope"),
        "tls",
        "TLS error (certificate verify failed)",
        False,
    ),
    (_refused, "refused", "connection refused", False),
    (
        lambda: _wrapped(ConnectionResetError(104, "reset")),
        "reset",
        "connection reset by peer",
        True,
    ),
    (
        lambda: _wrapped(http.client.RemoteDisconnected("closed")),
        "closed",
        "the server closed the connection without answering",
        True,
    ),
    (
        lambda: _wrapped(socket.gaierror(-2, "Name or service not known")),
        "dns",
        "cannot resolve the host name",
        False,
    ),
    (
        lambda: requests.exceptions.ChunkedEncodingError("x"),
        "truncated",
        "the response was cut off before its end",
        True,
    ),
]


@pytest.mark.parametrize(("make", "kind", "words", "sent"), CASES)
def test_failures_are_described_in_a_line(
    make: Callable[[], requests.RequestException], kind: str, words: str, sent: bool
) -> None:
    error = transport_error(make(), "GET", "https://acme.my.salesforce.com/services/data/", (3, 9))
    assert isinstance(error, TransportError)
    assert (error.kind, error.request_sent) == (kind, sent)
    assert error.message == f"GET https://acme.my.salesforce.com/services/data/: {words}"


def test_failure_text_has_no_query_string_or_secret() -> None:
    secrets.register("instance-secret-host")
    error = transport_error(
        requests.exceptions.ReadTimeout("x"),
        "GET",
        "https://instance-secret-host/x?access_token=abc",
        5,
    )
    assert "abc" not in error.message and "instance-secret-host" not in error.message
    assert isinstance(error, NetworkError)


@given(
    retry=st.integers(min_value=1, max_value=50),
    rnd=st.floats(min_value=0.0, max_value=1.0),
    retry_after=st.one_of(st.none(), st.integers(min_value=0, max_value=500).map(str)),
)
def test_delays_stay_in_bounds_and_never_undercut_retry_after(
    retry: int, rnd: float, retry_after: str | None
) -> None:
    rules = policy(rnd=rnd, backoff=0.5, max_backoff=20.0, max_retry_after=120.0)
    wait = rules.delay(retry, retry_after)
    if retry_after is None:
        assert wait is not None and 0.0 <= wait <= 20.0
    elif int(retry_after) > 120:
        assert wait is None
    else:
        assert wait == float(retry_after)
