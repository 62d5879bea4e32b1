"""Tests for runner.salesforce.urls: where the access token may be sent after a login."""

from __future__ import annotations

import pytest

from runner.errors import ExitStatus, TransportError
from runner.salesforce.urls import check_instance_allowed

LOGIN = "https://login.salesforce.com"


@pytest.mark.parametrize(("instance", "login", "allowed"), [
    ("https://acme.my.salesforce.com", LOGIN, ()),
    ("https://acme--uat.sandbox.my.salesforce.com", "https://test.salesforce.com", ()),
    ("https://acme.lightning.force.com", LOGIN, ()),
    ("https://acme.my.site.com", LOGIN, ()),
    ("https://na1.cloudforce.com", LOGIN, ()),
    ("https://acme.my.salesforce-sites.com", LOGIN, ()),
    ("https://acme.database.com", LOGIN, ()),
    ("https://api.example.co.uk", "https://sso.example.co.uk", ()),  # the login's own domain
    ("http://127.0.0.1:8443", "http://127.0.0.1:9000", ()),  # an emulated org
    ("http://localhost:8443", "http://[::1]:9000", ()),
    ("https://api.partner.test", LOGIN, ("api.partner.test",)),
    ("https://eu.proxy.example.net", LOGIN, ("*.proxy.example.net",)),
    ("https://ACME.My.Salesforce.COM.", LOGIN, ()),
])
def test_instances_the_token_may_go_to(instance: str, login: str, allowed: tuple[str, ...]) -> None:
    check_instance_allowed(instance, login, allowed)


@pytest.mark.parametrize(("instance", "login", "allowed"), [
    ("https://collector.example.net", LOGIN, ()),
    ("https://salesforce.com.example.net", LOGIN, ()),
    ("https://evilsalesforce.com", LOGIN, ()),
    ("http://127.0.0.1:8443", LOGIN, ()),  # loopback only when the login was loopback
    ("https://other.co.uk", "https://sso.example.co.uk", ()),  # a public suffix is no domain
    ("https://proxy.example.net", LOGIN, ("*.proxy.example.net",)),  # *. means subdomains
    ("https://10.0.0.8", "https://10.0.0.7", ()),
])
def test_instances_the_token_may_not_go_to(instance: str, login: str,
                                           allowed: tuple[str, ...]) -> None:
    with pytest.raises(TransportError, match="is not a Salesforce host") as caught:
        check_instance_allowed(instance, login, allowed)
    assert caught.value.exit_status is ExitStatus.ORG_UNREACHABLE
    assert "instance_hosts" in (caught.value.hint or "")
