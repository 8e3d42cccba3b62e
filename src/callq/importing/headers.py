"""Which column holds what: common CRM export headers, plus `--map COLUMN=field`."""

import re

from callq.errors import UserError

FIELDS = (
    "name",
    "first_name",
    "middle_name",
    "last_name",
    "phone",
    "mobile",
    "other_phone",
    "email",
    "company",
    "source",
    "owner",
    "interest",
    "urgency",
    "timezone",
    "notes",
    "ignore",
)

# Normalised header (lowercase words) -> field. HubSpot, Salesforce, Zoho, Pipedrive,
# Google Contacts and plain spreadsheets; Pipedrive's "Person - " prefix is dropped first.
_ALIASES: dict[str, tuple[str, ...]] = {
    "name": (
        "name",
        "full name",
        "contact name",
        "lead name",
        "contact",
        "customer name",
        "customer",
        "client name",
        "display name",
        "person",
        "nombre",
        "nom",
    ),
    "first_name": ("first name", "firstname", "given name", "first", "forename", "prenom"),
    "middle_name": ("middle name", "additional name"),
    "last_name": ("last name", "lastname", "family name", "surname", "last", "nom de famille"),
    "phone": (
        "phone",
        "phone number",
        "telephone",
        "telephone number",
        "tel",
        "work phone",
        "business phone",
        "office phone",
        "phone work",
        "primary phone",
        "contact number",
        "phone 1 value",
        "number",
        "landline",
        "phone 1",
        "telefono",
        "telefon",
        "work number",
        "business phone 2",
        "company main telephone",
        "phone number 1",
    ),
    "mobile": (
        "mobile",
        "mobile phone",
        "mobile phone number",
        "mobile number",
        "cell",
        "cell phone",
        "cellphone",
        "phone mobile",
        "mobile no",
        "whatsapp",
        "whatsapp number",
        "handy",
        "portable",
        "mobilephone",
        "mobile phone 1",
        "cell phone number",
    ),
    "other_phone": (
        "other phone",
        "home phone",
        "phone home",
        "phone other",
        "phone 2 value",
        "phone 3 value",
        "alternate phone",
        "alt phone",
        "secondary phone",
        "home phone 2",
        "car phone",
        "phone 4 value",
        "phone 5 value",
        "other phone number",
        "home phone number",
        "homephone",
        "otherphone",
        "secondary phone number",
        "alternate number",
        "phone 2",
    ),
    "email": (
        "email",
        "e mail",
        "email address",
        "e mail address",
        "email work",
        "work email",
        "e mail 1 value",
        "email 1 value",
        "primary email",
        "mail",
        "emails",
        "email address 1",
        "emailaddress",
        "e mail 1 address",
        "email 1",
    ),
    "company": (
        "company",
        "company name",
        "company account",
        "account name",
        "account",
        "organization",
        "organisation",
        "organization name",
        "organization 1 name",
        "org",
        "business",
        "business name",
        "firm",
        "employer",
        "sales accounts",
        "sales account",
        "company 1",
    ),
    "source": (
        "source",
        "lead source",
        "original source",
        "original source type",
        "channel",
        "lead channel",
        "how did you hear about us",
        "utm source",
        "origin",
        "leadsource",
        "source channel",
        "source origin",
        "hs analytics source",
        "lead source type",
        "source of lead",
    ),
    "owner": (
        "owner",
        "contact owner",
        "lead owner",
        "record owner",
        "deal owner",
        "assigned to",
        "assignee",
        "sales rep",
        "rep",
        "account owner",
        "hubspot owner",
        "sales owner",
        "owner name",
        "owner id name",
        "lead owner name",
        "contact owner name",
        "assigned to user",
    ),
    "interest": (
        "interest",
        "product interest",
        "interested in",
        "product",
        "requirement",
        "inquiry",
        "enquiry",
        "service",
        "course",
        "lead interest",
    ),
    "urgency": ("urgency", "priority", "rating", "lead rating", "temperature"),
    "timezone": ("timezone", "time zone", "tz", "iana timezone"),
    "notes": (
        "notes",
        "note",
        "description",
        "comments",
        "comment",
        "message",
        "remarks",
        "details",
        "lead description",
        "note content",
        "notes 1",
    ),
}
# Headers that look like a field but are not: record numbers and ids (LeadSquared's
# "Lead Number" is its record number, not a phone; Salesforce's OwnerId is an id).
_NOT_FIELDS = (
    "lead number", "prospect id", "record id", "owner id", "ownerid", "contact id",
    "lead id", "id", "hubspot owner id", "account id", "accountid", "prospectid",
)  # fmt: skip
_LOOKUP = {alias: field for field, aliases in _ALIASES.items() for alias in aliases}
_LOOKUP.update(dict.fromkeys(_NOT_FIELDS, "ignore"))
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")  # API names: MobilePhone, LeadSource
_PIPEDRIVE_PREFIX = re.compile(r"^(person|lead|contact|organization) ")
_GOOGLE_PHONE = re.compile(r"^phone (\d+) (value)$")


def normalise_header(header: str) -> str:
    """`"Phone Number "` -> `phone number`; `E-mail 1 - Value` -> `e mail 1 value`."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", header.lower()).split())


def guess_field(header: str) -> str | None:
    """The field a header names: its words, else its camelCase words (API names such as
    Salesforce's `MobilePhone`, LeadSquared's `EmailAddress`), with Pipedrive's prefix."""
    key = normalise_header(header)
    if key in _LOOKUP:
        return _LOOKUP[key]
    words = normalise_header(_CAMEL.sub(" ", header))
    if words in _LOOKUP:
        return _LOOKUP[words]
    stripped = _PIPEDRIVE_PREFIX.sub("", words)
    if stripped in _LOOKUP:
        return _LOOKUP[stripped]
    phone = _GOOGLE_PHONE.match(stripped)
    if phone:
        return "phone" if phone.group(1) == "1" else "other_phone"
    return None


def parse_maps(maps: list[str]) -> dict[str, str]:
    """`["Cell=mobile", "Ref=ignore"]` -> `{"Cell": "mobile", ...}`; UserError when malformed."""
    result: dict[str, str] = {}
    for item in maps:
        column, sep, field = item.rpartition("=")
        column, field = column.strip(), field.strip().lower()
        if not sep or not column:
            raise UserError(f"--map {item!r}: use COLUMN=field (e.g. --map 'Cell No=mobile')")
        if field not in FIELDS:
            raise UserError(
                f"--map {item!r}: unknown field {field!r} (use one of: {', '.join(FIELDS)})"
            )
        result[column] = field
    return result


def map_columns(headers: list[str], maps: dict[str, str]) -> dict[int, str]:
    """Column index -> field. `--map` wins; the first column that claims a field keeps it
    (later claimants of `phone`/`mobile` become other phones)."""
    by_name = {h: i for i, h in enumerate(headers)}
    by_folded = {h.casefold(): i for i, h in enumerate(headers)}
    mapping: dict[int, str] = {}
    for column, field in maps.items():
        index = by_name.get(column, by_folded.get(column.casefold()))
        if index is None:
            raise UserError(
                f"--map {column}={field}: the file has no column {column!r} "
                f"(columns: {', '.join(h for h in headers if h)})"
            )
        mapping[index] = field
    taken = set(mapping.values())
    for index, header in enumerate(headers):
        if index in mapping:
            continue
        field = guess_field(header)
        if field is None:
            continue
        if field in taken and field in ("phone", "mobile", "other_phone"):
            field = "other_phone"
        elif field in taken and field != "other_phone":
            continue
        mapping[index] = field
        taken.add(field)
    return {i: f for i, f in mapping.items() if f != "ignore"}


def require_usable(mapping: dict[int, str], headers: list[str]) -> None:
    fields = set(mapping.values())
    if not fields & {"phone", "mobile", "other_phone"}:
        raise UserError(
            "no phone column recognised in the header "
            f"({', '.join(h for h in headers if h)}); name it with --map 'COLUMN=phone'"
        )
