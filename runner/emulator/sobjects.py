"""Object and field metadata of the embedded org, and the describe bodies built from it.

One frozen ``SObject`` per supported object, each with its ``Field`` list in the
order describe and full-record GETs present them. The store, the SOQL translator
and describe all read this one source, so a field exists everywhere or nowhere.
The tables themselves live in ``catalog``, their shape in ``metadata``.
"""

from __future__ import annotations

from typing import Any

from runner.emulator.catalog import CATALOG
from runner.emulator.errors import not_found
from runner.emulator.metadata import Field, SObject

_SOAP_TYPES = {
    "id": "tns:ID",
    "reference": "tns:ID",
    "boolean": "xsd:boolean",
    "int": "xsd:int",
    "double": "xsd:double",
    "currency": "xsd:double",
    "percent": "xsd:double",
    "date": "xsd:date",
    "datetime": "xsd:dateTime",
}


SOBJECTS: dict[str, SObject] = {s.name.lower(): s for s in CATALOG}
_BY_PREFIX = {s.key_prefix: s for s in SOBJECTS.values()}


def find(sobject: str) -> SObject | None:
    """The object named ``sobject`` (any case), or None."""
    return SOBJECTS.get(sobject.lower())


def get(sobject: str) -> SObject:
    """The object named ``sobject`` (any case); RestApiError NOT_FOUND if unknown."""
    found = find(sobject)
    if found is None:
        raise not_found()
    return found


def canonical_name(sobject: str) -> str:
    """``"account"`` → ``"Account"``; RestApiError NOT_FOUND if unknown."""
    return get(sobject).name


def by_key_prefix(prefix: str) -> SObject | None:
    """The object whose ids start with ``prefix``, or None."""
    return _BY_PREFIX.get(prefix)


def _urls(name: str, api_version: str) -> dict[str, str]:
    base = f"/services/data/v{api_version}/sobjects/{name}"
    return {"sobject": base, "describe": f"{base}/describe", "rowTemplate": f"{base}/{{ID}}"}


def _flags(sobject: SObject) -> dict[str, Any]:
    """The boolean capabilities shared by describe global and describe."""
    return {
        "activateable": False,
        "createable": sobject.createable,
        "custom": False,
        "customSetting": False,
        "deletable": sobject.deletable,
        "deprecatedAndHidden": False,
        "feedEnabled": sobject.deletable,
        "hasSubtypes": False,
        "isSubtype": False,
        "keyPrefix": sobject.key_prefix,
        "label": sobject.label,
        "labelPlural": sobject.label_plural,
        "layoutable": True,
        "mergeable": sobject.deletable,
        "mruEnabled": True,
        "name": sobject.name,
        "queryable": True,
        "replicateable": True,
        "retrieveable": True,
        "searchable": sobject.deletable,
        "triggerable": True,
        "undeletable": sobject.deletable,
        "updateable": sobject.updateable,
    }


def describe_global(api_version: str) -> dict[str, Any]:
    """Body of ``GET /services/data/vXX.X/sobjects``."""
    sobjects = []
    for sobject in sorted(SOBJECTS.values(), key=lambda s: s.name):
        entry = _flags(sobject)
        entry["urls"] = _urls(sobject.name, api_version)
        sobjects.append(entry)
    return {"encoding": "UTF-8", "maxBatchSize": 200, "sobjects": sobjects}


def describe(sobject: str, api_version: str) -> dict[str, Any]:
    """Body of ``GET /services/data/vXX.X/sobjects/{Type}/describe``."""
    target = get(sobject)
    body = _flags(target)
    body["fields"] = [describe_field(f) for f in target.fields]
    body["childRelationships"] = _child_relationships(target)
    body["recordTypeInfos"] = [_master_record_type(target, api_version)]
    urls = _urls(target.name, api_version)
    base = urls["sobject"]
    urls.update(
        {
            "compactLayouts": f"{base}/describe/compactLayouts",
            "layouts": f"{base}/describe/layouts",
            "quickActions": f"{base}/quickActions",
            "uiDetailTemplate": "/{ID}",
            "uiEditTemplate": "/{ID}/e",
            "uiNewRecord": f"/{target.key_prefix}/e",
        }
    )
    body["urls"] = urls
    return body


def describe_field(f: Field) -> dict[str, Any]:
    """One entry of describe's ``fields`` array, with every key clients expect."""
    text = f.is_text or f.type == "reference"
    length = 18 if f.type in ("id", "reference") else (f.length if text else 0)
    return {
        "aggregatable": f.type not in ("textarea",),
        "autoNumber": f.name == "CaseNumber",
        "byteLength": length * 3 if f.type not in ("id", "reference") else length,
        "calculated": False,
        "calculatedFormula": None,
        "cascadeDelete": False,
        "caseSensitive": False,
        "controllerName": None,
        "createable": f.createable,
        "custom": False,
        "defaultValue": f.default if f.type == "boolean" else None,
        "defaultValueFormula": None,
        "defaultedOnCreate": f.default is not None or not f.createable,
        "dependentPicklist": False,
        "deprecatedAndHidden": False,
        "digits": f.digits,
        "externalId": f.external_id,
        "filterable": f.type != "textarea",
        "groupable": f.type not in ("textarea", "double", "currency", "percent", "datetime"),
        "htmlFormatted": False,
        "idLookup": f.type == "id" or f.external_id,
        "inlineHelpText": None,
        "label": f.label,
        "length": length,
        "name": f.name,
        "nameField": f.name_field,
        "namePointing": False,
        "nillable": f.nillable,
        "permissionable": f.nillable and f.createable,
        "picklistValues": [
            _picklist_entry(v, i == 0 and f.default == v) for i, v in enumerate(f.picklist)
        ],
        "polymorphicForeignKey": False,
        "precision": f.precision,
        "queryByDistance": False,
        "referenceTo": list(f.reference_to),
        "relationshipName": f.relationship_name,
        "restrictedDelete": False,
        "restrictedPicklist": False,
        "scale": f.scale,
        "soapType": _SOAP_TYPES.get(f.type, "xsd:string"),
        "sortable": f.type != "textarea",
        "type": f.type,
        "unique": f.unique,
        "updateable": f.updateable,
        "writeRequiresMasterRead": False,
    }


def _picklist_entry(value: str, default: bool) -> dict[str, Any]:
    return {
        "active": True,
        "defaultValue": default,
        "label": value,
        "validFor": None,
        "value": value,
    }


def _child_relationships(parent: SObject) -> list[dict[str, Any]]:
    children = []
    for child in sorted(SOBJECTS.values(), key=lambda s: s.name):
        for f in child.fields:
            if parent.name in f.reference_to and f.child_relationship:
                children.append(
                    {
                        "cascadeDelete": False,
                        "childSObject": child.name,
                        "deprecatedAndHidden": False,
                        "field": f.name,
                        "junctionIdListNames": [],
                        "junctionReferenceTo": [],
                        "relationshipName": f.child_relationship,
                        "restrictedDelete": False,
                    }
                )
    return children


def _master_record_type(sobject: SObject, api_version: str) -> dict[str, Any]:
    master_id = "012000000000000AAA"
    return {
        "active": True,
        "available": True,
        "defaultRecordTypeMapping": True,
        "developerName": "Master",
        "master": True,
        "name": "Master",
        "recordTypeId": master_id,
        "urls": {
            "layout": f"/services/data/v{api_version}/sobjects/{sobject.name}/describe/layouts/"
            f"{master_id}"
        },
    }
