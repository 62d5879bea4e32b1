"""The embedded, Salesforce-compatible org: token endpoint, REST API and records, in-process.

``Emulator`` hosts any number of orgs on one loopback port; ``EmulatedOrg``
is what a client needs to log in to one of them. ``sfjwt-emulator`` serves
the same thing as a standalone process.
"""

from runner.emulator.app import EmulatedOrg, Emulator

__all__ = ["EmulatedOrg", "Emulator"]
