"""The profiles every org starts with, and which one a seeded user gets.

``sf org list users`` and ``sf org display user`` join ``User.ProfileId`` to
``Profile.Name``; the integration user is a System Administrator, as the user a
JWT connected app is set up for usually is, and other configured users get
Standard User.
"""

from __future__ import annotations

from runner.emulator import ids
from runner.emulator.store import Store

ADMIN = "System Administrator"
STANDARD = "Standard User"
PROFILES: dict[str, str] = {
    ADMIN: "Can configure and customize the application.",
    STANDARD: "Can create and edit most types of records.",
    "Read Only": "Can view the setup and configuration of the application.",
    "Minimum Access - Salesforce": "Can log in; every other access is granted by permission sets.",
}


def seed_profiles(store: Store, org_id: str) -> dict[str, str]:
    """``{profile name: id}`` of the org, creating the standard profiles it lacks."""
    org_id = ids.normalize(org_id)
    known = {
        name: profile_id
        for profile_id, name in store.execute(
            'SELECT Id, Name FROM "Profile" WHERE _org = ?', (org_id,)
        )
    }
    owner = store.default_user(org_id)
    for name, description in PROFILES.items():
        if name not in known:
            values = {"Name": name, "Description": description}
            known[name] = store.insert(org_id, "Profile", values, user_id=owner)
    return known
