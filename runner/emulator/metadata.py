"""The shape of metadata: a ``Field`` and an ``SObject``, as describe reports them.

Kept apart from ``catalog`` (the objects themselves) and ``sobjects`` (lookup and
describe bodies) so that each can import it without importing the other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

STRING_TYPES = frozenset({"id", "string", "textarea", "picklist", "email", "phone", "url"})
NUMBER_TYPES = frozenset({"int", "double", "currency", "percent"})


@dataclass(frozen=True)
class Field:
    """One field as describe reports it; ``required`` means required on create."""

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

    @property
    def is_text(self) -> bool:
        return self.type in STRING_TYPES

    @property
    def sql_type(self) -> str:
        if self.type in ("boolean", "int"):
            return "INTEGER"
        if self.type in NUMBER_TYPES:
            return "REAL"
        return "TEXT"


@dataclass(frozen=True)
class SObject:
    """An object type: its names, key prefix, what the API may do with it, and its fields."""

    name: str
    key_prefix: str
    label: str
    label_plural: str
    fields: tuple[Field, ...]
    createable: bool = True
    updateable: bool = True
    deletable: bool = True
    extra: dict[str, Any] = field(default_factory=dict)

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
