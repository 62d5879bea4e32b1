"""What the steps that reach the org do on the wire: ``request`` and ``query``.

Each action takes an already-rendered step and returns an ``ActionResult``:
the value a step registers (status, headers, json, text, elapsed_ms) and the
checks that ran. Nothing here prints or decides outcomes for the whole org.
The actions that send nothing are in ``local_actions``.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

from runner import secrets
from runner.errors import SfjwtError
from runner.playbook.model import OrgSpec
from runner.playbook.step_parts import ExpectSpec, QuerySpec, RequestSpec
from runner.run import checks
from runner.run.exchange import Masked, pack, unpack
from runner.run.results import CheckResult, Exchange
from runner.salesforce.http import MISSING, OrgClient, Response, ResponseFormatError
from runner.secrets import redact, redact_head

EXCERPT_CHARS = 600
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class WriteRefused(SfjwtError):
    """A write against an org marked ``production: true`` without permission."""


def refuses_write(production: bool, method: str, allowed: bool) -> bool:
    """Whether a request is refused: anything but GET/HEAD on a production org, unless the
    step (``allow_write``) or the run (``--allow-writes``) allows it."""
    return production and method.upper() not in ("GET", "HEAD") and not allowed


def check_write(org: OrgSpec, method: str, allowed: bool) -> None:
    """Refuse a write to a production org before anything is sent."""
    if refuses_write(org.production, method, allowed):
        raise WriteRefused(f"refused {method} on production org {org.name!r}: "
                           "add allow_write: true to the step or run with --allow-writes")


@dataclass
class ActionResult:
    """What one action produced: the registered value and every check."""

    registered: Mapping[str, Any]
    checks: list[CheckResult] = field(default_factory=list)
    exchange: Exchange | None = None
    wrote: bool = False
    attempts: int = 1
    message: str | None = None  # what a debug step (or an assert's success_msg) says
    facts: Mapping[str, Any] | None = None  # what a set_fact step sets

    @property
    def passed(self) -> bool:
        return all(check.passed for check in self.checks)


def excerpt(response: Response) -> str:
    text = response.text.strip()
    head = redact_head(text, EXCERPT_CHARS)  # masked before the cut: no half secret shows
    return head + " …" if len(text) > EXCERPT_CHARS else head


def exchange_of(method: str, response: Response, curl: tuple[str, ...], *,
                token_sent: bool, whole: bool) -> Exchange:
    """The exchange as reports show it, masked only if one reads it; ``curl`` is its
    ``curl_words``, ``whole`` keeps the entire body (for -vv)."""
    registry = secrets.current()
    text = response.text.strip()
    head = text[: registry.head_room(EXCERPT_CHARS)]  # enough to mask before the cut
    body = pack(response.text) if whole else ""
    url, cut = response.url, len(text) > EXCERPT_CHARS

    def mask() -> Masked:
        shown = registry.redact_head(head, EXCERPT_CHARS)
        return (registry.redact(url), shown + " …" if cut else shown,
                curl_line(curl, token_sent=token_sent, registry=registry),
                registry.redact(unpack(body)))

    return Exchange.deferred(method, response.status, mask)


_CURL_FLAGS = frozenset({"curl", "-sS", "-X", "-H", "--data-raw"})
"""The words of a curl line that are the same for every request: nothing to mask."""
TOKEN_HEADER = '-H "Authorization: Bearer $SF_ACCESS_TOKEN"'
"""What -v shows for the token: a shell variable, set by ``eval "$(sfjwt-run token ORG)"``."""


def curl_words(method: str, url: str, request: RequestSpec | None = None) -> tuple[str, ...]:
    """The words of the request's curl command line, unmasked and unquoted."""
    parts = ["curl", "-sS", "-X", method, url]
    if request is not None:
        for name, value in request.headers.items():
            parts += ["-H", f"{name}: {value}"]
        if request.has_json:
            parts += ["-H", "Content-Type: application/json", "--data-raw",
                      json.dumps(request.json)]
        elif request.body is not None:
            parts += ["--data-raw", request.body]
    return tuple(parts)


def curl_line(words: tuple[str, ...], *, token_sent: bool,
              registry: secrets.SecretRegistry) -> str:
    """The words as a command line to paste into a shell: masked, then quoted (quoting
    would change a secret's form). The token appears as ``$SF_ACCESS_TOKEN``, and only
    when one was sent (never to another host)."""
    quoted = [word if word in _CURL_FLAGS else shlex.quote(registry.redact(word))
              for word in words]
    if token_sent:
        quoted.insert(5, TOKEN_HEADER)
    return registry.redact(" ".join(quoted))


def as_curl(method: str, url: str, request: RequestSpec | None = None, *,
            token_sent: bool = True) -> str:
    """The request as a masked curl command line that can be pasted into a shell, for -v."""
    return curl_line(curl_words(method, url, request), token_sent=token_sent,
                     registry=secrets.current())


class Registered(Mapping[str, Any]):
    """A response as templates see it (``found.json.records[0].Id``).

    The body is parsed only when something reads ``json``: most steps of a
    health check never look at their 35 KB describe answers.
    """

    KEYS = ("status", "headers", "json", "text", "elapsed_ms", "url", "method")

    def __init__(self, response: Response, body: Callable[[], Any]) -> None:
        self._response = response
        self._body = body

    def __getitem__(self, key: str) -> Any:
        r = self._response
        if key == "json":
            return self._body()
        values = {"status": r.status, "headers": r.headers, "text": r.text,
                  "elapsed_ms": round(r.elapsed_ms, 1), "method": r.method}
        if key == "url":
            return redact(r.url)
        return values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.KEYS)

    def __len__(self) -> int:
        return len(self.KEYS)


def registered_value(response: Response, body: Any) -> Registered:
    return Registered(response, lambda: body)


def evaluate_expect(
    expect: ExpectSpec | None, response: Response, body: Any
) -> list[CheckResult]:
    """Every check of an ``expect:`` block; without one, the status must be 2xx.

    ``body`` may be a callable that parses the body, called only when a check needs it.
    """
    if callable(body):
        body_of: Callable[[], Any] = body
    else:
        def body_of() -> Any:
            return body
    status = expect.status if expect and expect.status is not None else "2xx"
    status_check = checks.check_status(status, response.status)
    if not status_check.passed:  # say what Salesforce said, so the reason explains itself
        status_check = replace(status_check, message=_salesforce_error(body_of()))
    results = [status_check]
    if expect is None:
        return results
    results += checks.check_headers(expect.headers, response.headers)
    unparsed = _not_json(response) if expect.json or expect.schema is not None else None
    if unparsed:  # one clear failure rather than "got None" for every expression
        results.append(CheckResult("json", "$", "type", "JSON", unparsed, False,
                                   f"the response is {unparsed}, not JSON"))
    if expect.json and not unparsed:
        results += checks.check_json(expect.json, body_of())
    if expect.schema is not None and not unparsed:
        results += checks.check_schema(expect.schema, body_of())
    if expect.max_ms is not None:
        results.append(checks.check_elapsed(float(expect.max_ms), response.elapsed_ms))
    return results


def _salesforce_error(body: Any) -> str:
    """``ERROR_CODE: message`` of a REST error list or an OAuth error body, else ""."""
    first = body[0] if isinstance(body, list) and body else body
    if not isinstance(first, dict):
        return ""
    code = first.get("errorCode") or first.get("error")
    text = first.get("message") or first.get("error_description") or ""
    return f"{code}: {text}".rstrip(": ") if isinstance(code, str) else ""


def _not_json(response: Response) -> str | None:
    """What the body is when it does not parse as JSON (``text/html``, ``an empty body``)."""
    try:
        response.json()
    except ResponseFormatError:
        if not response.text.strip():
            return "an empty body"
        return response.headers.get("Content-Type", "no content type").split(";")[0].strip()
    return None


def _wire_headers(headers: Mapping[str, Any]) -> dict[str, str] | None:
    """Header values as text, refusing before anything is sent what HTTP/1.1 cannot carry.

    The messages never quote the value: it may come from a secret.
    """
    wire = {str(name): str(value) for name, value in headers.items()}
    for name, value in wire.items():
        shown = redact(name)
        if not name.isascii() or not name.strip() or any(c in name for c in ":\r\n\0"):
            raise SfjwtError(f"header name {shown!r} cannot be sent: names are ASCII, "
                             "without ':' or line breaks")
        if any(c in value for c in "\r\n\0"):
            raise SfjwtError(f"header {shown}: the value contains a line break or NUL, "
                             "which would split the request")
        if not value.isascii() and not _latin1(value):
            raise SfjwtError(f"header {shown}: the value has characters HTTP headers cannot "
                             "carry (Latin-1 only); percent-encode it, e.g. with | urlencode")
    return wire or None


def _latin1(text: str) -> bool:
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


def perform_request(
    client: OrgClient,
    request: RequestSpec,
    expect: ExpectSpec | None,
    *,
    timeout: float | None,
    max_bytes: int | None = None,
    whole: bool = False,
) -> ActionResult:
    target = request.url or request.path or "/"
    response = client.request(
        request.method,
        target,
        params=dict(request.params) or None,
        headers=_wire_headers(request.headers),
        json=request.json if request.has_json else MISSING,
        data=request.body,
        timeout=timeout,
        allow_retry=request.retry or None,
        max_bytes=max_bytes,
    )
    body = response.json_or_none  # parsed (once) only if a check or a template reads it
    return ActionResult(
        registered=Registered(response, body),
        checks=evaluate_expect(expect, response, body),
        exchange=exchange_of(request.method, response,
                             curl_words(request.method, response.url, request),
                             token_sent=response.token_sent, whole=whole),
        wrote=request.method in WRITE_METHODS and 200 <= response.status < 300,
        attempts=response.attempts,
    )


def perform_query(
    client: OrgClient,
    query: QuerySpec,
    expect: ExpectSpec | None,
    *,
    api_version: str,
    timeout: float | None,
    max_bytes: int | None = None,
    whole: bool = False,
) -> ActionResult:
    """Run SOQL and, unless told not to, follow ``nextRecordsUrl`` to the last page: at most
    ``max_pages`` of them, and never one already read (a server whose pages loop)."""
    resource = "queryAll" if query.all_rows else "query"
    path = f"/services/data/{api_version}/{resource}?" + urlencode({"q": query.soql})
    response = client.request("GET", path, timeout=timeout, max_bytes=max_bytes)
    body = _query_body(response)
    elapsed, attempts, pages = response.elapsed_ms, response.attempts, 1
    records = list(body.get("records", [])) if isinstance(body, dict) else []
    followed: set[str] = set()
    while (
        query.follow_pages
        and response.status == 200
        and isinstance(body, dict)
        and body.get("nextRecordsUrl")
    ):
        link = _next_page(str(body["nextRecordsUrl"]), followed, query.max_pages)
        response = client.request("GET", link, timeout=timeout, max_bytes=max_bytes)
        body = _query_body(response)
        elapsed += response.elapsed_ms
        attempts += response.attempts
        pages += 1
        if isinstance(body, dict):
            records.extend(body.get("records", []))
    if isinstance(body, dict) and "records" in body:
        body = {**body, "records": records, "pages": pages}
    merged = Response(
        method=response.method, url=response.url, status=response.status,
        headers=response.headers, text=response.text, elapsed_ms=elapsed, attempts=attempts,
    )
    return ActionResult(
        registered=registered_value(merged, body),
        checks=evaluate_expect(expect, merged, body),
        exchange=exchange_of("GET", response, curl_words("GET", response.url),
                             token_sent=response.token_sent, whole=whole),
        attempts=attempts,
    )


def _next_page(link: str, followed: set[str], max_pages: int) -> str:
    """The next page to read; a page already read or one past ``max_pages`` fails the step."""
    if link in followed:
        raise ResponseFormatError(f"nextRecordsUrl {redact(link)} names a page already read: "
                                  "the server's pages go round in a loop")
    if len(followed) + 1 >= max_pages:
        pages = "pages" if max_pages > 1 else "page"
        raise ResponseFormatError(f"the query has more than {max_pages:,} {pages} "
                                  f"(max_pages: {max_pages})")
    followed.add(link)
    return link


def _query_body(response: Response) -> Any:
    """A query page's JSON; a 2xx answer that is not JSON (a proxy's or maintenance HTML page)
    is no result at all, so it fails the step instead of passing as an empty one."""
    body = response.json_or_none()
    if 200 <= response.status < 300 and not isinstance(body, dict):
        response.json()  # raises ResponseFormatError naming the content type, with an excerpt
        raise ResponseFormatError(
            f"GET {redact(response.url)} answered {response.status} with JSON that is not "
            f"a query result: {excerpt(response)[:200]}"
        )
    return body
