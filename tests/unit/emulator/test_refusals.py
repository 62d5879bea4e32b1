"""SOAP, Bulk API 1.0 and retired versions: refused in the format each client parses."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from runner.emulator import Emulator
from runner.emulator.messages import Request

from .conftest import Client

SOAP_ENV = "{http://schemas.xmlsoap.org/soap/envelope/}"
PARTNER = "{urn:fault.partner.soap.sforce.com}"
DATALOAD = "{http://www.force.com/2009/06/asyncapi/dataload}"
LOGIN_BODY = (
    b'<?xml version="1.0" encoding="utf-8" ?><env:Envelope '
    b'xmlns:env="http://schemas.xmlsoap.org/soap/envelope/" '
    b'xmlns:urn="urn:partner.soap.sforce.com"><env:Body><urn:login>'
    b"<urn:username>u@x.test</urn:username><urn:password>pw</urn:password>"
    b"</urn:login></env:Body></env:Envelope>"
)


def _fault(emu: Emulator, path: str, body: bytes = b"<x/>") -> tuple[str, str, str]:
    response = emu.handle(Request("POST", path, "", {"Content-Type": "text/xml"}, body))
    assert response.status == 500
    assert response.headers["Content-Type"] == "text/xml;charset=UTF-8"
    fault = ET.fromstring(response.body).find(f"{SOAP_ENV}Body/{SOAP_ENV}Fault")
    assert fault is not None
    code = fault.findtext("faultcode") or ""
    detail = next(iter(fault.find("detail") or []))
    return code, fault.findtext("faultstring") or "", detail.tag


def test_soap_login_gets_a_login_fault(emu: Emulator) -> None:
    code, text, detail = _fault(emu, "/services/Soap/u/59.0", LOGIN_BODY)
    assert (code, detail) == ("sf:INVALID_LOGIN", f"{PARTNER}LoginFault")
    assert text == "INVALID_LOGIN: Invalid username, password, security token; or user locked out."


def test_other_soap_calls_get_an_unexpected_error_fault(emu: Emulator) -> None:
    code, _, detail = _fault(emu, "/services/Soap/m/60.0/00D000000000001")
    assert (code, detail) == ("sf:API_DISABLED_FOR_ORG", f"{PARTNER}UnexpectedErrorFault")
    code, _, detail = _fault(emu, "/services/Soap/c/60.0")
    assert detail == "{urn:fault.enterprise.soap.sforce.com}UnexpectedErrorFault"


def test_retired_soap_version(emu: Emulator) -> None:
    assert _fault(emu, "/services/Soap/u/20.0", LOGIN_BODY)[0] == "sf:UNSUPPORTED_API_VERSION"


@pytest.mark.parametrize(
    ("path", "code"),
    [("/services/async/60.0/job", "FeatureNotEnabled"),
     ("/services/async/20.0/job", "InvalidVersion")],
)  # fmt: skip
def test_bulk_v1_answers_its_xml_error(emu: Emulator, path: str, code: str) -> None:
    response = emu.handle(Request("POST", path, "", {"Content-Type": "application/xml"}, b"<x/>"))
    assert response.status == 400
    error = ET.fromstring(response.body)
    assert error.tag == f"{DATALOAD}error"
    assert error.findtext(f"{DATALOAD}exceptionCode") == code


def test_bulk_v1_json_client_gets_json(emu: Emulator) -> None:
    request = Request("POST", "/services/async/60.0/job", "",
                      {"Content-Type": "application/json"}, b"{}")  # fmt: skip
    response = emu.handle(request)
    assert response.status == 400 and json.loads(response.body) == {
        "exceptionCode": "FeatureNotEnabled",
        "exceptionMessage": "Bulk API is not enabled for this Organization",
    }


@pytest.mark.parametrize("version", ["7.0", "20.0", "30.0"])
def test_retired_rest_versions_are_gone(client: Client, version: str) -> None:
    status, _, body = client.call("GET", f"/services/data/v{version}/sobjects")
    assert status == 410
    assert body == [
        {"message": f"API version {version} is retired and no longer available.",
         "errorCode": "GONE"}
    ]  # fmt: skip


def test_versions_that_never_existed_stay_not_found(client: Client) -> None:
    assert client.call("GET", "/services/data/v31.0/limits")[0] == 200
    assert client.call("GET", "/services/data/v99.0/limits")[0] == 404
    assert client.call("GET", "/services/data/v20.5/limits")[0] == 404
