"""Phone normalisation at import speed: a cheap exact path for plain digit strings.

`phonenumbers.parse` + `is_valid_number` cost ~45 us a number, most of it in parsing
generic input. Exports mostly hold plain digits (`9876543210`, `+91 98765-43210`), for
which the parse is trivial; validity is then checked against the same metadata patterns
libphonenumber uses (general description, then any number type). Anything unusual (a
national or international prefix, letters, an extension, a leading zero, a number the
fast check does not accept) goes to `callq.phones.normalise_phone`, the authority: the
fast path only ever accepts what the library would accept, never rejects.
"""

import re
from functools import lru_cache

from phonenumbers import COUNTRY_CODE_TO_REGION_CODE, PhoneMetadata

from callq.phones import normalise_phone

_SEPARATORS = str.maketrans("", "", " -.()/\u00a0\t")
# Validity is "matches any type", so the common types go first.
_TYPES = (
    "mobile",
    "fixed_line",
    "premium_rate",
    "toll_free",
    "shared_cost",
    "voip",
    "personal_number",
    "pager",
    "uan",
    "voicemail",
)


class _Region:
    """The patterns of one region's metadata, compiled once."""

    def __init__(self, metadata: PhoneMetadata) -> None:
        self.country_code = metadata.country_code
        self.general = _desc(metadata.general_desc)
        self.types = [d for d in (_desc(getattr(metadata, t)) for t in _TYPES) if d]
        self.leading = re.compile(metadata.leading_digits) if metadata.leading_digits else None
        npfp = metadata.national_prefix_for_parsing
        self.national_prefix = re.compile(npfp) if npfp else None
        # A plain trunk prefix ("0" in India, the UK, Germany) with nothing to transform:
        # the library strips it when what follows is a valid number, and so can we.
        simple = npfp and npfp.isdigit() and not metadata.national_prefix_transform_rule
        self.trunk_prefix = npfp if simple else None
        intl = metadata.international_prefix
        self.international_prefix = re.compile(intl) if intl else None
        self._by_length: dict[int, re.Pattern | None] = {}

    def valid(self, national: str) -> bool:
        """`_number_type_helper(...) != UNKNOWN`: the general pattern and any type's."""
        length = len(national)
        try:
            pattern = self._by_length[length]
        except KeyError:
            pattern = self._by_length[length] = self._pattern_for(length)
        return pattern is not None and pattern.fullmatch(national) is not None

    def _pattern_for(self, length: int) -> re.Pattern | None:
        """One regex for numbers of `length` digits: the general pattern as a lookahead,
        then the types whose possible lengths allow `length`, in `_TYPES` order (one
        match call instead of a Python loop over the types)."""
        if self.general is None or not _length_allowed(self.general, length):
            return None
        types = [desc[1].pattern for desc in self.types if _length_allowed(desc, length)]
        if not types:
            return None
        general = self.general[1].pattern
        return re.compile(f"(?=(?:{general})\\Z)(?:{'|'.join(f'(?:{t})' for t in types)})")


def _desc(desc) -> tuple[frozenset[int], re.Pattern] | None:  # noqa: ANN001
    if desc is None or desc.national_number_pattern is None:
        return None
    return frozenset(desc.possible_length or ()), re.compile(desc.national_number_pattern)


def _length_allowed(desc: tuple[frozenset[int], re.Pattern], length: int) -> bool:
    lengths = desc[0]
    return not lengths or length in lengths


@lru_cache(maxsize=512)
def _region(code: str) -> _Region | None:
    metadata = PhoneMetadata.metadata_for_region(code, None)
    return _Region(metadata) if metadata else None


def _valid_international(country_code: int, national: str) -> bool:
    """`is_valid_number` for a country code and national number (region chosen as it does)."""
    regions = COUNTRY_CODE_TO_REGION_CODE.get(country_code)
    if not regions:
        return False
    if len(regions) == 1:
        region = _region(regions[0])
        return region is not None and region.valid(national)
    for code in regions:
        region = _region(code)
        if region is None:
            continue
        if region.leading is not None:
            if region.leading.match(national):
                return region.valid(national)
        elif region.valid(national):
            return True
    return False


def fast_e164(raw: str, region_code: str) -> str | None:
    """E.164 when `raw` is a plain number the cheap path can decide, else None."""
    text = raw.strip()
    if not text.isdigit():  # most cells are plain digits: skip the translation
        text = text.translate(_SEPARATORS)
    if text.startswith("+"):
        digits = text[1:]
        if not digits.isdigit() or not digits.isascii() or len(digits) > 17 or digits[0] == "0":
            return None
        for size in (1, 2, 3):
            country_code = int(digits[:size])
            if country_code in COUNTRY_CODE_TO_REGION_CODE:
                break
        else:
            return None
        national = digits[size:]
        main = _region(COUNTRY_CODE_TO_REGION_CODE[country_code][0])
    else:
        if not text.isdigit() or not text.isascii() or len(text) > 17:
            return None
        main = _region(region_code)
        if main is None:
            return None
        country_code, national = main.country_code, text
        if national.startswith(str(country_code)):
            return None  # might be the country code without "+": the library decides
        if main.international_prefix is not None and main.international_prefix.match(national):
            return None
    if (
        not text.startswith("+")
        and main.trunk_prefix
        and national.startswith(main.trunk_prefix)
        and not national.startswith(main.trunk_prefix * 2)
    ):
        national = national[len(main.trunk_prefix) :]
        if not national or national[0] == "0":
            return None
        if not _valid_international(country_code, national):
            return None
        return f"+{country_code}{national}"
    if len(national) < 2 or national[0] == "0" or main is None:
        return None
    if main.national_prefix is not None and main.national_prefix.match(national):
        return None
    if not _valid_international(country_code, national):
        return None
    return f"+{country_code}{national}"


class PhoneNormaliser:
    """Normalise many numbers: the fast path, the library for the rest, a cache for repeats."""

    def __init__(self, region: str) -> None:
        self.region = region
        self._cache: dict[str, str | Exception] = {}

    def __call__(self, raw: str) -> str:
        """E.164, or raises `callq.phones.PhoneError` (the library's verdict and message)."""
        cached = self._cache.get(raw)
        if cached is None:
            cached = fast_e164(raw, self.region)
            if cached is None:
                try:
                    cached = normalise_phone(raw, self.region)
                except Exception as error:  # PhoneError: cached too, repeats are common
                    cached = error
            if len(self._cache) < 200_000:
                self._cache[raw] = cached
        if isinstance(cached, Exception):
            raise cached
        return cached
