import pytest

from runner.run import checks


@pytest.mark.parametrize(
    ("expected", "status", "ok"),
    [
        (200, 200, True),
        (200, 201, False),
        ([200, 201], 201, True),
        ("2xx", 204, True),
        ("2xx", 404, False),
        ("4XX", 404, True),
        ("200", 200, True),
    ],
)
def test_status_matches(expected, status, ok):
    assert checks.status_matches(expected, status) is ok


BODY = {
    "totalSize": 2,
    "records": [{"Id": "001A", "Name": "Acme", "AccountNumber": "CD-1"}, {"Id": "001B"}],
    "DailyApiRequests": {"Max": 15000, "Remaining": 14000},
}


@pytest.mark.parametrize(
    ("expression", "matcher", "ok"),
    [
        ("totalSize", {"gte": 1}, True),
        ("totalSize", {"gt": 2}, False),
        ("totalSize", {"lte": 2, "lt": 3}, True),
        ("totalSize", 2, True),
        ("records[0].Name", {"equals": "Acme"}, True),
        ("records[0].Name", {"not_equals": "Acme"}, False),
        ("records[0].AccountNumber", {"matches": "^[A-Z]+-\\d$"}, True),
        ("records[1].Name", {"exists": False}, True),
        ("records[1].Name", {"exists": True}, False),
        ("records", {"type": "array"}, True),
        ("totalSize", {"type": "integer"}, True),
        ("totalSize", {"type": "string"}, False),
        ("records", {"length": 2}, True),
        ("records", {"length": {"gte": 3}}, False),
        ("records[0].Name", {"contains": "cm"}, True),
        ("records[*].Id", {"contains": "001B"}, True),
        ("records[0].Name", {"one_of": ["Acme", "Other"]}, True),
        ('"DailyApiRequests".Remaining', {"gte": 1000}, True),
        ("DailyApiRequests.Remaining", {"gte": "many"}, False),
    ],
)
def test_json_matchers(expression, matcher, ok):
    results = checks.check_json({expression: matcher}, BODY)
    assert all(r.passed for r in results) is ok


def test_every_mismatch_is_reported_with_expected_and_actual():
    results = checks.check_json(
        {"totalSize": {"equals": 5}, "records[0].Name": {"equals": "Other"}}, BODY
    )
    failed = [r for r in results if not r.passed]
    assert [(r.expression, r.expected, r.actual) for r in failed] == [
        ("totalSize", 5, 2),
        ("records[0].Name", "Other", "Acme"),
    ]


def test_comparison_with_missing_value_fails_with_a_reason():
    [result] = checks.check_json({"nope": {"gte": 1}}, BODY)
    assert not result.passed
    assert "needs numbers" in result.message


def test_headers_are_case_insensitive():
    results = checks.check_headers(
        {"content-type": {"contains": "json"}}, {"Content-Type": "application/json"}
    )
    assert results[0].passed


def test_schema_reports_each_violation():
    schema = {"type": "object", "required": ["totalSize", "missing"]}
    results = checks.check_schema(schema, BODY)
    assert len(results) == 1 and not results[0].passed
    assert "missing" in results[0].message


def test_elapsed():
    assert checks.check_elapsed(100, 50).passed
    assert not checks.check_elapsed(100, 150).passed
