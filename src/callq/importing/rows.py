"""One CSV row -> a lead to import, or the reason it cannot be imported."""

import hashlib
from collections import Counter
from dataclasses import dataclass, field

from callq.importing.fastphone import PhoneNormaliser
from callq.phones import PhoneError
from callq.rules.model import CHANNELS

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


@dataclass(slots=True)
class Row:
    """A validated row: the lead it describes and where it came from."""

    line: int
    key: str  # import fingerprint: the same row of the same content imports once
    name: str
    phone: str
    other_phones: list[str] = field(default_factory=list)
    email: str = ""
    company: str = ""
    source: str = "other"
    owner: str = ""
    interest: str = ""
    urgency: str = "normal"
    timezone: str | None = None
    note: str = ""


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
    ) -> None:
        self.mapping = sorted(mapping.items())
        self.width = width
        self.normalise = normalise
        self.default_source = default_source
        self.valid_zone = valid_zone
        self.seen: Counter[str] = Counter()
        self.unknown_zones = 0

    def fingerprint(self, cells: list[str]) -> str:
        content = "\x1f".join(cell.strip() for cell in cells)
        self.seen[content] += 1
        # An identical second line is a second inquiry: it gets its own key.
        digest = hashlib.blake2b(
            f"{self.seen[content]}\x1e{content}".encode(), digest_size=12
        ).hexdigest()
        return digest

    def read(self, cells: list[str], line: int) -> Row | str:
        key = self.fingerprint(cells)
        if len(cells) > self.width and any(c.strip() for c in cells[self.width :]):
            return f"{len(cells)} fields but the header has {self.width} (a broken CSV row)"
        values: dict[str, list[str]] = {}
        for index, name in self.mapping:
            if index < len(cells):
                cell = cells[index]
                if name == "notes":  # keep its lines; a CRLF file's embedded newlines too
                    cell = cell.replace("\r\n", "\n").replace("\r", "\n").strip()
                else:
                    cell = " ".join(cell.split())
                if cell:
                    values.setdefault(name, []).append(cell)

        def one(name: str) -> str:
            return values[name][0] if name in values else ""

        candidates = [
            part.strip()
            for name in ("phone", "mobile", "other_phone")
            for cell in values.get(name, ())
            for part in cell.split(":::")  # Google Contacts: several numbers in one cell
            if part.strip()
        ]
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

        full = " ".join(p for p in (one("first_name"), one("middle_name"), one("last_name")) if p)
        email = one("email")
        name = one("name") or full or one("company") or email or phone
        zone = one("timezone") or None
        if zone and not self.valid_zone(zone):
            self.unknown_zones += 1
            zone = None
        urgency = _URGENCY_WORDS.get(one("urgency").lower(), "normal")
        return Row(
            line=line,
            key=key,
            name=name,
            phone=phone,
            other_phones=others,
            email=email,
            company=one("company"),
            source=channel_for(one("source")) or self.default_source,
            owner=one("owner"),
            interest=one("interest"),
            urgency=urgency,
            timezone=zone,
            note=one("notes"),
        )
