from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runner.emulator import ids
from runner.emulator.errors import RestApiError
from runner.emulator.sample_data import seed_org
from runner.emulator.schema import STANDARD
from runner.emulator.store import Store

ORG = ids.to_18("00Dxx0000001gPL")
OTHER_ORG = ids.to_18("00Dxx0000002AbC")
NOW = dt.datetime(2024, 3, 15, 10, 40, 37, 123000, tzinfo=dt.timezone.utc)
V = "61.0"


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(clock: Clock) -> Store:
    s = Store(clock=clock)
    seed_org(
        s,
        ORG,
        organization={"Name": "Acme"},
        users=[{"Username": "int@acme.test", "FirstName": "Ivy", "LastName": "Integration"}],
        sample_data=False,
    )
    return s


def admin(store: Store) -> str:
    found = store.find_user("int@acme.test")
    assert found is not None
    return found[1]


def raises(call: Any, *args: Any, **kwargs: Any) -> RestApiError:
    with pytest.raises(RestApiError) as caught:
        call(*args, **kwargs)
    return caught.value


def test_create_and_get_full_record(store: Store) -> None:
    account_id = store.create(ORG, "account", {"Name": "Acme", "NumberOfEmployees": 12})
    assert len(account_id) == 18 and account_id.startswith("001") and ids.is_valid_id(account_id)
    record = store.get(ORG, "Account", account_id[:15], None, "58.0")
    assert list(record)[:2] == ["attributes", "Id"]
    assert record["attributes"] == {
        "type": "Account",
        "url": f"/services/data/v58.0/sobjects/Account/{account_id}",
    }
    assert record["Name"] == "Acme"
    assert record["NumberOfEmployees"] == 12
    assert record["Industry"] is None
    assert record["IsDeleted"] is False
    assert record["CreatedDate"] == "2024-03-15T10:40:37.123+0000"
    assert record["OwnerId"] == record["CreatedById"] == admin(store)


def test_get_selected_fields_keeps_attributes_and_id(store: Store) -> None:
    account_id = store.create(ORG, "Account", {"Name": "Acme", "AccountNumber": "CD1"})
    record = store.get(ORG, "Account", account_id, ["name", "AccountNumber"], V)
    assert list(record) == ["attributes", "Name", "AccountNumber", "Id"]
    assert record["Id"] == account_id


def test_get_unknown_field_is_invalid_field(store: Store) -> None:
    account_id = store.create(ORG, "Account", {"Name": "Acme"})
    err = raises(store.get, ORG, "Account", account_id, ["Nope"], V)
    assert (err.status, err.error_code) == (400, "INVALID_FIELD")
    assert "No such column 'Nope' on entity 'Account'" in err.message


def test_get_missing_malformed_and_wrong_type_ids(store: Store) -> None:
    missing = raises(store.get, ORG, "Account", ids.to_18("001xx000003DGb2"), None, V)
    assert (missing.status, missing.error_code) == (404, "NOT_FOUND")
    assert missing.message == "The requested resource does not exist"
    malformed = raises(store.get, ORG, "Account", "abc", None, V)
    assert (malformed.status, malformed.error_code) == (404, "NOT_FOUND")
    assert malformed.message == (
        "Provided external ID field does not exist or is not accessible: abc"
    )
    contact_id = store.create(ORG, "Contact", {"LastName": "Wong"})
    assert raises(store.get, ORG, "Account", contact_id, None, V).status == 404


def test_records_are_private_to_their_org(store: Store) -> None:
    seed_org(store, OTHER_ORG, organization={}, users=[{"Username": "b@b.test"}], sample_data=False)
    account_id = store.create(ORG, "Account", {"Name": "Acme"})
    assert raises(store.get, OTHER_ORG, "Account", account_id, None, V).status == 404
    assert store.count(OTHER_ORG, "Account") == 0


def test_create_rejects_id_unknown_and_locked_fields(store: Store) -> None:
    err = raises(store.create, ORG, "Account", {"Id": "001xx000003DGb2", "Name": "x"})
    assert err.error_code == "INVALID_FIELD"
    assert err.message == "The Id field should not be specified in the sobject data."
    unknown = raises(store.create, ORG, "Account", {"Name": "x", "Colour": "red"})
    assert unknown.message == "No such column 'Colour' on sobject of type Account"
    locked = raises(store.create, ORG, "Contact", {"LastName": "x", "Name": "y"})
    assert locked.error_code == "INVALID_FIELD_FOR_INSERT_UPDATE"
    assert locked.fields == ["Name"]


@pytest.mark.parametrize(
    ("sobject", "body", "missing"),
    [
        ("Account", {}, ["Name"]),
        ("Contact", {"FirstName": "A"}, ["LastName"]),
        ("Opportunity", {"Amount": 5}, ["Name", "StageName", "CloseDate"]),
        ("Lead", {"LastName": "L"}, ["Company"]),
    ],
)
def test_required_fields(store: Store, sobject: str, body: dict[str, Any], missing: list) -> None:
    err = raises(store.create, ORG, sobject, body)
    assert (err.status, err.error_code, err.fields) == (400, "REQUIRED_FIELD_MISSING", missing)
    assert err.message == f"Required fields are missing: [{', '.join(missing)}]"
    assert err.body()[0]["fields"] == missing


def test_case_needs_nothing_and_gets_number_and_defaults(store: Store) -> None:
    first = store.get(ORG, "Case", store.create(ORG, "Case", {}), None, V)
    second = store.get(ORG, "Case", store.create(ORG, "Case", {"Status": "Closed"}), None, V)
    assert (first["CaseNumber"], second["CaseNumber"]) == ("00001001", "00001002")
    assert (first["Status"], first["Priority"], first["IsClosed"]) == ("New", "Medium", False)
    assert second["IsClosed"] is True
    assert second["ClosedDate"] == "2024-03-15T10:40:37.123+0000"


def test_bad_references(store: Store) -> None:
    malformed = raises(store.create, ORG, "Contact", {"LastName": "x", "AccountId": "001bad"})
    assert (malformed.error_code, malformed.fields) == ("MALFORMED_ID", ["AccountId"])
    contact_id = store.create(ORG, "Contact", {"LastName": "x"})
    wrong_type = raises(store.create, ORG, "Contact", {"LastName": "y", "AccountId": contact_id})
    assert wrong_type.error_code == "FIELD_INTEGRITY_EXCEPTION"
    absent = ids.to_18("001xx000003DGb2")
    gone = raises(store.create, ORG, "Contact", {"LastName": "y", "AccountId": absent})
    assert gone.error_code == "INVALID_CROSS_REFERENCE_KEY"


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("NumberOfEmployees", "many", "JSON_PARSER_ERROR"),
        ("NumberOfEmployees", 1.5, "JSON_PARSER_ERROR"),
        ("AnnualRevenue", True, "JSON_PARSER_ERROR"),
        ("AccountNumber", "x" * 41, "STRING_TOO_LONG"),
        ("Description", ["a"], "JSON_PARSER_ERROR"),
    ],
)
def test_value_types_are_checked(store: Store, field: str, value: Any, code: str) -> None:
    assert raises(store.create, ORG, "Account", {"Name": "A", field: value}).error_code == code


def test_dates_datetimes_and_emails(store: Store) -> None:
    bad_date = {"Name": "o", "StageName": "Prospecting", "CloseDate": "2024-02-30"}
    assert raises(store.create, ORG, "Opportunity", bad_date).error_code == "JSON_PARSER_ERROR"
    bad_email = {"LastName": "x", "Email": "not-an-email"}
    assert raises(store.create, ORG, "Contact", bad_email).error_code == "INVALID_EMAIL_ADDRESS"
    case_id = store.create(ORG, "Case", {})
    store.insert(ORG, "Case", {"Status": "Closed", "ClosedDate": "2024-01-31T10:00:00+02:00"})
    assert store.get(ORG, "Case", case_id, ["ClosedDate"], V)["ClosedDate"] is None
    rows = store.query(ORG, "SELECT ClosedDate FROM Case WHERE ClosedDate != null", api_version=V)
    assert rows["records"][0]["ClosedDate"] == "2024-01-31T08:00:00.000+0000"


def test_derived_fields(store: Store) -> None:
    contact_id = store.create(ORG, "Contact", {"FirstName": "Ada", "LastName": "Lovelace"})
    assert store.get(ORG, "Contact", contact_id, ["Name"], V)["Name"] == "Ada Lovelace"
    store.update(ORG, "Contact", contact_id, {"FirstName": None})
    assert store.get(ORG, "Contact", contact_id, ["Name"], V)["Name"] == "Lovelace"
    opp = store.create(
        ORG, "Opportunity", {"Name": "o", "StageName": "Closed Won", "CloseDate": "2024-01-31"}
    )
    record = store.get(ORG, "Opportunity", opp, ["IsWon", "IsClosed", "Probability"], V)
    assert (record["IsWon"], record["IsClosed"], record["Probability"]) == (True, True, 100.0)


def test_update_changes_fields_and_modstamps(store: Store, clock: Clock) -> None:
    account_id = store.create(ORG, "Account", {"Name": "Acme"})
    clock.now = NOW + dt.timedelta(hours=1)
    store.update(ORG, "Account", account_id, {"BillingCity": "Paris", "attributes": {}})
    record = store.get(ORG, "Account", account_id, None, V)
    assert record["BillingCity"] == "Paris"
    assert record["CreatedDate"] == "2024-03-15T10:40:37.123+0000"
    assert record["LastModifiedDate"] == record["SystemModstamp"] == "2024-03-15T11:40:37.123+0000"


def test_update_errors(store: Store) -> None:
    account_id = store.create(ORG, "Account", {"Name": "Acme"})
    assert raises(store.update, ORG, "Account", account_id, {"Name": None}).error_code == (
        "REQUIRED_FIELD_MISSING"
    )
    locked = raises(store.update, ORG, "Account", account_id, {"CreatedDate": "2020-01-01"})
    assert locked.error_code == "INVALID_FIELD_FOR_INSERT_UPDATE"
    assert raises(store.update, ORG, "Account", "nope", {"Name": "x"}).status == 404
    missing = ids.to_18("001xx000003DGb2")
    assert raises(store.update, ORG, "Account", missing, {"Name": "x"}).error_code == "NOT_FOUND"
    store.update(ORG, "Account", account_id, {"Id": account_id[:15], "Name": "Same id is fine"})


def test_delete_is_soft_and_cascades_to_children(store: Store) -> None:
    account_id = store.create(ORG, "Account", {"Name": "Acme"})
    contact_id = store.create(ORG, "Contact", {"LastName": "x", "AccountId": account_id})
    store.delete(ORG, "Account", account_id)
    assert raises(store.get, ORG, "Account", account_id, None, V).status == 404
    assert store.count(ORG, "Contact") == 0
    again = raises(store.delete, ORG, "Account", account_id)
    assert (again.status, again.error_code) == (404, "ENTITY_IS_DELETED")
    assert raises(store.update, ORG, "Account", account_id, {"Name": "x"}).error_code == (
        "ENTITY_IS_DELETED"
    )
    everything = store.query(
        ORG, "SELECT Id, IsDeleted FROM Contact", api_version=V, include_deleted=True
    )
    assert [(r["Id"], r["IsDeleted"]) for r in everything["records"]] == [(contact_id, True)]


def test_objects_the_api_cannot_create_or_delete(store: Store) -> None:
    assert raises(store.create, ORG, "Organization", {"Name": "x"}).error_code == (
        "INVALID_TYPE_FOR_OPERATION"
    )
    assert raises(store.delete, ORG, "User", admin(store)).error_code == (
        "INVALID_TYPE_FOR_OPERATION"
    )
    assert raises(store.create, ORG, "Widget", {}).status == 404


def test_transaction_rolls_back_everything_inside(store: Store) -> None:
    with pytest.raises(RestApiError), store.transaction():
        store.create(ORG, "Account", {"Name": "kept?"})
        with store.transaction():
            store.create(ORG, "Account", {"Name": "inner"})
        store.create(ORG, "Account", {})
    assert store.count(ORG, "Account") == 0


def test_nested_transaction_failure_keeps_outer_work(store: Store) -> None:
    with store.transaction():
        store.create(ORG, "Account", {"Name": "outer"})
        with pytest.raises(RestApiError), store.transaction():
            store.create(ORG, "Account", {"Name": "inner"})
            store.create(ORG, "Account", {})
    assert store.count(ORG, "Account") == 1


def test_failed_create_leaves_nothing(store: Store) -> None:
    with pytest.raises(RestApiError):
        store.create(ORG, "Contact", {"LastName": "x", "AccountId": ids.to_18("001xx000003DGb2")})
    assert store.count(ORG, "Contact") == 0


def test_concurrent_creates_from_threads(store: Store) -> None:
    def work() -> None:
        for i in range(50):
            store.create(ORG, "Account", {"Name": f"a{i}"})

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert store.count(ORG, "Account") == 200


def test_seed_org_creates_org_users_and_sample_data(clock: Clock) -> None:
    s = Store(clock=clock)
    users = seed_org(
        s,
        ORG,
        organization={"Name": "Acme", "IsSandbox": True},
        users=[{"Username": "a@acme.test", "LastName": "Admin"}, {"Username": "b@acme.test"}],
        records={"Account": [{"Name": "Extra"}]},
        random_seed=7,
    )
    assert list(users) == ["a@acme.test", "b@acme.test"]
    assert all(u.startswith("005") and ids.is_valid_id(u) for u in users.values())
    assert s.count(ORG, "Account") == 21
    assert s.count(ORG, "Contact") == 40
    assert s.count(ORG, "Opportunity") > 0 and s.count(ORG, "Case") > 0
    org = s.get(ORG, "Organization", ORG, None, V)
    assert (org["Name"], org["IsSandbox"], org["Id"]) == ("Acme", True, ORG)
    user = s.get(ORG, "User", users["b@acme.test"], None, V)
    assert user["IsActive"] is True and user["Email"] == "b@acme.test"
    linked = s.query(ORG, "SELECT COUNT() FROM Contact WHERE AccountId != null", api_version=V)
    assert linked["totalSize"] == 40


def test_seed_is_deterministic_for_a_seed(clock: Clock) -> None:
    def names(seed: int) -> list[tuple[str, str]]:
        s = Store(clock=clock)
        seed_org(s, ORG, organization={}, users=[{"Username": "a@a.test"}], random_seed=seed)
        rows = s.query(ORG, "SELECT Name, AccountNumber FROM Account", api_version=V)["records"]
        return [(r["Name"], r["AccountNumber"]) for r in rows]

    assert names(1) == names(1)
    assert names(1) != names(2)
    assert all(n.startswith("CD") and n[-2] == "-" for _, n in names(1))


def test_seed_again_adds_nothing_but_new_users(store: Store) -> None:
    again = seed_org(
        store,
        ORG, organization={}, users=[{"Username": "int@acme.test"}, {"Username": "new@acme.test"}]
    )
    assert again["int@acme.test"] == admin(store)
    assert store.count(ORG, "Account") == 0
    assert store.count(ORG, "User") == 2


def test_usernames_are_unique_across_orgs(store: Store) -> None:
    err = raises(seed_org, store, OTHER_ORG, organization={}, users=[{"Username": "int@acme.test"}])
    assert err.error_code == "DUPLICATE_USERNAME"
    assert store.find_user("int@acme.test") == (ORG, admin(store))
    assert store.find_user("nobody@acme.test") is None


def test_file_store_persists(tmp_path: Any, clock: Clock) -> None:
    path = str(tmp_path / "org.db")
    first = Store(path, clock=clock)
    seed_org(first, ORG, organization={}, users=[{"Username": "a@a.test"}], sample_data=False)
    account_id = first.create(ORG, "Account", {"Name": "Kept"})
    first.close()
    second = Store(path, clock=clock)
    assert second.get(ORG, "Account", account_id, ["Name"], V)["Name"] == "Kept"
    seed_org(second, ORG, organization={}, users=[{"Username": "a@a.test"}])
    assert second.count(ORG, "Account") == 1


def test_old_data_file_gains_new_columns(tmp_path: Any, clock: Clock) -> None:
    import sqlite3

    path = str(tmp_path / "old.db")
    conn = sqlite3.connect(path)
    conn.execute(
        'CREATE TABLE "Account" (_seq INTEGER PRIMARY KEY AUTOINCREMENT, _org TEXT NOT NULL, '
        '"Id" TEXT, "Name" TEXT COLLATE NOCASE)'
    )
    conn.commit()
    conn.close()
    store = Store(path, clock=clock)
    seed_org(store, ORG, organization={}, users=[{"Username": "a@a.test"}], sample_data=False)
    account_id = store.create(ORG, "Account", {"Name": "New", "Industry": "Energy"})
    assert store.get(ORG, "Account", account_id, ["Industry"], V)["Industry"] == "Energy"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=50),
    lambda inner: st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=3,
)
REQUIRED_BODIES = {
    "Opportunity": {"Name": "n", "StageName": "Prospecting", "CloseDate": "2024-01-31"},
    "Account": {"Name": "n"},
    "Case": {},
}
bodies = st.sampled_from(sorted(REQUIRED_BODIES)).flatmap(
    lambda name: st.tuples(
        st.just(name),
        st.dictionaries(
            st.sampled_from([f.name for f in STANDARD.get(name).fields] + ["Bogus", "attributes"]),
            json_values,
            max_size=5,
        ),
    )
)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(bodies)
def test_any_body_is_stored_or_refused_with_a_rest_error(
    store: Store, case: tuple[str, dict[str, Any]]
) -> None:
    sobject, extra = case
    body = {**REQUIRED_BODIES[sobject], **extra}
    try:
        record_id = store.create(ORG, sobject, body)
    except RestApiError as err:
        assert err.status in (400, 404)
    else:
        record = store.get(ORG, sobject, record_id, None, V)
        assert record["Id"] == record_id
        try:
            store.update(ORG, sobject, record_id, body)
        except RestApiError as err:
            assert err.status == 400
