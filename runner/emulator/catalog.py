"""The standard objects the embedded org knows, field by field.

A subset of each object's real fields, with Salesforce's API names, types,
lengths and labels, and the same required-on-create rules. Kept as data built
by small helpers so that adding a field is one line.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from runner.emulator.metadata import Field, SObject

SALUTATIONS = ("Mr.", "Ms.", "Mrs.", "Dr.", "Prof.")
INDUSTRIES = (
    "Agriculture", "Apparel", "Banking", "Biotechnology", "Chemicals", "Communications",
    "Construction", "Consulting", "Education", "Electronics", "Energy", "Engineering",
    "Entertainment", "Environmental", "Finance", "Food & Beverage", "Government", "Healthcare",
    "Hospitality", "Insurance", "Machinery", "Manufacturing", "Media", "Not For Profit",
    "Recreation", "Retail", "Shipping", "Technology", "Telecommunications", "Transportation",
    "Utilities", "Other",
)  # fmt: skip
ACCOUNT_TYPES = (
    "Prospect", "Customer - Direct", "Customer - Channel", "Channel Partner / Reseller",
    "Installation Partner", "Technology Partner", "Other",
)  # fmt: skip
RATINGS = ("Hot", "Warm", "Cold")
LEAD_SOURCES = ("Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other")
STAGES: dict[str, int] = {
    "Prospecting": 10,
    "Qualification": 10,
    "Needs Analysis": 20,
    "Value Proposition": 50,
    "Id. Decision Makers": 60,
    "Perception Analysis": 70,
    "Proposal/Price Quote": 75,
    "Negotiation/Review": 90,
    "Closed Won": 100,
    "Closed Lost": 0,
}
CASE_STATUSES = ("New", "Working", "Escalated", "Closed")
LEAD_STATUSES = (
    "Open - Not Contacted", "Working - Contacted", "Closed - Converted", "Closed - Not Converted",
)  # fmt: skip


def text(name: str, label: str, length: int = 255, **kw: Any) -> Field:
    return Field(name, kw.pop("type", "string"), label, length=length, **kw)


def pick(name: str, label: str, values: tuple[str, ...], **kw: Any) -> Field:
    return Field(name, "picklist", label, length=255, picklist=values, **kw)


def ref(
    name: str, label: str, to: str | tuple[str, ...], rel: str, child: str | None = None, **kw: Any
) -> Field:
    targets = (to,) if isinstance(to, str) else to
    return Field(
        name, "reference", label, length=18, reference_to=targets, relationship_name=rel,
        child_relationship=child, **kw,
    )  # fmt: skip


def num(name: str, label: str, type: str = "double", **kw: Any) -> Field:
    if type == "int":
        kw.setdefault("digits", 9)
    else:
        kw.setdefault("precision", 18)
        kw.setdefault("scale", 2 if type in ("currency", "percent") else 0)
    return Field(name, type, label, **kw)


def flag(name: str, label: str, default: bool = False, **kw: Any) -> Field:
    return Field(name, "boolean", label, nillable=False, default=default, **kw)


def day(name: str, label: str, **kw: Any) -> Field:
    return Field(name, "date", label, **kw)


def stamp(name: str, label: str, **kw: Any) -> Field:
    return Field(name, "datetime", label, **kw)


def _id(label: str) -> Field:
    return Field("Id", "id", label, length=18, nillable=False, createable=False, updateable=False)


def _read_only(f: Field) -> Field:
    return replace(f, createable=False, updateable=False)


def audit_fields() -> list[Field]:
    """The fields every record carries, set by the store rather than by clients."""
    fields = [
        stamp("CreatedDate", "Created Date", nillable=False),
        ref("CreatedById", "Created By ID", "User", "CreatedBy", nillable=False),
        stamp("LastModifiedDate", "Last Modified Date", nillable=False),
        ref("LastModifiedById", "Last Modified By ID", "User", "LastModifiedBy", nillable=False),
        stamp("SystemModstamp", "System Modstamp", nillable=False),
    ]
    return [_read_only(f) for f in fields]


def _deleted() -> Field:
    return _read_only(flag("IsDeleted", "Deleted"))


def _owner() -> Field:
    return ref("OwnerId", "Owner ID", "User", "Owner", nillable=False)


def _address(prefix: str, label: str) -> list[Field]:
    return [
        text(f"{prefix}Street", f"{label} Street", type="textarea"),
        text(f"{prefix}City", f"{label} City", 40),
        text(f"{prefix}State", f"{label} State/Province", 80),
        text(f"{prefix}PostalCode", f"{label} Zip/Postal Code", 20),
        text(f"{prefix}Country", f"{label} Country", 80),
    ]


def _full_name(label: str) -> Field:
    return _read_only(text("Name", label, 121, name_field=True))


def _account_link(child: str) -> Field:
    """The lookup to Account whose records go to the recycle bin with their account."""
    return ref("AccountId", "Account ID", "Account", "Account", child, cascade_delete=True)


ACCOUNT = SObject("Account", "001", "Account", "Accounts", (
    _id("Account ID"), _deleted(),
    ref("ParentId", "Parent Account ID", "Account", "Parent", "ChildAccounts"),
    text("Name", "Account Name", nillable=False, required=True, name_field=True, id_lookup=True),
    pick("Type", "Account Type", ACCOUNT_TYPES),
    *_address("Billing", "Billing"), *_address("Shipping", "Shipping"),
    text("Phone", "Account Phone", 40, type="phone"),
    text("Fax", "Account Fax", 40, type="phone"),
    text("AccountNumber", "Account Number", 40),
    text("Website", "Website", type="url"),
    text("Sic", "SIC Code", 20),
    pick("Industry", "Industry", INDUSTRIES),
    num("AnnualRevenue", "Annual Revenue", "currency"),
    num("NumberOfEmployees", "Employees", "int", digits=8),
    pick("Rating", "Account Rating", RATINGS),
    text("Site", "Account Site", 80),
    text("Description", "Account Description", 32000, type="textarea"),
    _owner(), *audit_fields(),
))  # fmt: skip

CONTACT = SObject("Contact", "003", "Contact", "Contacts", (
    _id("Contact ID"), _deleted(),
    _account_link("Contacts"),
    text("LastName", "Last Name", 80, nillable=False, required=True),
    text("FirstName", "First Name", 40),
    pick("Salutation", "Salutation", SALUTATIONS),
    _full_name("Full Name"),
    *_address("Mailing", "Mailing"),
    text("Phone", "Business Phone", 40, type="phone"),
    text("MobilePhone", "Mobile Phone", 40, type="phone"),
    text("Email", "Email", 80, type="email", id_lookup=True),
    text("Title", "Title", 128),
    text("Department", "Department", 80),
    pick("LeadSource", "Lead Source", LEAD_SOURCES),
    day("Birthdate", "Birthdate"),
    text("Description", "Contact Description", 32000, type="textarea"),
    _owner(), *audit_fields(),
))  # fmt: skip

OPPORTUNITY = SObject("Opportunity", "006", "Opportunity", "Opportunities", (
    _id("Opportunity ID"), _deleted(),
    _account_link("Opportunities"),
    text("Name", "Name", 120, nillable=False, required=True, name_field=True),
    text("Description", "Description", 32000, type="textarea"),
    pick("StageName", "Stage", tuple(STAGES), nillable=False, required=True),
    num("Amount", "Amount", "currency"),
    num("Probability", "Probability (%)", "percent", precision=3, scale=0),
    day("CloseDate", "Close Date", nillable=False, required=True),
    pick("Type", "Opportunity Type", ("Existing Business", "New Business")),
    text("NextStep", "Next Step"),
    pick("LeadSource", "Lead Source", LEAD_SOURCES),
    _read_only(flag("IsClosed", "Closed")),
    _read_only(flag("IsWon", "Won")),
    _owner(), *audit_fields(),
))  # fmt: skip

CASE = SObject("Case", "500", "Case", "Cases", (
    _id("Case ID"), _deleted(),
    _read_only(text("CaseNumber", "Case Number", 30, nillable=False, name_field=True,
                    id_lookup=True, auto_number="{00000000}")),
    ref("ContactId", "Contact ID", "Contact", "Contact", "Cases"),
    _account_link("Cases"),
    text("SuppliedName", "Name", 80),
    text("SuppliedEmail", "Email Address", 80, type="email"),
    pick("Type", "Case Type", ("Mechanical", "Electrical", "Electronic", "Structural", "Other")),
    pick("Status", "Status", CASE_STATUSES, default="New"),
    pick("Reason", "Case Reason", ("Installation", "Equipment Complexity", "Performance",
                                   "Breakdown", "Equipment Design", "Feedback", "Other")),
    pick("Origin", "Case Origin", ("Phone", "Email", "Web")),
    text("Subject", "Subject"),
    pick("Priority", "Priority", ("High", "Medium", "Low"), default="Medium"),
    text("Description", "Description", 32000, type="textarea"),
    _read_only(flag("IsClosed", "Closed")),
    _read_only(stamp("ClosedDate", "Closed Date")),
    flag("IsEscalated", "Escalated"),
    _owner(), *audit_fields(),
))  # fmt: skip

LEAD = SObject("Lead", "00Q", "Lead", "Leads", (
    _id("Lead ID"), _deleted(),
    text("LastName", "Last Name", 80, nillable=False, required=True),
    text("FirstName", "First Name", 40),
    pick("Salutation", "Salutation", SALUTATIONS),
    _full_name("Full Name"),
    text("Title", "Title", 128),
    text("Company", "Company", nillable=False, required=True),
    text("City", "City", 40),
    text("Country", "Country", 80),
    text("Phone", "Phone", 40, type="phone"),
    text("Email", "Email", 80, type="email", id_lookup=True),
    text("Website", "Website", type="url"),
    pick("LeadSource", "Lead Source", LEAD_SOURCES),
    pick("Status", "Status", LEAD_STATUSES, nillable=False, default="Open - Not Contacted"),
    pick("Industry", "Industry", INDUSTRIES),
    pick("Rating", "Rating", RATINGS),
    num("AnnualRevenue", "Annual Revenue", "currency"),
    num("NumberOfEmployees", "Employees", "int", digits=8),
    _read_only(flag("IsConverted", "Converted")),
    text("Description", "Description", 32000, type="textarea"),
    _owner(), *audit_fields(),
))  # fmt: skip

USER = SObject("User", "005", "User", "Users", (
    _id("User ID"),
    text("Username", "Username", 80, nillable=False, required=True, unique=True,
         id_lookup=True),
    text("LastName", "Last Name", 80, nillable=False, required=True),
    text("FirstName", "First Name", 40),
    _full_name("Full Name"),
    text("CompanyName", "Company Name", 80),
    text("Division", "Division", 80),
    text("Department", "Department", 80),
    text("Title", "Title", 80),
    text("Email", "Email", 128, type="email", nillable=False, required=True),
    text("Phone", "Phone", 40, type="phone"),
    text("Alias", "Alias", 8, nillable=False, required=True),
    text("CommunityNickname", "Nickname", 40),
    flag("IsActive", "Active", default=True),
    text("TimeZoneSidKey", "Time Zone", 40, nillable=False, default="GMT"),
    text("LocaleSidKey", "Locale", 40, nillable=False, default="en_US"),
    text("LanguageLocaleKey", "Language", 40, nillable=False, default="en_US"),
    text("EmailEncodingKey", "Email Encoding", 40, nillable=False, default="UTF-8"),
    pick("UserType", "User Type", ("Standard",), createable=False, updateable=False,
         default="Standard"),
    ref("ManagerId", "Manager ID", "User", "Manager"),
    ref("ProfileId", "Profile ID", "Profile", "Profile", "Users", nillable=False, required=True),
    _read_only(stamp("LastLoginDate", "Last Login")),
    *audit_fields(),
), deletable=False)  # fmt: skip

PROFILE = SObject("Profile", "00e", "Profile", "Profiles", (
    _id("Profile ID"),
    text("Name", "Name", nillable=False, required=True, name_field=True),
    text("Description", "Description", type="textarea"),
    _read_only(pick("UserType", "User Type", ("Standard",), default="Standard")),
    *audit_fields(),
), createable=False, updateable=False, deletable=False)  # fmt: skip

ORGANIZATION = SObject("Organization", "00D", "Organization", "Organizations", (
    _id("Organization ID"),
    text("Name", "Name", 80, nillable=False, name_field=True),
    text("Division", "Division", 80),
    text("Street", "Street", type="textarea"),
    text("City", "City", 40),
    text("State", "State/Province", 80),
    text("PostalCode", "Zip/Postal Code", 20),
    text("Country", "Country", 80),
    text("Phone", "Phone", 40, type="phone"),
    text("PrimaryContact", "Primary Contact", 80),
    text("DefaultLocaleSidKey", "Locale", 40, default="en_US"),
    text("LanguageLocaleKey", "Language", 40, default="en_US"),
    text("TimeZoneSidKey", "Time Zone", 40, default="GMT"),
    _read_only(pick("OrganizationType", "Edition", ("Developer Edition", "Enterprise Edition",
                                                    "Unlimited Edition", "Professional Edition"))),
    _read_only(text("InstanceName", "Instance Name", 5)),
    _read_only(flag("IsSandbox", "Is Sandbox")),
    _read_only(stamp("TrialExpirationDate", "Trial Expiration Date")),
    _read_only(text("NamespacePrefix", "Namespace Prefix", 15)),
    *audit_fields(),
), createable=False, deletable=False)  # fmt: skip

TASK_STATUSES = ("Not Started", "In Progress", "Completed", "Waiting on someone else", "Deferred")

TASK = SObject("Task", "00T", "Task", "Tasks", (
    _id("Activity ID"), _deleted(),
    ref("WhoId", "Name ID", ("Contact", "Lead"), "Who", "Tasks"),
    ref("WhatId", "Related To ID", ("Account", "Opportunity", "Case"), "What", "Tasks"),
    text("Subject", "Subject", type="combobox"),
    day("ActivityDate", "Due Date Only"),
    pick("Status", "Status", TASK_STATUSES, nillable=False, default="Not Started"),
    pick("Priority", "Priority", ("High", "Normal", "Low"), nillable=False, default="Normal"),
    text("Description", "Description", 32000, type="textarea"),
    _read_only(flag("IsClosed", "Closed")),
    _owner(), *audit_fields(),
))  # fmt: skip

CATALOG: tuple[SObject, ...] = (
    ACCOUNT, CONTACT, OPPORTUNITY, CASE, LEAD, TASK, USER, PROFILE, ORGANIZATION,
)  # fmt: skip
