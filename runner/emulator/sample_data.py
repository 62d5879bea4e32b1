"""Seed records for a fresh org: the accounts, contacts and deals of a demo org.

Made from a seeded random generator so that one seed always gives the same
names, numbers and links (ids still differ: they come from the clock).
Dates are relative to the store's clock, so "this quarter's deals" stay current.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING, Any

from runner.emulator.catalog import ACCOUNT_TYPES, LEAD_SOURCES, RATINGS, STAGES

if TYPE_CHECKING:
    from runner.emulator.store import Store

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


def populate(
    store: Store, org_id: str, *, random_seed: int | None = None, user_id: str | None = None
) -> dict[str, list[str]]:
    """Create the sample records in ``org_id``; return the new ids per object."""
    rng = random.Random(DEFAULT_SEED if random_seed is None else random_seed)
    today = store.clock().astimezone(dt.timezone.utc).date()
    made: dict[str, list[str]] = {}

    def add(sobject: str, values: dict[str, Any]) -> str:
        record_id = store.create(org_id, sobject, values, user_id=user_id)
        made.setdefault(sobject, []).append(record_id)
        return record_id

    accounts = [add("Account", _account(rng, name)) for name in ACCOUNT_NAMES]
    contacts = [add("Contact", _contact(rng, i, accounts)) for i in range(CONTACTS)]
    for i in range(OPPORTUNITIES):
        add("Opportunity", _opportunity(rng, i, accounts, today))
    for i in range(CASES):
        contact = rng.randrange(len(contacts))
        account = accounts[contact % len(accounts)]
        add("Case", _case(rng, i, account, contacts[contact]))
    for i in range(LEADS):
        add("Lead", _lead(rng, i))
    return made


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


def _contact(rng: random.Random, index: int, accounts: list[str]) -> dict[str, Any]:
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
    rng: random.Random, index: int, accounts: list[str], today: dt.date
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


def _case(rng: random.Random, index: int, account: str, contact: str) -> dict[str, Any]:
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
