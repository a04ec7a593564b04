"""Text shaped like private data: phone numbers, e-mail addresses, card numbers, IBANs, US social security
numbers and street addresses, each with where it stands in the text. Whether a match is a person's
private data is ``whose``'s question; this module only finds them.

Phone numbers come from ``phonenumbers`` (Google's libphonenumber metadata), card and account numbers are
confirmed by their checksums with ``python-stdnum``, so a run of digits in a news story (a date, a case
number) is not mistaken for a card. E-mail and street-address patterns are ours.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import phonenumbers
import regex
from stdnum import iban, luhn
from stdnum.us import ssn

from botwarden.language.mentions import known_tlds

# An address: no name character, '@' (a fediverse handle) or '/' (a path) before it, and a domain that
# does not go on with a dot or name character after it ('msgrcv@libc.so.6' is a symbol, not an address).
# A git remote ('git@github.com:owner/repo') goes on with ':' and a path.
_EMAIL = regex.compile(r"(?<![\w.+@/-])[\w.+-]+@([\w-]+(?:\.[\w-]+)*\.([A-Za-z]{2,}))\b(?!\.?[\w-]|:[^\s])")
_CARD = regex.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")
_IBAN = regex.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b")
_IBAN_START = re.compile(r"[A-Z]{2}\d\d")  # how every IBAN starts: a quick look before the full pattern
_SSN = regex.compile(r"(?<!\d)\d{3}-\d{2}-\d{4}(?!\d)")
_STREET = regex.compile(
    r"\b\d{1,5}[A-Za-z]?\s+(?:[A-Z][\w'-]*\s+){1,3}"
    r"(?:Street|St\.?|Road|Rd\.?|Avenue|Ave\.?|Lane|Ln\.?|Drive|Dr\.?|Boulevard|Blvd\.?|Court|Ct\.?|"
    r"Close|Crescent|Place|Terrace|Way)\b"
    r"(?:,?\s+(?:Apt|Flat|Unit)\.?\s*\w+)?"
)
_URL = regex.compile(r"https?://\S+", regex.IGNORECASE)
_DIGIT = regex.compile(r"\d")


@dataclass(frozen=True, slots=True)
class PrivateMatch:
    kind: str  # phone, email, card, iban, national_id, street_address
    text: str
    start: int = 0  # where it stands in the text checked
    end: int = 0
    #: A phone number of a kind no one person holds: toll-free, premium rate, shared cost, a universal
    #: access number (libphonenumber's number types).
    service: bool = False

    @property
    def masked(self) -> str:
        """The match with most of it hidden, for evidence that does not repeat the private data."""
        keep = 2 if len(self.text) > 6 else 1
        return self.text[:keep] + "…" + self.text[-keep:]


def find_data(text: str, region: str = "US") -> list[PrivateMatch]:
    """Everything in ``text`` shaped like private data: phone numbers (international, or national for
    ``region``), e-mail addresses with a real TLD, card numbers (a card network's prefix and a valid
    checksum), IBANs, US social security numbers and street addresses, in that order of kinds."""
    body = _URL.sub(lambda m: " " * len(m.group()), text)  # a URL's digits and @ are not a person's data
    found: list[PrivateMatch] = []
    if "@" in body:
        found += [
            _match("email", m)
            for m in _EMAIL.finditer(body)
            if _known_tld(m.group(2)) and not _string_literal(body, m.start(), m.end())
        ]
    longest = _longest_digit_run(body)
    if not longest:  # everything below needs a digit; most posts have none
        return [m for m in found if not _in_code(body, m)]
    if longest >= 13:  # a card number's digits stand together, as a phone number's do
        found += [_match("card", m) for m in _CARD.finditer(body) if _is_card(body, m)]
    if _IBAN_START.search(body):
        found += [_match("iban", m) for m in _IBAN.finditer(body) if iban.is_valid(m.group())]
    if longest >= 9:
        found += [_match("national_id", m) for m in _SSN.finditer(body) if ssn.is_valid(m.group())]
    taken = [(m.start, m.end) for m in found]
    found += [
        PrivateMatch("phone", p.raw_string, p.start, p.end, _is_service(p.number))
        for p in _phone_matches(body, region, longest)
        if not any(a <= p.start and p.end <= b for a, b in taken) and _written_as_phone(body, p)
    ]
    found += [_match("street_address", m) for m in _STREET.finditer(body)]
    return [m for m in found if not _in_code(body, m)]


def _match(kind: str, match: regex.Match[str]) -> PrivateMatch:
    return PrivateMatch(kind, match.group(), match.start(), match.end())


def _known_tld(domain: str) -> bool:
    return domain.lower() in known_tlds()


def _is_card(text: str, match: regex.Match[str]) -> bool:
    """A card number: 13 to 19 digits written in one piece or in the groups printed on cards, not part
    of a decimal number, with a prefix a card network issues and a valid Luhn checksum. Runs of years
    ('2017 2018 2019 2020') can pass the checksum, but no network issues numbers starting 2017."""
    digits = regex.sub(r"\D", "", match.group())
    if not (13 <= len(digits) <= 19 and _card_groups(match.group())):
        return False
    if text[match.start() - 1 : match.start()] in (".", ",") or regex.match(r"[.,]\d", text[match.end() :]):
        return False
    return _issued_prefix(digits) and luhn.is_valid(digits)


def _card_groups(written: str) -> bool:
    """One run of digits, or groups of four with a shorter last one (4-4-4-4, 4-4-4-4-3), or the 4-6-5 and
    4-6-4 of American Express and Diners."""
    sizes = [len(group) for group in regex.split(r"[ -]", written)]
    if len(sizes) == 1 or sizes in ([4, 6, 5], [4, 6, 4]):
        return True
    return all(size == 4 for size in sizes[:-1]) and 1 <= sizes[-1] <= 4


def _issued_prefix(digits: str) -> bool:
    """Whether a card network issues numbers starting so (Visa 4; Mastercard 51-55 and 2221-2720; Mir
    2200-2204; American Express, Diners, JCB 30-39 but 31-33; Maestro 50 and 56-69; Discover, UnionPay and
    RuPay 6, 81, 82)."""
    first, four = digits[0], int(digits[:4])
    if first in "456":
        return True
    if first == "3":
        return digits[1] in "456789" or 3000 <= four <= 3059
    if first == "2":
        return 2200 <= four <= 2204 or 2221 <= four <= 2720
    return digits[:2] in ("81", "82")


_SERVICE_TYPES = frozenset(
    {
        phonenumbers.PhoneNumberType.TOLL_FREE,
        phonenumbers.PhoneNumberType.PREMIUM_RATE,
        phonenumbers.PhoneNumberType.SHARED_COST,
        phonenumbers.PhoneNumberType.UAN,
    }
)


def _is_service(number: phonenumbers.PhoneNumber) -> bool:
    return phonenumbers.number_type(number) in _SERVICE_TYPES


# An IPv4 address, which the matcher can read as a number.
_IP_ADDRESS = regex.compile(r"\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?")


def _written_as_phone(text: str, match: phonenumbers.PhoneNumberMatch) -> bool:
    """Whether the match is written as people write phone numbers: not an IP address, not decimals (one
    dot, or dots among spaces: "19403.375319", "248.65 155.18"), and not glued to a minus, '=', a dot or
    a word before it (a negative number, a value in code, a version)."""
    raw = match.raw_string
    if _IP_ADDRESS.fullmatch(raw) or raw.count(".") == 1 or ("." in raw and " " in raw.strip()):
        return False
    before = text[match.start - 1 : match.start]
    return not (before in ("-", "=", "−", ".") or before.isalnum() or before == "_")


def _string_literal(text: str, start: int, end: int) -> bool:
    """An address between straight double quotes is a string in source code ('email = "a@b.com"')."""
    return text[start - 1 : start] == '"' and text[end : end + 1] == '"'


# Characters that prose rarely has and code, markup and command lines are full of ('_' of snake_case).
_CODE_CHARACTERS = frozenset("{}[]<>=;$\\|^*_")


def _in_code(text: str, match: PrivateMatch) -> bool:
    """Whether the match stands among code: three or more of ``_CODE_CHARACTERS`` within 30 characters
    either side of it. A number in a query, a trace or an SVG path is no one's data."""
    around = text[max(0, match.start - 30) : match.start] + text[match.end : match.end + 30]
    return sum(ch in _CODE_CHARACTERS for ch in around) >= 3


# The digits of a phone number stand together, parted by spaces, dots, dashes, slashes, brackets or an 'x'
# (what libphonenumber's matcher lists as punctuation between them), never by another letter, a comma or '%'.
_DIGIT_RUN = regex.compile(r"\d(?:(?:[^\p{L}\d,;:!?\"'%$&*+=<>@#_|]|[xX])*\d)*")


def _longest_digit_run(text: str) -> int:
    """The most digits in one run of them (see ``_DIGIT_RUN``); 0 for text without a digit."""
    return max((len(_DIGIT.findall(run)) for run in _DIGIT_RUN.findall(text)), default=0)


def _phone_numbers(text: str, region: str, longest_run: int | None = None) -> list[str]:
    """The valid phone numbers in ``text`` as written."""
    return [match.raw_string for match in _phone_matches(text, region, longest_run)]


def _phone_matches(
    text: str, region: str, longest_run: int | None = None
) -> list[phonenumbers.PhoneNumberMatch]:
    """libphonenumber's valid numbers in ``text``. The matcher is the costly part of reading a post, and
    news is full of digits (years, scores, prices) too few to make any valid number: those it never sees."""
    if longest_run is None:
        longest_run = _longest_digit_run(text)
    if longest_run < _fewest_phone_digits(region):
        return []
    return list(phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID))


@lru_cache(maxsize=64)
def _fewest_phone_digits(region: str) -> int:
    """The fewest digits of a valid number read in ``region``'s text: its own shortest national number, or
    the shortest number of any country with its country code (from libphonenumber's metadata)."""
    metadata = phonenumbers.PhoneMetadata
    countries = [(phonenumbers.country_code_for_region(r), metadata.metadata_for_region(r))
                 for r in phonenumbers.SUPPORTED_REGIONS]  # fmt: skip
    countries += [(code, metadata.metadata_for_nongeo_region(code))
                  for code in phonenumbers.COUNTRY_CODES_FOR_NON_GEO_REGIONS]  # fmt: skip
    written_with_code = min(len(str(code)) + _shortest(data) for code, data in countries if data is not None)
    own = metadata.metadata_for_region(region)
    return min(written_with_code, _shortest(own)) if own is not None else written_with_code


# Every kind of number libphonenumber's metadata describes (the general one covers them all, as a rule).
_NUMBER_KINDS = (
    "general_desc", "fixed_line", "mobile", "toll_free", "premium_rate", "shared_cost", "personal_number",
    "voip", "pager", "uan", "voicemail",
)  # fmt: skip


def _shortest(metadata: Any) -> int:
    """The shortest national number of any kind the metadata describes."""
    descs = [getattr(metadata, kind, None) for kind in _NUMBER_KINDS]
    return min((n for desc in descs if desc is not None for n in desc.possible_length if n > 0), default=99)
