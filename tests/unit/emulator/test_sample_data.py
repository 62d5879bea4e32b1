"""Sample data is built once per seed and bulk-inserted, storing what one-by-one creates store."""

from __future__ import annotations

import datetime as dt
from typing import Any

from runner.emulator import ids, sobjects
from runner.emulator.sample_data import SampleRef, populate, sample_records
from runner.emulator.store import Store

ORG = ids.to_18("00Dxx0000001gPL")
ADMIN = ids.to_18("005xx0000001AbC")
NOW = dt.datetime(2024, 3, 15, 10, 40, 37, 123000, tzinfo=dt.timezone.utc)
TABLES = ("Account", "Contact", "Opportunity", "Case", "Lead")


def empty_org() -> Store:
    store = Store(clock=lambda: NOW)
    store.seed_org(ORG, organization={"Name": "Acme"}, sample_data=False,
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
        columns = [f.name for f in sobjects.get(name).fields]
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
    store.seed_org(other, organization={}, sample_data=False, users=[{"Username": "b@acme.test"}])
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
