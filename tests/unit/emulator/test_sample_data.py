"""Sample data is built once per seed and bulk-inserted, storing what one-by-one creates store."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest

from runner.emulator import ids
from runner.emulator.sample_data import SampleRef, populate, sample_records, seed_org
from runner.emulator.schema import STANDARD
from runner.emulator.store import Store

ORG = ids.to_18("00Dxx0000001gPL")
ADMIN = ids.to_18("005xx0000001AbC")
NOW = dt.datetime(2024, 3, 15, 10, 40, 37, 123000, tzinfo=dt.timezone.utc)
TABLES = ("Account", "Contact", "Opportunity", "Case", "Lead")


def empty_org() -> Store:
    store = Store(clock=lambda: NOW)
    seed_org(store, ORG, organization={"Name": "Acme"}, sample_data=False,
                   users=[{"Username": "a@acme.test", "Id": ADMIN}])
    return store


def one_by_one(store: Store, seed: int) -> None:
    """What seeding did before bulk inserts: one API create per record, ids as they come."""
    made: dict[str, list[str]] = {}
    for sobject, values in sample_records(seed, NOW.date()):
        body = {k: made[v.sobject][v.index] if isinstance(v, SampleRef) else v
                for k, v in values.items()}
        made.setdefault(sobject, []).append(store.create(ORG, sobject, body, user_id=ADMIN))


def contents(store: Store) -> dict[str, list[dict[str, Any]]]:
    """Every sample row, in insertion order, with record ids replaced by (object, position)."""
    tables = {}
    for name in TABLES:
        columns = [f.name for f in STANDARD.get(name).fields]
        quoted = ", ".join(f'"{c}"' for c in columns)
        rows = store.execute(f'SELECT {quoted} FROM "{name}" WHERE _org = ? ORDER BY _seq', (ORG,))
        tables[name] = [dict(zip(columns, row, strict=True)) for row in rows]
    labels = {row["Id"]: f"{name}#{i}" for name, rows in tables.items()
              for i, row in enumerate(rows)}
    return {name: [{k: labels.get(v, v) for k, v in row.items()} for row in rows]
            for name, rows in tables.items()}


def test_bulk_seeding_stores_what_record_by_record_creates_store() -> None:
    bulk, reference = empty_org(), empty_org()
    made = populate(bulk, ORG, random_seed=7, user_id=ADMIN)
    one_by_one(reference, 7)
    assert contents(bulk) == contents(reference)
    assert {name: len(found) for name, found in made.items()} == {
        name: len(rows) for name, rows in contents(bulk).items()}
    case_numbers = [row["CaseNumber"] for row in contents(bulk)["Case"]]
    assert case_numbers == sorted(set(case_numbers)) and len(case_numbers) > 1


def test_each_org_gets_fresh_ids_and_its_own_links() -> None:
    store = empty_org()
    other = ids.to_18("00Dxx0000002AbC")
    seed_org(store, other, organization={}, sample_data=False, users=[{"Username": "b@acme.test"}])
    first = populate(store, ORG, random_seed=7, user_id=ADMIN)
    second = populate(store, other, random_seed=7)
    assert not set(first["Account"]) & set(second["Account"])
    linked = store.execute('SELECT DISTINCT c._org = a._org FROM "Contact" c '
                           'JOIN "Account" a ON a.Id = c.AccountId')
    assert linked == [(1,)]
    assert all(ids.is_valid_id(i) and i.startswith("003") for i in second["Contact"])


def test_a_later_case_continues_the_numbering() -> None:
    store = empty_org()
    seeded = populate(store, ORG, random_seed=7, user_id=ADMIN)
    new_case = store.create(ORG, "Case", {"Subject": "After seeding"})
    numbers = store.execute('SELECT CaseNumber FROM "Case" WHERE _org = ? ORDER BY _seq', (ORG,))
    assert len(numbers) == len(seeded["Case"]) + 1
    assert int(numbers[-1][0]) == int(numbers[-2][0]) + 1
    assert store.get(ORG, "Case", new_case, ["CaseNumber"], "60.0")["CaseNumber"] == numbers[-1][0]


def sample_org(store: Store, **options: Any) -> None:
    seed_org(store, ORG, organization={}, users=[{"Username": "a@acme.test", "Id": ADMIN}],
                   random_seed=7, **options)


def stored_accounts(store: Store) -> int:
    """Rows in the table itself, without going through the store's API."""
    return int(store.execute('SELECT COUNT(*) FROM "Account" WHERE _org = ?', (ORG,))[0][0])


def test_in_memory_sample_records_appear_when_the_org_is_first_used() -> None:
    store = Store(clock=lambda: NOW)
    sample_org(store)
    assert stored_accounts(store) == 0
    new_id = store.create(ORG, "Account", {"Name": "Made after seeding"})
    assert stored_accounts(store) == len(contents(store)["Account"]) == 21
    rows = store.query(ORG, "SELECT Id FROM Account", api_version="60.0")["records"]
    assert rows[-1]["Id"] == new_id  # the sample records came first
    store.create(ORG, "Account", {"Name": "Once only"})
    assert store.count(ORG, "Account") == 22


@pytest.mark.parametrize("first_use", [
    lambda s: s.count(ORG, "Contact"),
    lambda s: s.query(ORG, "SELECT COUNT() FROM Lead", api_version="60.0"),
    lambda s: s.exists(ORG, "Organization", ORG),
    lambda s: s.get(ORG, "Organization", ORG, ["Name"], "60.0"),
])
def test_any_use_of_the_org_brings_its_sample_records(first_use: Any) -> None:
    deferred = Store(clock=lambda: NOW)
    sample_org(deferred)
    first_use(deferred)
    eager = empty_org()
    populate(eager, ORG, random_seed=7, user_id=ADMIN)
    assert contents(deferred) == contents(eager)


def test_in_memory_users_are_stored_at_first_use_with_the_ids_the_org_was_added_with() -> None:
    store = Store(clock=lambda: NOW)
    given = ids.to_18("005xx0000009XyZ")
    users = [{"Username": "a@acme.test"}, {"Username": "b@acme.test", "Id": given}]
    user_ids = seed_org(store, ORG, organization={"Name": "Acme"}, sample_data=False,
                        users=users)
    assert user_ids["b@acme.test"] == given and ids.is_valid_id(user_ids["a@acme.test"])
    assert store.execute('SELECT COUNT(*) FROM "User"') == [(0,)]  # nothing stored yet
    rows = store.query(ORG, "SELECT Id, Username, Profile.Name FROM User ORDER BY Username",
                       api_version="60.0")["records"]
    assert [(row["Id"], row["Username"], row["Profile"]["Name"]) for row in rows] == [
        (user_ids["a@acme.test"], "a@acme.test", "System Administrator"),
        (given, "b@acme.test", "Standard User")]
    assert store.default_user(ORG) == user_ids["a@acme.test"]
    organization = store.get(ORG, "Organization", ORG, ["Name", "CreatedById"], "60.0")
    assert (organization["Name"], organization["CreatedById"]) == ("Acme", user_ids["a@acme.test"])


def test_a_file_store_or_extra_records_seed_at_once(tmp_path: Any) -> None:
    on_disk = Store(str(tmp_path / "org.db"), clock=lambda: NOW)
    sample_org(on_disk)
    assert stored_accounts(on_disk) == 20
    with_records = Store(clock=lambda: NOW)
    sample_org(with_records, records={"Account": [{"Name": "Extra"}]})
    assert stored_accounts(with_records) == 21


def test_concurrent_first_uses_seed_once() -> None:
    store = Store(clock=lambda: NOW)
    sample_org(store)
    counts: list[int] = []
    threads = [threading.Thread(target=lambda: counts.append(store.count(ORG, "Account")))
               for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert counts == [20] * 8
