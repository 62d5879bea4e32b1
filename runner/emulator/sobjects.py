"""Describe bodies: ``GET /sobjects`` and ``GET /sobjects/{Type}/describe`` from an org's schema.

An object loaded from a describe file answers with that file's body (its
urls moved to the version asked), plus entries for fields and child
relationships declared on top of it; every other object's body is built from
its metadata with every key clients expect.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from runner.emulator.metadata import Field, SObject
from runner.emulator.schema import Schema

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
    "time": "xsd:time",
    "long": "xsd:long",
    "base64": "xsd:base64Binary",
    "anyType": "xsd:anyType",
}
_VERSION_IN_URL = re.compile(r"/services/data/v\d+\.\d/")
_SCOPES = [
    {"label": "All records", "name": "everything"},
    {"label": "My records", "name": "mine"},
]


def _urls(name: str, api_version: str) -> dict[str, str]:
    base = f"/services/data/v{api_version}/sobjects/{name}"
    return {"sobject": base, "describe": f"{base}/describe", "rowTemplate": f"{base}/{{ID}}"}


def _flags(sobject: SObject) -> dict[str, Any]:
    """The boolean capabilities shared by describe global and describe."""
    return {
        "activateable": False,
        "createable": sobject.createable,
        "custom": sobject.custom,
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


def describe_global(schema: Schema, api_version: str) -> dict[str, Any]:
    """Body of ``GET /services/data/vXX.X/sobjects``."""
    sobjects = []
    for sobject in schema.objects():
        entry = _flags(sobject)
        entry["urls"] = _urls(sobject.name, api_version)
        sobjects.append(entry)
    return {"encoding": "UTF-8", "maxBatchSize": 200, "sobjects": sobjects}


def describe(schema: Schema, sobject: str, api_version: str) -> dict[str, Any]:
    """Body of ``GET /services/data/vXX.X/sobjects/{Type}/describe``."""
    target = schema.get(sobject)
    if target.describe is not None:
        return _loaded(schema, target, api_version)
    body = _flags(target)
    body["fields"] = [describe_field(f) for f in target.fields]
    body["childRelationships"] = _child_relationships(schema, target)
    body["recordTypeInfos"] = [_master_record_type(target, api_version)]
    if target.field("OwnerId"):
        body["supportedScopes"] = _SCOPES
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


def _loaded(schema: Schema, target: SObject, api_version: str) -> dict[str, Any]:
    """A describe file's body, urls in this version, with what was declared on top of it."""
    assert target.describe is not None
    body = copy.deepcopy(target.describe)
    _move_urls(body, f"/services/data/v{api_version}/")
    listed = {str(f.get("name", "")).lower() for f in body.get("fields", [])}
    body["fields"] = list(body.get("fields", [])) + [
        describe_field(f) for f in target.fields if f.name.lower() not in listed
    ]
    known = {
        (str(c.get("childSObject", "")).lower(), str(c.get("field", "")).lower())
        for c in body.get("childRelationships", [])
    }
    body["childRelationships"] = list(body.get("childRelationships", [])) + [
        c
        for c in _child_relationships(schema, target)
        if (c["childSObject"].lower(), c["field"].lower()) not in known
    ]
    return body


def _move_urls(value: Any, prefix: str) -> None:
    """Rewrite ``/services/data/vNN.N/`` in every string of a JSON value, in place."""
    items = value.items() if isinstance(value, dict) else enumerate(value)
    for key, item in list(items):
        if isinstance(item, str) and "/services/data/v" in item:
            value[key] = _VERSION_IN_URL.sub(prefix, item)
        elif isinstance(item, (dict, list)):
            _move_urls(item, prefix)


def describe_field(f: Field) -> dict[str, Any]:
    """One entry of describe's ``fields`` array, with every key clients expect."""
    text = f.is_text or f.type == "reference"
    length = 18 if f.type in ("id", "reference") else (f.length if text else 0)
    return {
        "aggregatable": f.type not in ("textarea", "multipicklist"),
        "autoNumber": f.auto_number is not None,
        "byteLength": length * 3 if f.type not in ("id", "reference") else length,
        "calculated": f.calculated,
        "calculatedFormula": None,
        "cascadeDelete": f.cascade_delete,
        "caseSensitive": f.case_sensitive,
        "controllerName": None,
        "createable": f.createable,
        "custom": f.custom,
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
        "idLookup": f.matchable,
        "inlineHelpText": None,
        "label": f.label,
        "length": length,
        "name": f.name,
        "nameField": f.name_field,
        "namePointing": False,
        "nillable": f.nillable,
        "permissionable": f.nillable and f.createable,
        "picklistValues": [_picklist_entry(f, v) for v in f.picklist],
        "polymorphicForeignKey": len(f.reference_to) > 1,
        "precision": f.precision,
        "queryByDistance": False,
        "referenceTo": list(f.reference_to),
        "relationshipName": f.relationship_name,
        "restrictedDelete": False,
        "restrictedPicklist": f.restricted,
        "scale": f.scale,
        "soapType": _SOAP_TYPES.get(f.type, "xsd:string"),
        "sortable": f.type != "textarea",
        "type": f.type,
        "unique": f.unique,
        "updateable": f.updateable,
        "writeRequiresMasterRead": False,
    }


def _picklist_entry(f: Field, value: str) -> dict[str, Any]:
    return {
        "active": True,
        "defaultValue": f.default == value,
        "label": f.label_of(value),
        "validFor": None,
        "value": value,
    }


def _child_relationships(schema: Schema, parent: SObject) -> list[dict[str, Any]]:
    return [
        {
            "cascadeDelete": link.field.cascade_delete,
            "childSObject": link.child.name,
            "deprecatedAndHidden": False,
            "field": link.field.name,
            "junctionIdListNames": [],
            "junctionReferenceTo": [],
            "relationshipName": link.name,
            "restrictedDelete": False,
        }
        for link in schema.children(parent)
    ]


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
