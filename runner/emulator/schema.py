"""One org's set of objects: the standard catalog, plus what its configuration declares or loads.

Every org has a ``Schema``; orgs configured alike share one. It answers the
questions the store, SOQL and describe ask: which object a name or a key prefix
means, which field is a relationship, and which child relationships an object has
(``Contacts`` on Account, ``Invoices__r`` on a custom parent). Building one fills
in what a field cannot know alone: the key prefixes of the objects it points to.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from runner.emulator.catalog import CATALOG
from runner.emulator.errors import not_found
from runner.emulator.metadata import Field, SObject


@dataclass(frozen=True)
class ChildLink:
    """A child relationship: ``name`` on the parent, the child object and its lookup field."""

    name: str
    child: SObject
    field: Field


class Schema:
    """Objects by name and key prefix, and child relationships by parent; see the module doc."""

    def __init__(
        self,
        objects: Iterable[SObject],
        child_names: Mapping[tuple[str, str], str] | None = None,
    ) -> None:
        """``child_names`` names child relationships by (child object, field), lowercase."""
        given = list(objects)
        prefixes = {o.name.lower(): o.key_prefix for o in given}
        names = dict(child_names or {})
        self._objects = {o.name.lower(): _finished(o, prefixes, names) for o in given}
        self._by_prefix = {o.key_prefix: o for o in self._objects.values()}
        self._children: dict[str, list[ChildLink]] = {}
        for child in sorted(self._objects.values(), key=lambda o: o.name):
            for f in child.fields:
                if not f.child_relationship:
                    continue
                for parent in f.reference_to:
                    link = ChildLink(f.child_relationship, child, f)
                    self._children.setdefault(parent.lower(), []).append(link)

    def objects(self) -> list[SObject]:
        """Every object, by name."""
        return sorted(self._objects.values(), key=lambda o: o.name)

    def find(self, name: str) -> SObject | None:
        """The object named ``name`` (any case), or None."""
        return self._objects.get(name.lower())

    def get(self, name: str) -> SObject:
        """The object named ``name`` (any case); RestApiError NOT_FOUND if unknown."""
        found = self.find(name)
        if found is None:
            raise not_found()
        return found

    def canonical_name(self, name: str) -> str:
        """``"account"`` → ``"Account"``; RestApiError NOT_FOUND if unknown."""
        return self.get(name).name

    def by_key_prefix(self, prefix: str) -> SObject | None:
        """The object whose ids start with ``prefix``, or None."""
        return self._by_prefix.get(prefix)

    def targets(self, f: Field) -> list[SObject]:
        """The objects a reference field may point to, those this org has, in order."""
        return [o for o in (self.find(name) for name in f.reference_to) if o is not None]

    def target(self, f: Field) -> SObject | None:
        """The first object a reference field points to (the one SOQL paths join)."""
        found = self.targets(f)
        return found[0] if found else None

    def children(self, parent: SObject) -> list[ChildLink]:
        """The child relationships of ``parent``, by child object name."""
        return list(self._children.get(parent.name.lower(), ()))

    def child(self, parent: SObject, name: str) -> ChildLink | None:
        """The child relationship of ``parent`` called ``name`` (any case), or None."""
        wanted = name.lower()
        return next((c for c in self.children(parent) if c.name.lower() == wanted), None)


def _finished(
    sobject: SObject, prefixes: Mapping[str, str], child_names: Mapping[tuple[str, str], str]
) -> SObject:
    """``sobject`` with its references' key prefixes and child relationship names filled in."""
    fields = []
    for f in sobject.fields:
        if f.type == "reference":
            found = tuple(prefixes[t.lower()] for t in f.reference_to if t.lower() in prefixes)
            child = child_names.get((sobject.name.lower(), f.name.lower()), f.child_relationship)
            f = replace(f, reference_prefixes=found, child_relationship=child)
        fields.append(f)
    return replace(sobject, fields=tuple(fields))


STANDARD = Schema(CATALOG)
