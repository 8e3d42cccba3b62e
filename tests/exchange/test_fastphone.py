"""The import fast path for phone numbers agrees with libphonenumber, or defers to it."""

import random

import phonenumbers
import pytest

from callq.importing.fastphone import PhoneNormaliser, fast_e164
from callq.phones import PhoneError, normalise_phone

REGIONS = ("IN", "US", "GB", "DE", "IT", "BR", "AR", "FR", "AU", "RU", "MX", "SG", "AE", "JP")


def library(raw: str, region: str) -> str | None:
    try:
        return normalise_phone(raw, region)
    except PhoneError:
        return None


def samples(seed: int = 7, count: int = 15_000):
    """Example numbers of every type and region, perturbed, plus random digit strings."""
    rng = random.Random(seed)
    examples = []
    for region in phonenumbers.SUPPORTED_REGIONS:
        for kind in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE):
            number = phonenumbers.example_number_for_type(region, kind)
            if number:
                examples.append(
                    phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
                )
    for _ in range(count):
        region = rng.choice(REGIONS)
        base = rng.choice(examples)
        digits = list(base[1:])
        for _ in range(rng.randint(0, 3)):
            digits[rng.randrange(len(digits))] = rng.choice("0123456789")
        text = "".join(digits)
        style = rng.random()
        if style < 0.4:
            raw = "+" + text
        elif style < 0.6:
            raw = text[rng.randint(1, 3) :]  # a national-looking tail
        elif style < 0.65:
            raw = "0" + text[rng.randint(1, 3) :]  # a trunk prefix before a national number
        elif style < 0.7:
            raw = "+" + text[:2] + " " + text[2:6] + "-" + text[6:]
        else:
            raw = "".join(rng.choice("0123456789") for _ in range(rng.randint(6, 13)))
        yield raw, region


def test_fast_path_never_disagrees_with_the_library():
    accepted = 0
    for raw, region in samples():
        fast = fast_e164(raw, region)
        if fast is not None:
            accepted += 1
            assert fast == library(raw, region), (raw, region)
    assert accepted > 2_500  # the fast path does carry the common cases


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("9876543210", "+919876543210"),
        ("+91 98765-43210", "+919876543210"),
        ("098765 43210", "+919876543210"),  # the trunk prefix, stripped as the library does
        ("0098765 43210", None),  # an international prefix: the library decides
        ("919876543210", None),  # country code without +: the library decides
        ("12345", None),
        ("98765x43210", None),
    ],
)
def test_fast_path_cases(raw, expected):
    assert fast_e164(raw, "IN") == expected


def test_normaliser_matches_the_library_and_caches_errors():
    normalise = PhoneNormaliser("IN")
    assert normalise("098765 43210") == "+919876543210"
    for _ in range(2):
        with pytest.raises(PhoneError, match="not a valid phone number"):
            normalise("12345")
