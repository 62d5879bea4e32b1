"""Each kind of step on the wire: a request, a query that follows its pages, an assert."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from runner.playbook.step_parts import ExpectSpec, QuerySpec, RequestSpec
from runner.run import actions
from runner.salesforce.auth import JwtCredentials
from runner.salesforce.http import OrgClient, ResponseFormatError
from runner.salesforce.keys import ephemeral_key_pair
from tests.unit.fake_org import Answer, FakeOrg
from tests.unit.run.conftest import CLIENT_ID, USERNAME

QUERY = "/services/data/v60.0/query"
NEXT = "/services/data/v60.0/query/01gD0000000001-2000"


@pytest.fixture
def client(fake: FakeOrg) -> Iterator[OrgClient]:
    credentials = JwtCredentials(fake.base_url, CLIENT_ID, USERNAME,
                                 ephemeral_key_pair().private_key)
    with OrgClient(credentials, insecure_http=True) as opened:
        opened.authenticate()
        yield opened


def request(method: str = "GET", path: str = "/", **fields: object) -> RequestSpec:
    values: dict[str, object] = {"method": method, "path": path, "url": None, "params": {},
                                 "headers": {}, "json": None, "has_json": False, "body": None,
                                 "retry": False}
    return RequestSpec(**{**values, **fields})  # type: ignore[arg-type]


def expect(**fields: object) -> ExpectSpec:
    values = {"status": None, "headers": {}, "json": {}, "schema": None, "max_ms": None}
    return ExpectSpec(**{**values, **fields})  # type: ignore[arg-type]


def test_a_query_follows_next_records_url_and_registers_every_page(
    fake: FakeOrg, client: OrgClient
) -> None:
    fake.script(QUERY, Answer(200, {"totalSize": 3, "done": False, "nextRecordsUrl": NEXT,
                                    "records": [{"Id": "1"}, {"Id": "2"}]}))
    fake.script(NEXT, Answer(200, {"totalSize": 3, "done": True, "records": [{"Id": "3"}]}))
    done = actions.perform_query(client, QuerySpec("SELECT Id FROM Account", False, True),
                                 expect(json={"totalSize": 3}), api_version="v60.0",
                                 timeout=None)
    assert done.passed and done.attempts == 2
    assert [r["Id"] for r in done.registered["json"]["records"]] == ["1", "2", "3"]
    assert done.registered["json"]["pages"] == 2
    assert fake.requests_to(QUERY)[0].method == "GET"


def test_a_page_that_names_itself_again_is_not_followed_for_ever(
    fake: FakeOrg, client: OrgClient
) -> None:
    page = {"totalSize": 9, "done": False, "nextRecordsUrl": NEXT, "records": [{"Id": "1"}]}
    fake.script(QUERY, Answer(200, page))
    fake.script(NEXT, Answer(200, page))
    with pytest.raises(ResponseFormatError, match="names a page already read"):
        actions.perform_query(client, QuerySpec("SELECT Id FROM Account", False, True), None,
                              api_version="v60.0", timeout=None)
    assert len(fake.requests_to(NEXT)) == 1


def test_a_query_stops_at_max_pages(fake: FakeOrg, client: OrgClient) -> None:
    fake.script(QUERY, Answer(200, {"totalSize": 9, "done": False, "nextRecordsUrl": NEXT,
                                    "records": []}))
    with pytest.raises(ResponseFormatError, match=r"more than 1 page \(max_pages: 1\)"):
        actions.perform_query(client, QuerySpec("SELECT Id FROM Account", False, True, 1),
                              None, api_version="v60.0", timeout=None)
    assert not fake.requests_to(NEXT)


def test_a_query_page_that_is_not_a_result_is_an_error(fake: FakeOrg, client: OrgClient) -> None:
    fake.script(QUERY, Answer(200, "<html>maintenance</html>", {"Content-Type": "text/html"}))
    with pytest.raises(ResponseFormatError):
        actions.perform_query(client, QuerySpec("SELECT Id FROM Account", False, True), None,
                              api_version="v60.0", timeout=None)


def test_a_refused_request_says_what_salesforce_said(fake: FakeOrg, client: OrgClient) -> None:
    path = "/services/data/v60.0/sobjects/Account/001000000000000AAA"
    fake.script(path, Answer(404, [{"errorCode": "NOT_FOUND", "message": "gone"}]))
    done = actions.perform_request(client, request(path=path), None, timeout=None)
    (status,) = done.checks
    assert (status.passed, status.expected, status.actual, status.message) == (
        False, "2xx", 404, "NOT_FOUND: gone")
    assert done.exchange is not None and done.exchange.status == 404
    curl = done.exchange.curl
    assert '"Authorization: Bearer $SF_ACCESS_TOKEN"' in curl and fake.tokens[0] not in curl


def test_a_successful_write_is_a_change_and_every_mismatch_is_kept(
    fake: FakeOrg, client: OrgClient
) -> None:
    path = "/services/data/v60.0/sobjects/Account"
    fake.script(path, Answer(201, {"id": "001000000000001AAA", "success": True}))
    done = actions.perform_request(
        client, request("POST", path, json={"Name": "Acme"}, has_json=True),
        expect(status=201, json={"success": True, "id": {"matches": "^003"}, "errors": []}),
        timeout=None)
    assert done.wrote
    assert [(c.expression, c.passed) for c in done.checks] == [
        ("status", True), ("success", True), ("id", False), ("errors", False)]
    assert fake.requests_to(path)[0].body == b'{"Name": "Acme"}'
