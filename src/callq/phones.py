"""Phone numbers: normalise to E.164 with libphonenumber's rules, or say why not.

`phonenumbers` is imported where it is used: a command given a lead id never needs it,
and it is ~5% of such a command's start-up.
"""


class PhoneError(ValueError):
    """A number that cannot be dialled; the message says why."""


def normalise_phone(raw: str, region: str) -> str:
    """`raw` in any common format -> E.164 (`+919876543210`); `region` for national numbers."""
    import phonenumbers

    text = (raw or "").strip()
    if not text:
        raise PhoneError("no phone number given")
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as error:
        raise PhoneError(f"{raw!r} is not a phone number ({_reason(error)})") from None
    if not phonenumbers.is_valid_number(number):
        raise PhoneError(
            f"{raw!r} is not a valid phone number for region {region}"
            if not text.startswith("+")
            else f"{raw!r} is not a valid phone number"
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def looks_like_phone(text: str) -> bool:
    digits = sum(ch.isdigit() for ch in text)
    return digits >= 6


def display_phone(e164: str) -> str:
    """International format for people: `+91 98765 43210`."""
    import phonenumbers

    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def _reason(error: Exception) -> str:
    import phonenumbers

    return {
        phonenumbers.NumberParseException.INVALID_COUNTRY_CODE: "unknown country code",
        phonenumbers.NumberParseException.NOT_A_NUMBER: "not a number",
        phonenumbers.NumberParseException.TOO_SHORT_NSN: "too short",
        phonenumbers.NumberParseException.TOO_SHORT_AFTER_IDD: "too short",
        phonenumbers.NumberParseException.TOO_LONG: "too long",
    }.get(error.error_type, "unreadable")
