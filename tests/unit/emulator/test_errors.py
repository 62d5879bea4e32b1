from __future__ import annotations

from runner.emulator import errors


def test_body_is_a_json_array_with_optional_fields() -> None:
    plain = errors.RestApiError(400, "INVALID_FIELD", "bad")
    assert plain.body() == [{"message": "bad", "errorCode": "INVALID_FIELD"}]
    with_fields = errors.RestApiError(400, "REQUIRED_FIELD_MISSING", "missing", ["Name"])
    assert with_fields.body() == [
        {"message": "missing", "errorCode": "REQUIRED_FIELD_MISSING", "fields": ["Name"]}
    ]


def test_save_error_uses_status_code_and_always_has_fields() -> None:
    err = errors.RestApiError(400, "INVALID_FIELD", "bad")
    assert err.save_error() == {"statusCode": "INVALID_FIELD", "message": "bad", "fields": []}


def test_not_found_variants() -> None:
    assert errors.not_found().status == 404
    assert errors.not_found().message == "The requested resource does not exist"
    assert errors.not_an_id("abc").message.endswith(": abc")


def test_soql_error_has_caret_preamble() -> None:
    query = "SELECT Id, Dispenser__c FROM Audit_Answer__c"
    err = errors.soql_error("INVALID_FIELD", query, 1, 12, "No such column")
    assert err.status == 400
    assert err.message == (
        "\nSELECT Id, Dispenser__c FROM Audit_Answer__c\n           ^\n"
        "ERROR at Row:1:Column:12\nNo such column"
    )


def test_soql_error_on_second_row_quotes_that_row() -> None:
    err = errors.soql_error("MALFORMED_QUERY", "SELECT Id\nFROM", 2, 5, "unexpected token: '<EOF>'")
    assert err.message.startswith("\nFROM\n    ^\nERROR at Row:2:Column:5\n")
