"""One CSV row -> a lead to import, or the reason it cannot be imported."""

import hashlib
from typing import NamedTuple

from callq.importing.fastphone import PhoneNormaliser
from callq.importing.restore import Restore, RestoreReader
from callq.phones import PhoneError, zone_for_number
from callq.rules.model import CHANNELS
from callq.rules.text import unstorable
from callq.services.exporting import FORMULA_STARTS

_CHANNEL_WORDS = (
    ("referral", ("referral", "referred", "partner", "word of mouth", "reference", "affiliate")),
    (
        "social",
        (
            "social",
            "facebook",
            "instagram",
            "linkedin",
            "twitter",
            "whatsapp",
            "youtube",
            "tiktok",
            "fb",
            "meta",
        ),
    ),
    ("email", ("email", "e-mail", "newsletter", "mailchimp", "mail")),
    (
        "phone",
        ("phone", "call", "telephone", "inbound", "ivr", "missed call", "walk-in", "walk in"),
    ),
    (
        "web",
        (
            "web",
            "website",
            "site",
            "form",
            "organic",
            "search",
            "seo",
            "google",
            "ads",
            "paid",
            "online",
            "direct traffic",
            "landing",
            "chat",
            "advertisement",
            "ppc",
            "internet",
        ),
    ),
)
_URGENCY_WORDS = {
    "high": "high", "hot": "high", "urgent": "high", "asap": "high", "a": "high", "1": "high",
    "normal": "normal", "medium": "normal", "warm": "normal", "b": "normal", "2": "normal",
    "low": "low", "cold": "low", "c": "low", "3": "low",
}  # fmt: skip


def restored(value: str) -> str:
    """A cell as it was before a formula-safe export (callq's rejects file and exports,
    `exporting.neutralise`, or a CRM's) prefixed it with `'`: `'+91 98765` -> `+91 98765`."""
    if value[:1] == "'" and value[1:2] and value[1] in FORMULA_STARTS:
        return value[1:]
    return value


def channel_for(value: str) -> str | None:
    """A CRM's source label ("Web Form", "Facebook Ads", "Cold Call") -> a callq channel."""
    text = value.strip().lower()
    if not text:
        return None
    if text in CHANNELS:
        return text
    for channel, words in _CHANNEL_WORDS:
        if any(word in text for word in words):
            return channel
    return "other"


class Row(NamedTuple):
    """A validated row: the lead it describes and where it came from (a tuple: cheap to make
    by the hundred thousand)."""

    line: int
    key: str  # import fingerprint: the same row of the same content imports once
    name: str
    phone: str
    other_phones: tuple[str, ...] = ()
    email: str = ""
    company: str = ""
    source: str = "other"
    owner: str = ""
    interest: str = ""
    urgency: str = "normal"
    timezone: str | None = None
    note: str = ""
    restore: Restore | None = None  # a callq export's row: the lead as it was exported


_SINGLE = (
    "name", "first_name", "middle_name", "last_name", "email", "company", "source", "owner",
    "interest", "urgency", "timezone", "notes",
)  # fmt: skip
_FIELD_WORDS = {
    "first_name": "first name", "middle_name": "middle name", "last_name": "last name",
    "notes": "note",
}  # fmt: skip


class RowReader:
    """Turns raw cells into `Row`s (or a reject reason) with one column mapping."""

    def __init__(
        self,
        mapping: dict[int, str],
        width: int,
        normalise: PhoneNormaliser,
        *,
        default_source: str,
        valid_zone,  # noqa: ANN001  (name -> bool)
        restore: RestoreReader | None = None,
    ) -> None:
        self.restore = restore  # set for a callq export (importing.restore)
        # One column per field (the first that claims it); phones may come from several.
        self.column: dict[str, int | None] = {name: None for name in _SINGLE}
        for index, name in sorted(mapping.items()):
            if name in self.column and self.column[name] is None:
                self.column[name] = index
        self.phone_columns = [
            index
            for kind in ("phone", "mobile", "other_phone")
            for index, name in sorted(mapping.items())
            if name == kind
        ]
        self.width = width
        self.normalise = normalise
        self.default_source = default_source
        self.valid_zone = valid_zone
        self.seen: dict[str, int] = {}
        self.unknown_zones = 0
        self._channels: dict[str, str | None] = {}
        # Only the mapped fields are read per row; the rest stay "" (a copy of `_blank`).
        self._mapped = [(name, index) for name, index in self.column.items() if index is not None]
        self._blank = dict.fromkeys(_SINGLE, "")

    def fingerprint(self, cells: list[str]) -> str:
        content = "\x1f".join(cells)
        # An identical second line is a second inquiry: it gets its own key.
        occurrence = self.seen[content] = self.seen.get(content, 0) + 1
        return hashlib.blake2b(f"{occurrence}\x1e{content}".encode(), digest_size=12).hexdigest()

    def _texts(self, cells: list[str]) -> dict[str, str]:
        """Field -> its cell's text: one line, trimmed, inner whitespace runs collapsed;
        notes keep their lines (a CRLF file's embedded newlines too)."""
        texts = self._blank.copy()
        count = len(cells)
        for name, index in self._mapped:
            if index < count and (value := cells[index]):
                if name == "notes":
                    value = value.replace("\r\n", "\n").replace("\r", "\n").strip()
                    texts[name] = restored(value) if value[:1] == "'" else value
                    continue
                value = value.strip()
                if value[:1] == "'":
                    value = restored(value)
                if "  " in value or "\n" in value or "\t" in value:
                    value = " ".join(value.split())
                texts[name] = value
        return texts

    def _phones(self, cells: list[str]) -> list[str]:
        found = []
        for index in self.phone_columns:
            if index < len(cells):
                value = cells[index].strip()
                if value[:1] == "'":
                    value = restored(value)
                if value:
                    if ":::" in value:  # Google Contacts: several numbers in one cell
                        found += [p.strip() for p in value.split(":::") if p.strip()]
                    elif self.restore is not None and "," in value:  # callq's other_phones
                        found += [restored(p.strip()) for p in value.split(",") if p.strip()]
                    else:
                        found.append(value)
        return found

    def read(self, cells: list[str], line: int) -> Row | str:
        key = self.fingerprint(cells)
        if len(cells) > self.width and any(c.strip() for c in cells[self.width :]):
            return f"{len(cells)} fields but the header has {self.width} (a broken CSV row)"
        candidates = self._phones(cells)
        if not candidates:
            return "no phone number"
        phone, first_error, others = None, None, []
        for candidate in candidates:
            try:
                number = self.normalise(candidate)
            except PhoneError as error:
                first_error = first_error or str(error)
                continue
            if phone is None:
                phone = number
            elif number != phone and number not in others:
                others.append(number)
        if phone is None:
            return first_error or "no usable phone number"

        text = self._texts(cells)
        if unstorable("".join(text.values())):  # one search a row; name the cell if found
            return next(
                f"the {_FIELD_WORDS.get(name, name)} {reason}"
                for name, value in text.items()
                if (reason := unstorable(value))
            )
        full = " ".join(
            part for part in (text["first_name"], text["middle_name"], text["last_name"]) if part
        )
        email, company = text["email"], text["company"]
        name = text["name"] or full or company or email or phone
        zone = text["timezone"] or None
        if zone and not self.valid_zone(zone):
            self.unknown_zones += 1
            zone = None
        zone = zone or zone_for_number(phone)  # None: the team's zone, shown as a guess
        restore = None
        if self.restore is not None:
            restore = self.restore.read(cells)
            if isinstance(restore, str):
                return restore
        source_text = text["source"]
        source = self._channels.get(source_text, "")
        if source == "":
            source = self._channels[source_text] = channel_for(source_text)
        return Row(
            line=line,
            key=key,
            name=name,
            phone=phone,
            other_phones=tuple(others),
            email=email,
            company=company,
            source=source or self.default_source,
            owner=text["owner"],
            interest=text["interest"],
            urgency=_URGENCY_WORDS.get(text["urgency"].lower(), "normal"),
            timezone=zone,
            note=text["notes"],
            restore=restore,
        )
