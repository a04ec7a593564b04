"""Finding a person's private data in text, and requests for it (BW801, BW503, BW504).

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

from botwarden.language.tokens import words_of

_EMAIL = regex.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}\b")
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

    @property
    def masked(self) -> str:
        """The match with most of it hidden, for evidence that does not repeat the private data."""
        keep = 2 if len(self.text) > 6 else 1
        return self.text[:keep] + "…" + self.text[-keep:]


def find_private_data(text: str, region: str = "US") -> list[PrivateMatch]:
    """Private data in ``text``: phone numbers (international, or national for ``region``), e-mail
    addresses, checksum-valid card numbers and IBANs, US social security numbers and street addresses."""
    body = _URL.sub(" ", text)  # a URL's digits and @ are not a person's data
    found: list[PrivateMatch] = []
    if "@" in body:
        found += [PrivateMatch("email", m.group()) for m in _EMAIL.finditer(body)]
    longest = _longest_digit_run(body)
    if not longest:  # everything below needs a digit; most posts have none
        return found
    if longest >= 13:  # a card number's digits stand together, as a phone number's do
        for m in _CARD.finditer(body):
            digits = regex.sub(r"\D", "", m.group())
            if 13 <= len(digits) <= 19 and luhn.is_valid(digits):
                found.append(PrivateMatch("card", m.group()))
    if _IBAN_START.search(body):
        found += [PrivateMatch("iban", m.group()) for m in _IBAN.finditer(body) if iban.is_valid(m.group())]
    if longest >= 9:
        found += [
            PrivateMatch("national_id", m.group()) for m in _SSN.finditer(body) if ssn.is_valid(m.group())
        ]
    taken = {m.text for m in found}
    found += [
        PrivateMatch("phone", raw)
        for raw in _phone_numbers(body, region, longest)
        if not any(raw in t for t in taken)
    ]
    found += [PrivateMatch("street_address", m.group()) for m in _STREET.finditer(body)]
    return found


# The digits of a phone number stand together, parted by spaces, dots, dashes, slashes, brackets or an 'x'
# (what libphonenumber's matcher lists as punctuation between them), never by another letter, a comma or '%'.
_DIGIT_RUN = regex.compile(r"\d(?:(?:[^\p{L}\d,;:!?\"'%$&*+=<>@#_|]|[xX])*\d)*")


def _longest_digit_run(text: str) -> int:
    """The most digits in one run of them (see ``_DIGIT_RUN``); 0 for text without a digit."""
    return max((len(_DIGIT.findall(run)) for run in _DIGIT_RUN.findall(text)), default=0)


def _phone_numbers(text: str, region: str, longest_run: int | None = None) -> list[str]:
    """The valid phone numbers in ``text`` as written. The matcher is the costly part of reading a post, and
    news is full of digits (years, scores, prices) too few to make any valid number: those it never sees."""
    if longest_run is None:
        longest_run = _longest_digit_run(text)
    if longest_run < _fewest_phone_digits(region):
        return []
    matcher = phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID)
    return [match.raw_string for match in matcher]


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


_ASK = r"(?:send|dm|message|tell|give|share|reply\s+with|post|provide|text|email|e-mail)"
_YOUR = r"(?:\s+(?:us|me|it))?\s+(?:your|ur|the)\s+(?:full\s+)?"
_PERSONAL = (
    r"(?:phone(?:\s+number)?|mobile(?:\s+number)?|number|e-?mail(?:\s+address)?|address|home\s+address|"
    r"date\s+of\s+birth|birthday|dob|order\s+number|account\s+(?:number|details)|full\s+name|location|"
    r"zip|postcode|post\s+code)"
)
_SENSITIVE = (
    r"(?:card(?:\s+(?:number|details))?|credit\s+card|debit\s+card|cvv|cvc|security\s+code|pin|password|"
    r"passcode|login|social\s+security(?:\s+number)?|ssn|passport(?:\s+number)?|national\s+insurance"
    r"(?:\s+number)?|id\s+number|bank\s+(?:details|account)|sort\s+code|iban|routing\s+number|"
    r"one-time\s+code|otp|verification\s+code)"
)
_ASK_PERSONAL = regex.compile(rf"\b{_ASK}{_YOUR}{_PERSONAL}\b", regex.IGNORECASE)
_ASK_SENSITIVE = regex.compile(
    rf"\b(?:{_ASK}|enter|confirm|verify|need|what(?:'s|\s+is))(?:\s+(?:us|me|it))?\s+(?:your|ur|the)\s+"
    rf"(?:full\s+)?{_SENSITIVE}\b",
    regex.IGNORECASE,
)


# Every ask above has one of these verbs, one of these words and one of the subjects below, each a whole
# word of the text: most posts lack one, and the text's word set says so at once (its words are shared with
# other rules).
_ASK_VERBS = frozenset(
    {"send", "dm", "message", "tell", "give", "share", "reply", "post", "provide", "text", "email", "mail"}
    | {"enter", "confirm", "verify", "need", "what"}
)
_ASK_OBJECTS = frozenset({"your", "ur", "the"})
# ... and one of these, a word every kind of data asked for holds ("date of birth": "date"; "e-mail": "mail").
_ASK_SUBJECTS = frozenset(
    {"phone", "mobile", "number", "email", "mail", "address", "date", "birthday", "dob", "order", "account"}
    | {"name", "location", "zip", "postcode", "code", "card", "cvv", "cvc", "pin", "password", "passcode"}
    | {"login", "social", "ssn", "passport", "national", "id", "bank", "iban", "otp"}
)


def _may_ask(text: str) -> bool:
    words = words_of(text)
    return not (
        words.isdisjoint(_ASK_OBJECTS) or words.isdisjoint(_ASK_VERBS) or words.isdisjoint(_ASK_SUBJECTS)
    )


def asks_for_private_info(text: str) -> str | None:
    """The phrase asking users to send personal or private data, if there is one."""
    if not _may_ask(text):
        return None
    found = _ASK_SENSITIVE.search(text) or _ASK_PERSONAL.search(text)
    return found.group() if found else None


def asks_for_sensitive_info(text: str) -> str | None:
    """The phrase asking for particularly sensitive data (card, password, ID, bank details), if any."""
    if not _may_ask(text):
        return None
    found = _ASK_SENSITIVE.search(text)
    return found.group() if found else None
