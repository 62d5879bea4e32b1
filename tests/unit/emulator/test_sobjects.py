from __future__ import annotations

import pytest

from runner.emulator import sobjects
from runner.emulator.errors import RestApiError
from runner.emulator.schema import STANDARD

REQUIRED = {
    "Account": {"Name"},
    "Contact": {"LastName"},
    "Opportunity": {"Name", "StageName", "CloseDate"},
    "Case": set(),
    "Lead": {"LastName", "Company"},
}
PREFIXES = {
    "Account": "001",
    "Contact": "003",
    "Opportunity": "006",
    "Case": "500",
    "Lead": "00Q",
    "Task": "00T",
    "User": "005",
    "Profile": "00e",
    "Organization": "00D",
}


def test_canonical_name_is_case_insensitive() -> None:
    assert STANDARD.canonical_name("account") == "Account"
    assert STANDARD.canonical_name("OPPORTUNITY") == "Opportunity"


@pytest.mark.parametrize("name", ["ScratchOrgInfo", "Foo__c", ""])
def test_unknown_object_is_not_found(name: str) -> None:
    with pytest.raises(RestApiError) as caught:
        STANDARD.canonical_name(name)
    assert caught.value.status == 404
    assert caught.value.error_code == "NOT_FOUND"
    with pytest.raises(RestApiError):
        sobjects.describe(STANDARD, name, "61.0")


@pytest.mark.parametrize(("name", "required"), sorted(REQUIRED.items()))
def test_required_on_create_fields(name: str, required: set[str]) -> None:
    fields = STANDARD.get(name).fields
    assert {f.name for f in fields if f.required} == required


def test_describe_global_lists_objects_with_version_urls() -> None:
    body = sobjects.describe_global(STANDARD, "58.0")
    assert body["encoding"] == "UTF-8"
    assert body["maxBatchSize"] == 200
    by_name = {s["name"]: s for s in body["sobjects"]}
    assert {n: s["keyPrefix"] for n, s in by_name.items()} == PREFIXES
    assert by_name["Account"]["urls"] == {
        "sobject": "/services/data/v58.0/sobjects/Account",
        "describe": "/services/data/v58.0/sobjects/Account/describe",
        "rowTemplate": "/services/data/v58.0/sobjects/Account/{ID}",
    }
    assert by_name["Organization"]["createable"] is False


def test_describe_fields_carry_every_key_and_reference_details() -> None:
    body = sobjects.describe(STANDARD, "contact", "61.0")
    assert body["name"] == "Contact"
    assert body["labelPlural"] == "Contacts"
    keys = set(body["fields"][0])
    assert all(set(f) == keys for f in body["fields"])
    by_name = {f["name"]: f for f in body["fields"]}
    assert by_name["Id"]["soapType"] == "tns:ID"
    assert by_name["Id"]["length"] == 18
    account = by_name["AccountId"]
    assert account["type"] == "reference"
    assert account["referenceTo"] == ["Account"]
    assert account["relationshipName"] == "Account"
    assert by_name["LastName"]["nillable"] is False
    assert by_name["Name"]["createable"] is False
    assert by_name["Email"]["type"] == "email"


def test_describe_child_relationships_and_record_types() -> None:
    body = sobjects.describe(STANDARD, "Account", "61.0")
    children = {
        (c["childSObject"], c["field"]): c["relationshipName"] for c in body["childRelationships"]
    }
    assert children[("Contact", "AccountId")] == "Contacts"
    assert children[("Opportunity", "AccountId")] == "Opportunities"
    assert body["recordTypeInfos"][0]["master"] is True
    assert body["urls"]["describe"] == "/services/data/v61.0/sobjects/Account/describe"


def test_picklists_list_their_values() -> None:
    fields = {f["name"]: f for f in sobjects.describe(STANDARD, "Opportunity", "61.0")["fields"]}
    values = [p["value"] for p in fields["StageName"]["picklistValues"]]
    assert "Closed Won" in values
    assert fields["StageName"]["type"] == "picklist"


def test_field_and_relationship_lookup() -> None:
    contact = STANDARD.get("Contact")
    assert contact.field("accountid") is not None
    assert contact.field("nope") is None
    rel = contact.relationship("OWNER")
    assert rel is not None
    assert rel.reference_to == ("User",)
    assert STANDARD.by_key_prefix("001") is STANDARD.get("Account")
