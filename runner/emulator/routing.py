"""What every REST route shares: the request context, the handler type and the common refusals.

Routes (records, queries, composite, batch) import this module, never ``rest``:
``rest`` holds the route table and imports them, so the two stay acyclic.
Composite and batch reach back into the table through :meth:`Context.route`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from runner.emulator.directory import OrgState
from runner.emulator.errors import NOT_FOUND_MESSAGE, RestApiError
from runner.emulator.messages import Request, Response, rest_error
from runner.emulator.schema import Schema
from runner.emulator.store import Store

Dispatch = Callable[["Context", str], Response]
Handler = Callable[["Context", list[str]], Response]


@dataclass
class Context:
    """What a route needs: the org, the caller, the API version, the request and the store."""

    org: OrgState
    user_id: str
    version: str
    request: Request
    store: Store
    base_url: str
    dispatch: Dispatch

    @property
    def schema(self) -> Schema:
        """The objects of the caller's org."""
        return self.store.schema(self.org.org_id)

    def body(self) -> Any:
        """The JSON body; 400 ``JSON_PARSER_ERROR`` when it does not parse."""
        try:
            return self.request.json_body()
        except (ValueError, UnicodeDecodeError) as exc:
            raise RestApiError(400, "JSON_PARSER_ERROR", f"Unexpected character: {exc}") from None

    def route(self, version: str, request: Request, rest_path: str) -> Response:
        """Answer a sub-request (composite, batch) as the same caller, through the route table."""
        return self.dispatch(replace(self, version=version, request=request), rest_path)

    def refuse(self, allowed: str) -> Response:
        """405 for this request's method, listing the ``allowed`` ones."""
        return method_not_allowed(self.request.method, allowed)


def not_found() -> Response:
    """404 ``NOT_FOUND``, Salesforce's answer for any unknown resource."""
    return rest_error(404, "NOT_FOUND", NOT_FOUND_MESSAGE)


def method_not_allowed(method: str, allowed: str) -> Response:
    """405 with Salesforce's wording."""
    message = f"HTTP Method '{method}' not allowed. Allowed are {allowed}"
    return rest_error(405, "METHOD_NOT_ALLOWED", message)
