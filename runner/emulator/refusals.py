"""APIs the embedded org does not offer, refused in the format each client parses.

SOAP endpoints (``/services/Soap/…``) answer a SOAP fault (HTTP 500, XML), never
JSON, which SOAP clients cannot read; a ``login`` call gets the ``LoginFault``
Salesforce sends to a login it refuses. Bulk API 1.0 (``/services/async/…``)
answers its own ``<error>`` document, or the JSON form to a JSON client, with
``FeatureNotEnabled`` (not ``InvalidSessionId``, which would send clients into a
refresh loop). REST versions Salesforce has retired (30.0 and older) are 410
``GONE``; SOAP and Bulk 1.0 give their own retired-version answers.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import escape

from runner.emulator.messages import Request, Response

NEWEST_RETIRED = 30
SOAP_TYPE = "text/xml;charset=UTF-8"
_SOAP_PATH = re.compile(r"^/services/Soap/(\w)/(\d+)\.\d(?:/|$)", re.IGNORECASE)
_ASYNC_PATH = re.compile(r"^/services/async/(\d+)\.\d(?:/|$)")
_REST_PATH = re.compile(r"^/services/data/v(\d+)\.(\d)(?:/|$)")
_FAULT_NS = {"c": "urn:fault.enterprise.soap.sforce.com"}
_PARTNER_NS = "urn:fault.partner.soap.sforce.com"
_DATALOAD_NS = "http://www.force.com/2009/06/asyncapi/dataload"
_LOGIN = re.compile(rb"<(?:\w+:)?login[\s>]")


def refuse(request: Request) -> Response | None:
    """The refusal for a SOAP, Bulk 1.0 or retired REST request; None for anything else."""
    path = request.path
    if path.lower().startswith("/services/soap/"):
        return _soap(request)
    if path.startswith("/services/async/"):
        return _bulk_v1(request)
    rest = _REST_PATH.match(path)
    if rest is not None and rest.group(2) == "0" and int(rest.group(1)) <= NEWEST_RETIRED:
        version = f"{int(rest.group(1))}.0"
        message = f"API version {version} is retired and no longer available."
        return Response.json(410, [{"message": message, "errorCode": "GONE"}])
    return None


def soap_fault(
    code: str, message: str, *, namespace: str = _PARTNER_NS, login: bool = False
) -> str:
    """A SOAP 1.1 fault envelope as Salesforce writes it (``sf:`` code, detail element)."""
    detail = "LoginFault" if login else "UnexpectedErrorFault"
    text = escape(message)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
        f'xmlns:sf="{namespace}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        "<soapenv:Body><soapenv:Fault>"
        f"<faultcode>sf:{code}</faultcode><faultstring>{code}: {text}</faultstring>"
        f'<detail><sf:{detail} xsi:type="sf:{detail}">'
        f"<sf:exceptionCode>{code}</sf:exceptionCode>"
        f"<sf:exceptionMessage>{text}</sf:exceptionMessage>"
        f"</sf:{detail}></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>"
    )


def _soap(request: Request) -> Response:
    found = _SOAP_PATH.match(request.path)
    namespace = _FAULT_NS.get(found.group(1).lower(), _PARTNER_NS) if found else _PARTNER_NS
    if found is not None and int(found.group(2)) <= NEWEST_RETIRED:
        text = soap_fault(
            "UNSUPPORTED_API_VERSION",
            f"Invalid Api version specified on URL: {found.group(2)}.0",
            namespace=namespace,
        )
    elif _LOGIN.search(request.body):
        text = soap_fault(
            "INVALID_LOGIN",
            "Invalid username, password, security token; or user locked out.",
            namespace=namespace,
            login=True,
        )
    else:
        text = soap_fault(
            "API_DISABLED_FOR_ORG",
            "SOAP API is not enabled for this organization",
            namespace=namespace,
        )
    return Response(500, text.encode("utf-8"), {"Content-Type": SOAP_TYPE})


def _bulk_v1(request: Request) -> Response:
    found = _ASYNC_PATH.match(request.path)
    if found is not None and int(found.group(1)) <= NEWEST_RETIRED:
        code, message = (
            "InvalidVersion",
            f"Invalid Api version specified on URL: {found.group(1)}.0",
        )
    else:
        code, message = "FeatureNotEnabled", "Bulk API is not enabled for this Organization"
    if "json" in request.header("Content-Type").lower() or request.path.endswith(".json"):
        return Response.json(400, {"exceptionCode": code, "exceptionMessage": message})
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<error xmlns="{_DATALOAD_NS}"><exceptionCode>{code}</exceptionCode>'
        f"<exceptionMessage>{escape(message)}</exceptionMessage></error>"
    )
    return Response(400, body.encode("utf-8"), {"Content-Type": "application/xml"})
