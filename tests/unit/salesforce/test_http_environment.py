"""The client honours proxy and CA-bundle variables, reading them once per origin."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from runner.salesforce import session
from runner.salesforce.auth import JwtCredentials
from runner.salesforce.http import OrgClient
from runner.salesforce.keys import ephemeral_key_pair
from runner.salesforce.retry import NetworkError, RetryPolicy
from tests.unit.fake_org import FakeOrg, serve

CLIENT_ID, USERNAME = "3MVG9fakeConsumerKey", "api.user@test.not"
TOKEN_PATH, LIMITS = "/services/oauth2/token", "/services/data/v60.0/limits"
PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")
DEAD_PROXY = "http://127.0.0.1:9"  # nothing listens there: a request sent to it fails


@pytest.fixture
def org() -> Iterator[FakeOrg]:
    yield from serve(FakeOrg(ephemeral_key_pair().private_key.public_key(), CLIENT_ID, USERNAME))


@pytest.fixture(autouse=True)
def no_proxy_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)


def client(login_url: str, **options: Any) -> OrgClient:
    creds = JwtCredentials(login_url, CLIENT_ID, USERNAME, ephemeral_key_pair().private_key)
    policy = RetryPolicy(sleep=lambda s: None, attempts=1, connect_timeout=2, read_timeout=5)
    return OrgClient(creds, retry=policy, **options)


def test_an_environment_proxy_carries_the_login_and_the_api_calls(
    org: FakeOrg, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("http_proxy", org.base_url)  # the fake org answers as the proxy
    org.instance_url = "http://instance.sfjwt.invalid"
    with client("http://login.sfjwt.invalid", insecure_http=True) as c:
        assert c.request("GET", LIMITS).status == 200
    assert [seen.path for seen in org.seen] == [TOKEN_PATH, LIMITS]


def test_a_no_proxy_host_is_reached_directly(
    org: FakeOrg, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("http_proxy", DEAD_PROXY)
    with client(org.base_url) as c, pytest.raises(NetworkError):
        c.authenticate()
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    with client(org.base_url) as c:
        assert c.request("GET", LIMITS).status == 200


def test_proxy_variables_are_read_once_per_origin(
    org: FakeOrg, monkeypatch: pytest.MonkeyPatch
) -> None:
    origins: list[str] = []

    def counting(url: str, no_proxy: Any = None) -> dict[str, str]:
        origins.append(url.split("/services")[0])
        return {}

    monkeypatch.setattr(session, "get_environ_proxies", counting)
    monkeypatch.setattr(session, "_PROXIES", {})  # an earlier test may have used this port
    with client(org.base_url) as c:
        for _ in range(5):
            assert c.request("GET", LIMITS).status == 200
        with pytest.raises(NetworkError):  # another origin is looked up on its own
            c.request("GET", DEAD_PROXY + "/elsewhere")
    assert origins == [org.base_url, DEAD_PROXY + "/elsewhere"]


@pytest.mark.parametrize("variable", ["REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"])
def test_a_ca_bundle_variable_applies_unless_one_is_given(
    variable: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    custom = tmp_path / "custom-ca.pem"
    custom.write_text("")
    monkeypatch.setenv(variable, str(custom))
    given = tmp_path / "given.pem"
    given.write_text("")
    url = "https://acme.my.salesforce.com/services/data"
    with client("https://login.salesforce.com") as c:
        settings = c.session.merge_environment_settings(url, {}, None, c.verify, None)
        assert settings["verify"] == str(custom)
    with client("https://login.salesforce.com", verify=str(given)) as c:
        settings = c.session.merge_environment_settings(url, {}, None, c.verify, None)
        assert settings["verify"] == str(given)
