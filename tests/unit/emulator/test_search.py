"""SOSL over /search and /parameterizedSearch: terms, scopes, RETURNING clauses and errors."""

from __future__ import annotations

from typing import Any

import pytest

from runner.emulator import Emulator

from .conftest import Client, V, create_account, error_code


def _search(client: Client, sosl: str, version: str = "60.0") -> tuple[int, Any]:
    status, _, body = client.call("GET", f"/services/data/v{version}/search", params={"q": sosl})
    return status, body


def _names(body: Any) -> list[tuple[str, str]]:
    return [
        (r["attributes"]["type"], r["Name"] if "Name" in r else r["Id"])
        for r in body["searchRecords"]
    ]


@pytest.fixture
def seeded(client: Client) -> Client:
    create_account(client, {"Name": "Zephyr Widgets", "Description": "makes quantum gizmos",
                            "Industry": "Energy"})  # fmt: skip
    create_account(client, {"Name": "Zephyrine Holdings", "Industry": "Banking"})
    create_account(client, {"Name": "Quantum Co", "Phone": "(555) 010-7788"})
    contact = {"LastName": "Zephyr", "FirstName": "Ada", "Email": "ada.z@zephyr.test"}
    client.call("POST", f"{V}/sobjects/Contact", contact)
    return client


def test_find_in_name_fields_returning_fields(seeded: Client) -> None:
    status, body = _search(
        seeded, "FIND {Zephyr*} IN NAME FIELDS RETURNING Account(Id, Name ORDER BY Name), "
        "Contact(Name, Email)",
    )  # fmt: skip
    assert status == 200
    assert _names(body) == [
        ("Account", "Zephyr Widgets"), ("Account", "Zephyrine Holdings"), ("Contact", "Ada Zephyr")
    ]  # fmt: skip
    assert body["searchRecords"][2]["Email"] == "ada.z@zephyr.test"
    assert body["searchRecords"][0]["attributes"]["url"].startswith(f"{V}/sobjects/Account/001")


def test_where_limit_and_scopes(seeded: Client) -> None:
    energy = _search(seeded, "FIND {zephyr*} RETURNING Account(Name WHERE Industry = 'Energy')")
    assert _names(energy[1]) == [("Account", "Zephyr Widgets")]
    limited = _search(seeded, "FIND {zephyr*} RETURNING Account(Name ORDER BY Name DESC LIMIT 1)")
    assert _names(limited[1]) == [("Account", "Zephyrine Holdings")]
    in_all = _search(seeded, "FIND {quantum} IN ALL FIELDS RETURNING Account(Name ORDER BY Name)")
    assert _names(in_all[1]) == [("Account", "Quantum Co"), ("Account", "Zephyr Widgets")]
    in_name = _search(seeded, "FIND {quantum} IN NAME FIELDS RETURNING Account(Name)")
    assert _names(in_name[1]) == [("Account", "Quantum Co")]
    phone = _search(seeded, "FIND {555-010-7788} IN PHONE FIELDS RETURNING Account(Name)")
    assert _names(phone[1]) == [("Account", "Quantum Co")]
    email = _search(seeded, 'FIND {"ada.z@zephyr.test"} IN EMAIL FIELDS RETURNING Contact(Name)')
    assert _names(email[1]) == [("Contact", "Ada Zephyr")]


def test_operators_and_phrases(seeded: Client) -> None:
    both = _search(
        seeded, 'FIND {"zephyr widgets" OR holdings} RETURNING Account(Name ORDER BY Name)'
    )
    assert [n for _, n in _names(both[1])] == ["Zephyr Widgets", "Zephyrine Holdings"]
    without = _search(seeded, "FIND {zephyr* AND NOT widgets} RETURNING Account(Name)")
    assert [n for _, n in _names(without[1])] == ["Zephyrine Holdings"]
    implicit = _search(seeded, "FIND {quantum gizmos} RETURNING Account(Name)")
    assert [n for _, n in _names(implicit[1])] == ["Zephyr Widgets"]


def test_without_returning_every_searchable_object_answers_ids(seeded: Client) -> None:
    status, body = _search(seeded, "FIND {zephyr}")
    assert status == 200
    assert sorted(r["attributes"]["type"] for r in body["searchRecords"]) == ["Account", "Contact"]
    assert all(set(r) == {"attributes", "Id"} for r in body["searchRecords"])


def test_old_versions_answer_a_bare_list(seeded: Client) -> None:
    status, body = _search(seeded, "FIND {zephyr} RETURNING Contact", version="36.0")
    assert status == 200 and isinstance(body, list) and len(body) == 1


@pytest.mark.parametrize(
    ("sosl", "code", "message"),
    [
        ("FIND {name} IN ALL TYPE RETURNING Account(name)", "MALFORMED_SEARCH",
         "\nFIND {name} IN ALL TYPE RETURNING Account(name)\n                  ^\n"
         "ERROR at Row:1:Column:19\nMalformed search token: TYPE"),
        ("FIND {John|jane_gray@uoa.edu} RETURNING Contact", "MALFORMED_SEARCH",
         "\nFIND {John|jane_gray@uoa.edu} RETURNING Contact\n         ^\n"
         "ERROR at Row:1:Column:10\nline 1:10 mismatched character '|' expecting '}'"),
        ("FIND {g}", "INVALID_SEARCH", "search term must be longer than one character: g"),
        ("FIND {acme", "MALFORMED_SEARCH",
         "\nFIND {acme\n         ^\nERROR at Row:1:Column:10\n"
         "line 1:10 mismatched character '<EOF>' expecting '}'"),
    ],
)  # fmt: skip
def test_malformed_searches(client: Client, sosl: str, code: str, message: str) -> None:
    assert _search(client, sosl) == (400, [{"message": message, "errorCode": code}])


def test_bad_names_in_returning_point_into_the_search(client: Client) -> None:
    status, body = _search(client, "FIND {acme} RETURNING Account(Nope)")
    assert (status, body[0]["errorCode"]) == (400, "INVALID_FIELD")
    assert body[0]["message"].startswith(
        "\nFIND {acme} RETURNING Account(Nope)\n                             ^\n"
        "ERROR at Row:1:Column:30\nNo such column 'Nope' on entity 'Account'."
    )
    assert error_code(
        client.call("GET", f"{V}/search", params={"q": "FIND {acme} RETURNING Nope__c"})
    ) == (400, "INVALID_TYPE")
    assert error_code(client.call("GET", f"{V}/search", params={"q": ""})) == (
        400,
        "MALFORMED_SEARCH",
    )


def test_parameterized_search_get_and_post(seeded: Client) -> None:
    params = {"q": "zephyr*", "sobject": "Account", "Account.fields": "Id,Name", "in": "name",
              "Account.where": "Industry = 'Banking'", "Account.limit": "5"}  # fmt: skip
    status, _, body = seeded.call("GET", f"{V}/parameterizedSearch", params=params)
    assert status == 200 and _names(body) == [("Account", "Zephyrine Holdings")]
    post = {"q": "Zephyr", "fields": ["Id", "Name"],
            "sobjects": [{"name": "Contact"}, {"name": "Account", "limit": 1}],
            "overallLimit": 10}  # fmt: skip
    status, _, body = seeded.call("POST", f"{V}/parameterizedSearch", post)
    assert status == 200 and _names(body) == [
        ("Contact", "Ada Zephyr"),
        ("Account", "Zephyr Widgets"),
    ]
    assert seeded.call("POST", f"{V}/parameterizedSearch", {"fields": ["Id"]})[0] == 400


def test_custom_objects_and_fields_are_searched(key_pair: tuple[str, str]) -> None:
    objects = [{"name": "Shipment__c", "fields": [
        {"name": "Tracking__c", "type": "string", "length": 30, "external_id": True},
        {"name": "Notes__c", "type": "textarea"}]}]  # fmt: skip
    records = {"Shipment__c": [{"Name": "Crate", "Tracking__c": "TRK-77", "Notes__c": "fragile"},
                               {"Name": "Pallet", "Tracking__c": "TRK-78"}]}  # fmt: skip
    emulator = Emulator(port=9)
    try:
        org = emulator.add_org({"name": "c", "certificate_pem": key_pair[1],
                                "objects": objects, "records": records})  # fmt: skip
        client = Client(emulator, org, key_pair[0])
        status, body = _search(client, "FIND {fragile} RETURNING Shipment__c(Name, Tracking__c)")
        assert status == 200 and _names(body) == [("Shipment__c", "Crate")]
        status, body = _search(client, "FIND {TRK-78} IN ALL FIELDS RETURNING Shipment__c(Name)")
        assert _names(body) == [("Shipment__c", "Pallet")]
        status, body = _search(client, "FIND {pallet} IN NAME FIELDS RETURNING Shipment__c")
        assert [r["attributes"]["type"] for r in body["searchRecords"]] == ["Shipment__c"]
    finally:
        emulator.close()
