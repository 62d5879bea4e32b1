"""REST errors of the embedded org, in Salesforce's own shapes.

The data layer raises ``RestApiError``; the HTTP layer turns it into a status and
a JSON array body. The same error reappears inside create and collection results
as a SaveResult error (``statusCode`` rather than ``errorCode``).
"""

from __future__ import annotations

from typing import Any

NOT_FOUND_MESSAGE = "The requested resource does not exist"

_CUSTOM_FIELD_HINT = (
    "If you are attempting to use a custom field, be sure to append the '__c' after the "
    "custom field name. Please reference your WSDL or the describe call for the appropriate names."
)
_CUSTOM_RELATIONSHIP_HINT = (
    "If you are attempting to use a custom relationship, be sure to append the '__r' after the "
    "custom relationship name. Please reference your WSDL or the describe call for the "
    "appropriate names."
)
_CUSTOM_OBJECT_HINT = (
    "If you are attempting to use a custom object, be sure to append the '__c' after the entity "
    "name. Please reference your WSDL or the describe call for the appropriate names."
)


class RestApiError(Exception):
    """One REST error: HTTP status, Salesforce errorCode, message and optional field names."""

    def __init__(
        self, status: int, error_code: str, message: str, fields: list[str] | None = None
    ) -> None:
        super().__init__(f"{error_code}: {message}")
        self.status = status
        self.error_code = error_code
        self.message = message
        self.fields = fields

    def body(self) -> list[dict[str, Any]]:
        """The JSON array Salesforce sends for a failed REST call."""
        item: dict[str, Any] = {"message": self.message, "errorCode": self.error_code}
        if self.fields is not None:
            item["fields"] = list(self.fields)
        return [item]

    def save_error(self) -> dict[str, Any]:
        """The error object inside a SaveResult (create, collections, composite graph)."""
        return {
            "statusCode": self.error_code,
            "message": self.message,
            "fields": list(self.fields or []),
        }

    def __repr__(self) -> str:
        return f"RestApiError({self.status}, {self.error_code!r}, {self.message!r})"


def not_found() -> RestApiError:
    """404 for an unknown resource, object type, or a record that does not exist."""
    return RestApiError(404, "NOT_FOUND", NOT_FOUND_MESSAGE)


def not_an_id(segment: str) -> RestApiError:
    """404 for a record URL whose last segment is not a well-formed id (read as an external id)."""
    return RestApiError(
        404,
        "NOT_FOUND",
        f"Provided external ID field does not exist or is not accessible: {segment}",
    )


def entity_is_deleted() -> RestApiError:
    """Updating or deleting a record that is already in the recycle bin."""
    return RestApiError(404, "ENTITY_IS_DELETED", "entity is deleted", [])


def no_such_column(field: str, sobject: str) -> RestApiError:
    """Unknown field in a create or update body."""
    return RestApiError(
        400, "INVALID_FIELD", f"No such column '{field}' on sobject of type {sobject}"
    )


def no_such_column_on_entity(field: str, sobject: str) -> str:
    """Text for an unknown field in SOQL or in ``?fields=`` (placed after a caret preamble)."""
    return f"No such column '{field}' on entity '{sobject}'. {_CUSTOM_FIELD_HINT}"


def unknown_relationship(name: str) -> str:
    """Text for an unknown relationship in a SOQL field path."""
    return f"Didn't understand relationship '{name}' in field path. {_CUSTOM_RELATIONSHIP_HINT}"


def unsupported_type(sobject: str) -> str:
    """Text for an unknown object in a SOQL FROM clause."""
    return f"sObject type '{sobject}' is not supported. {_CUSTOM_OBJECT_HINT}"


def soql_error(error_code: str, query: str, row: int, column: int, text: str) -> RestApiError:
    """A 400 SOQL error with Salesforce's caret preamble pointing at row/column (1-based)."""
    lines = query.split("\n")
    line = lines[row - 1] if 0 < row <= len(lines) else query
    caret = " " * (column - 1) + "^"
    message = f"\n{line}\n{caret}\nERROR at Row:{row}:Column:{column}\n{text}"
    return RestApiError(400, error_code, message)
