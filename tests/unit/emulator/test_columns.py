"""Column metadata (``columns=true``), as the Salesforce CLI's ``sf data query`` reads it."""

from __future__ import annotations

from runner.emulator.columns import column_metadata
from runner.emulator.schema import STANDARD


def test_plain_and_parent_fields() -> None:
    meta = column_metadata("SELECT Id, name, Owner.Name FROM Account", STANDARD)
    assert meta["entityName"] == "Account" and meta["keyPrefix"] == "001"
    assert meta["idSelected"] is True and meta["groupBy"] is False
    first, second, third = meta["columnMetadata"]
    assert (first["columnName"], first["apexType"], first["joinColumns"]) == ("Id", "Id", [])
    assert second["columnName"] == "Name" and second["textType"] is True
    assert third["columnName"] == "Owner" and third["displayName"] == "Owner"
    assert third["joinColumns"][0]["displayName"] == "Owner.Name"


def test_aggregates_are_named_expr_or_alias() -> None:
    meta = column_metadata(
        "SELECT Industry, COUNT(Id), MAX(AnnualRevenue) top FROM Account GROUP BY Industry",
        STANDARD,
    )
    names = [c["columnName"] for c in meta["columnMetadata"]]
    assert names == ["Industry", "expr0", "top"]
    assert meta["columnMetadata"][1]["aggregate"] is True
    assert meta["columnMetadata"][1]["displayName"] == "COUNT(Id)"
    assert meta["groupBy"] is True and meta["idSelected"] is False
