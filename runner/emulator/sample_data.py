"""Seeding an org: its Organization record, users, and the records of a demo org.

Made from a seeded random generator so that one seed always gives the same
names, numbers and links (ids still differ: they come from the clock).
Dates are relative to the store's clock, so "this quarter's deals" stay current.
The records of a (seed, day) are built and checked once, then inserted into
each new org in one statement per object. In memory, an org without records of its
own gets its ids at once and its records at its first use (``Store.defer``): a run
hosting 200 orgs for a health check adds them without storing what it never reads.
"""

from __future__ import annotations

import datetime as dt
import functools
import random
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from runner.emulator import ids
from runner.emulator.catalog import ACCOUNT_TYPES, LEAD_SOURCES, RATINGS, STAGES
from runner.emulator.errors import RestApiError
from runner.emulator.profiles import ADMIN, STANDARD, seed_profiles
from runner.emulator.schema import STANDARD as STANDARD_OBJECTS
from runner.emulator.schema import Schema
from runner.emulator.store import Store
from runner.emulator.writes import storage_row

DEFAULT_SEED = 20240131
ACCOUNT_NAMES = (
    "Edge Communications", "Burlington Textiles Corp of America", "Pyramid Construction Inc.",
    "Dickenson plc", "Grand Hotels & Resorts Ltd", "United Oil & Gas Corp.",
    "Express Logistics and Transport", "University of Arizona", "United Oil & Gas, UK",
    "United Oil & Gas, Singapore", "GenePoint", "sForce", "Blue Harbor Analytics",
    "Northwind Traders", "Contoso Pharmaceuticals", "Fabrikam Robotics", "Tailspin Toys",
    "Wide World Importers", "Alpine Ski House", "Lucerne Publishing",
)  # fmt: skip
INDUSTRY_CHOICES = (
    "Electronics", "Apparel", "Construction", "Consulting", "Hospitality", "Energy",
    "Transportation", "Education", "Biotechnology", "Technology", "Retail", "Media",
)  # fmt: skip
CITIES = (
    ("Austin", "TX", "USA"), ("Burlington", "NC", "USA"), ("Paris", "", "France"),
    ("Chicago", "IL", "USA"), ("London", "", "UK"), ("Singapore", "", "Singapore"),
    ("San Francisco", "CA", "USA"), ("Tucson", "AZ", "USA"), ("Lyon", "", "France"),
)  # fmt: skip
FIRST_NAMES = (
    "Rose", "Sean", "Jack", "Tim", "John", "Andy", "Edna", "Avi", "Babara", "Josh", "Jane",
    "Arthur", "Ashley", "Stella", "Lauren", "Liz", "Tom", "Marie", "Noah", "Priya",
)  # fmt: skip
LAST_NAMES = (
    "Gonzalez", "Forbes", "Rogers", "Barr", "Bond", "Young", "Frank", "Green", "Levy", "Davis",
    "Grey", "Song", "James", "Pavlova", "Boyle", "D'Cruz", "Ripley", "Curie", "Nakamura", "Shah",
)  # fmt: skip
TITLES = ("CEO", "CFO", "VP, Facilities", "SVP, Operations", "Director, IT", "Buyer", "Engineer")
CASE_SUBJECTS = (
    "Generator not starting", "Seeking guidance on electrical wiring installation",
    "Cannot track shipment", "Performance inadequate for second consecutive week",
    "Design issue with mechanical rotor", "Maintenance guidelines required",
    "Power generation below stated level", "Billing question",
)  # fmt: skip

CONTACTS = 40
OPPORTUNITIES = 12
CASES = 8
LEADS = 6


@dataclass(frozen=True)
class SampleRef:
    """The ``index``-th sample record of ``sobject``: a reference that gets its id per org."""

    sobject: str
    index: int


SampleRows = tuple[tuple[str, tuple[dict[str, Any], ...]], ...]


def sample_records(random_seed: int, today: dt.date) -> list[tuple[str, dict[str, Any]]]:
    """The sample create bodies in creation order; references are :class:`SampleRef`."""
    rng = random.Random(random_seed)
    accounts = [SampleRef("Account", i) for i in range(len(ACCOUNT_NAMES))]
    contacts = [SampleRef("Contact", i) for i in range(CONTACTS)]
    records = [("Account", _account(rng, name)) for name in ACCOUNT_NAMES]
    records += [("Contact", _contact(rng, i, accounts)) for i in range(CONTACTS)]
    for i in range(OPPORTUNITIES):
        records.append(("Opportunity", _opportunity(rng, i, accounts, today)))
    for i in range(CASES):
        contact = rng.randrange(len(contacts))
        account = accounts[contact % len(accounts)]
        records.append(("Case", _case(rng, i, account, contacts[contact])))
    records += [("Lead", _lead(rng, i)) for i in range(LEADS)]
    return records


@functools.lru_cache(maxsize=16)
def sample_rows(random_seed: int, today: dt.date) -> SampleRows:
    """The sample records of one seed and day in storage form, per object in creation order."""
    grouped: dict[str, list[dict[str, Any]]] = {}
    for sobject, values in sample_records(random_seed, today):
        grouped.setdefault(sobject, []).append(_checked(sobject, values))
    return tuple((sobject, tuple(rows)) for sobject, rows in grouped.items())


def _checked(sobject: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """``storage_row`` of a body whose references are checked as ids of the right object."""
    refs = {name: value for name, value in values.items() if isinstance(value, SampleRef)}
    stand_ins = {name: _stand_in_id(ref.sobject) for name, ref in refs.items()}
    return {**storage_row(STANDARD_OBJECTS, sobject, {**values, **stand_ins}), **refs}


def _stand_in_id(sobject: str) -> str:
    return ids.to_18(STANDARD_OBJECTS.get(sobject).key_prefix + "0" * 12)


def populate(
    store: Store, org_id: str, *, random_seed: int | None = None, user_id: str | None = None
) -> dict[str, list[str]]:
    """Create the sample records in ``org_id``; return the new ids per object."""
    seed = DEFAULT_SEED if random_seed is None else random_seed
    today = store.clock().astimezone(dt.timezone.utc).date()
    made: dict[str, list[str]] = {}
    for sobject, rows in sample_rows(seed, today):
        filled = [_with_ids(row, made) for row in rows]
        made[sobject] = store.insert_many(org_id, sobject, filled, user_id=user_id)
    return made


def _with_ids(row: Mapping[str, Any], made: Mapping[str, list[str]]) -> dict[str, Any]:
    return {
        name: made[value.sobject][value.index] if isinstance(value, SampleRef) else value
        for name, value in row.items()
    }


def _account(rng: random.Random, name: str) -> dict[str, Any]:
    city, state, country = rng.choice(CITIES)
    return {
        "Name": name,
        "AccountNumber": f"CD{rng.randint(100000, 999999)}-{rng.choice('ABC')}",
        "Type": rng.choice(ACCOUNT_TYPES[:3]),
        "Industry": rng.choice(INDUSTRY_CHOICES),
        "Rating": rng.choice(RATINGS),
        "Phone": f"(5{rng.randint(10, 99)}) 555-{rng.randint(1000, 9999)}",
        "Website": "www." + "".join(c for c in name.lower() if c.isalnum())[:16] + ".com",
        "AnnualRevenue": float(rng.randrange(1, 900) * 1_000_000),
        "NumberOfEmployees": rng.randrange(50, 50_000),
        "BillingCity": city,
        "BillingState": state or None,
        "BillingCountry": country,
    }


def _contact(rng: random.Random, index: int, accounts: list[SampleRef]) -> dict[str, Any]:
    first = FIRST_NAMES[index % len(FIRST_NAMES)]
    last = LAST_NAMES[(index * 7 + index // len(FIRST_NAMES)) % len(LAST_NAMES)]
    handle = "".join(c for c in f"{first}.{last}".lower() if c.isalnum() or c == ".")
    return {
        "AccountId": accounts[index % len(accounts)],
        "FirstName": first,
        "LastName": last,
        "Salutation": rng.choice(("Mr.", "Ms.", "Dr.")),
        "Title": rng.choice(TITLES),
        "Email": f"{handle}{index}@example.com",
        "Phone": f"(5{rng.randint(10, 99)}) 555-{rng.randint(1000, 9999)}",
        "LeadSource": rng.choice(LEAD_SOURCES),
    }


def _opportunity(
    rng: random.Random, index: int, accounts: list[SampleRef], today: dt.date
) -> dict[str, Any]:
    stage = rng.choice(tuple(STAGES))
    kind = rng.choice(("SLA", "Installation", "Upgrade", "Expansion"))
    return {
        "AccountId": accounts[index % len(accounts)],
        "Name": f"{ACCOUNT_NAMES[index % len(ACCOUNT_NAMES)]} - {kind}",
        "StageName": stage,
        "Amount": float(rng.randrange(5, 500) * 1000),
        "CloseDate": (today + dt.timedelta(days=rng.randint(-60, 120))).isoformat(),
        "Type": rng.choice(("Existing Business", "New Business")),
    }


def _case(rng: random.Random, index: int, account: SampleRef, contact: SampleRef) -> dict[str, Any]:
    return {
        "AccountId": account,
        "ContactId": contact,
        "Subject": CASE_SUBJECTS[index % len(CASE_SUBJECTS)],
        "Status": rng.choice(("New", "Working", "Escalated", "Closed")),
        "Priority": rng.choice(("High", "Medium", "Low")),
        "Origin": rng.choice(("Phone", "Email", "Web")),
    }


def _lead(rng: random.Random, index: int) -> dict[str, Any]:
    return {
        "FirstName": FIRST_NAMES[-1 - index],
        "LastName": LAST_NAMES[-1 - index],
        "Company": f"{rng.choice(('Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli'))} {index + 1}",
        "Status": rng.choice(("Open - Not Contacted", "Working - Contacted")),
        "LeadSource": rng.choice(LEAD_SOURCES),
        "Email": f"lead{index + 1}@example.com",
    }


def seed_org(
    store: Store,
    org_id: str,
    *,
    organization: Mapping[str, Any],
    users: list[Mapping[str, Any]],
    sample_data: bool = True,
    records: Mapping[str, list[Mapping[str, Any]]] | None = None,
    random_seed: int | None = None,
    schema: Schema | None = None,
    fiscal_start_month: int | None = None,
) -> dict[str, str]:
    """Create an org: its Organization record, users, sample and extra records.

    Returns ``{username: user id}``. Seeding an org the store already holds (a
    persisted file) only adds users it lacks, so a restart does not duplicate data.
    An extra record that does not save raises :class:`SeedError`.

    In memory, an org with no extra records to check gets its ids now and its records
    just before they are first read or written (:meth:`Store.defer`): a run adding 200
    orgs waited 0.1 s for records a health check never reads.
    """
    org_id = ids.normalize(org_id)
    seed = partial(_seed_records, store, org_id, organization=organization,
                   sample_data=sample_data, records=records, random_seed=random_seed)
    if store.in_memory and not records and not store.knows(org_id):
        for user in users:  # refused before anything of the org is registered
            _check_unique_username(store, org_id, user["Username"])
        user_ids = {u["Username"]: ids.normalize(u["Id"]) if u.get("Id") else ids.new_id("005")
                    for u in users}
        store.register_org(org_id, schema=schema, fiscal_start_month=fiscal_start_month)
        store.defer(org_id, lambda: seed([{**u, "Id": user_ids[u["Username"]]} for u in users]),
                    users=user_ids)
        return user_ids
    with store.transaction():
        store.register_org(org_id, schema=schema, fiscal_start_month=fiscal_start_month)
        return seed(users)


def _seed_records(
    store: Store,
    org_id: str,
    users: list[Mapping[str, Any]],
    *,
    organization: Mapping[str, Any],
    sample_data: bool,
    records: Mapping[str, list[Mapping[str, Any]]] | None,
    random_seed: int | None,
) -> dict[str, str]:
    """The records of a registered org: profiles, users, then (once) the rest."""
    fresh = not store.exists(org_id, "Organization", org_id)
    profiles = seed_profiles(store, org_id)
    user_ids = {
        u["Username"]: _seed_user(store, org_id, u, profiles[ADMIN if i == 0 else STANDARD])
        for i, u in enumerate(users)
    }
    admin = next(iter(user_ids.values()), None)
    store.register_org(org_id, admin)
    if not fresh:
        return user_ids
    values = {**ORGANIZATION_DEFAULTS, **organization}
    store.insert(org_id, "Organization", values, user_id=admin, record_id=org_id)
    if sample_data and store.in_memory and not records:
        store.defer(org_id, lambda: populate(store, org_id, random_seed=random_seed,
                                             user_id=admin))
    elif sample_data:
        populate(store, org_id, random_seed=random_seed, user_id=admin)
    for sobject, items in (records or {}).items():
        for index, item in enumerate(items):
            try:
                store.create(org_id, sobject, item, user_id=admin)
            except RestApiError as error:
                raise SeedError(sobject, index, error) from None
    return user_ids


class SeedError(Exception):
    """An extra record of an org's configuration that Salesforce's rules refuse."""

    def __init__(self, sobject: str, index: int, error: RestApiError) -> None:
        super().__init__(f"{sobject}[{index}]: {error}")
        self.sobject = sobject
        self.index = index
        self.error = error


def _seed_user(store: Store, org_id: str, user: Mapping[str, Any], profile_id: str) -> str:
    username = user["Username"]
    known = _check_unique_username(store, org_id, username)
    if known is not None:
        return known
    values = {**_user_defaults(user), "ProfileId": profile_id, **user}
    record_id = ids.normalize(values.pop("Id")) if values.get("Id") else ids.new_id("005")
    owner = store.default_user(org_id) or record_id
    return store.insert(org_id, "User", values, user_id=owner, record_id=record_id)


def _check_unique_username(store: Store, org_id: str, username: str) -> str | None:
    """The id of ``username`` if ``org_id`` has it already; DUPLICATE_USERNAME if another has."""
    known = store.find_user(username)
    if known is None:
        return None
    if known[0] != org_id:
        raise RestApiError(
            400,
            "DUPLICATE_USERNAME",
            f"Duplicate Username. The username {username} already exists in another "
            "organization. Usernames must be unique across all organizations.",
            ["Username"],
        )
    return known[1]


ORGANIZATION_DEFAULTS: dict[str, Any] = {
    "Name": "Emulated Org",
    "OrganizationType": "Developer Edition",
    "InstanceName": "EMU1",
    "IsSandbox": False,
    "TrialExpirationDate": None,
    "NamespacePrefix": None,
    "Country": "US",
}


def _user_defaults(user: Mapping[str, Any]) -> dict[str, Any]:
    """What a seeded user lacks is made from its username, as an admin would fill it in."""
    username = str(user["Username"])
    local = username.split("@")[0]
    last = str(user.get("LastName") or local.replace(".", " ").title() or "User")
    first = str(user.get("FirstName") or "")
    return {
        "LastName": last,
        "Email": username if "@" in username else f"{local}@example.com",
        "Alias": (first[:1] + last).replace(" ", "").lower()[:8] or "user",
        "CommunityNickname": local[:40],
    }
