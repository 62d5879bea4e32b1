"""The shape of metadata: a ``Field`` and an ``SObject``, as describe reports them.

Kept apart from ``catalog`` (the standard objects), ``schema`` (one org's set of
objects) and ``sobjects`` (describe bodies) so that each can import it alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

STRING_TYPES = frozenset(
    {
        "id", "string", "textarea", "picklist", "multipicklist", "combobox", "email", "phone",
        "url", "encryptedstring",
    }
)  # fmt: skip
NUMBER_TYPES = frozenset({"int", "double", "currency", "percent", "long"})
INTEGER_TYPES = frozenset({"boolean", "int", "long"})


@dataclass(frozen=True)
class Field:
    """One field as describe reports it; ``required`` means required on create.

    ``picklist`` holds the active values; ``picklist_labels`` the (value, label)
    pairs whose label differs. ``reference_prefixes`` are the key prefixes of the
    objects ``reference_to`` names that the org has, filled in by its ``Schema``.
    """

    name: str
    type: str
    label: str
    length: int = 0
    nillable: bool = True
    createable: bool = True
    updateable: bool = True
    required: bool = False
    reference_to: tuple[str, ...] = ()
    relationship_name: str | None = None
    child_relationship: str | None = None
    picklist: tuple[str, ...] = ()
    default: Any = None
    precision: int = 0
    scale: int = 0
    digits: int = 0
    name_field: bool = False
    external_id: bool = False
    unique: bool = False
    custom: bool = False
    restricted: bool = False
    picklist_labels: tuple[tuple[str, str], ...] = ()
    case_sensitive: bool = False
    id_lookup: bool = False
    auto_number: str | None = None
    cascade_delete: bool = False
    calculated: bool = False
    reference_prefixes: tuple[str, ...] = ()

    @property
    def is_text(self) -> bool:
        return self.type in STRING_TYPES

    @property
    def is_number(self) -> bool:
        return self.type in NUMBER_TYPES

    @property
    def sql_type(self) -> str:
        if self.type in INTEGER_TYPES:
            return "INTEGER"
        if self.type in NUMBER_TYPES:
            return "REAL"
        return "TEXT"

    @property
    def matchable(self) -> bool:
        """Whether upsert and ``/sobjects/{Type}/{Field}/{value}`` may match on it."""
        return self.type == "id" or self.external_id or self.id_lookup

    def label_of(self, value: str) -> str:
        """The label of a picklist value (the value itself when it has no other)."""
        return dict(self.picklist_labels).get(value, value)


@dataclass(frozen=True)
class SObject:
    """An object type: its names, key prefix, what the API may do with it, and its fields.

    ``describe`` is the describe body it was loaded from, when it came from a file.
    """

    name: str
    key_prefix: str
    label: str
    label_plural: str
    fields: tuple[Field, ...]
    createable: bool = True
    updateable: bool = True
    deletable: bool = True
    custom: bool = False
    describe: dict[str, Any] | None = field(default=None, compare=False, hash=False)

    @cached_property
    def table_key(self) -> tuple[str, tuple[tuple[str, str], ...]]:
        """What its table is made of: its name and each field's name and SQL type."""
        return self.name, tuple((f.name, f.sql_type) for f in self.fields)

    @cached_property
    def by_lower_name(self) -> dict[str, Field]:
        return {f.name.lower(): f for f in self.fields}

    @cached_property
    def by_relationship(self) -> dict[str, Field]:
        return {f.relationship_name.lower(): f for f in self.fields if f.relationship_name}

    def field(self, name: str) -> Field | None:
        """The field named ``name`` (any case), or None."""
        return self.by_lower_name.get(name.lower())

    def relationship(self, name: str) -> Field | None:
        """The reference field whose relationship is named ``name`` (any case), or None."""
        return self.by_relationship.get(name.lower())
