"""Whose data a match is: a person's private data (BW801), or something public that only looks like it.

A card number or a social security number is always someone's. The rest depends on what the text says
around it, read in the words just before and after the match:

- a phone number is a person's unless it is a number no person holds (toll-free, premium rate, shared
  cost), or the text gives it as an organisation's or the writer's own ("call our newsroom on", "Inc.",
  "the box office", "call me on");
- an e-mail address is a person's unless its mailbox is a role (``tips@``, ``press@``, ``info@``) or a
  placeholder (``firstname@``), or the text gives it as the writer's or publisher's own ("email me at",
  "contact us at", "my new address"), as an illustration ("for example", "looks like") or as an OpenPGP
  key's address, which is published on purpose;
- a street address is a place (a listing for sale, a business, a venue, the scene of a news story)
  unless the text ties it to a person ("lives at", "his home", "the owner", "Jane Doe, 42, of", "Jane
  Doe, 12 Oak Street"), names a flat, or gives a person's phone number or e-mail beside it. A number
  right after a brand ("Commodore 1541 Disk Drive") is a model number, not a house number.

Words about a person (a neighbour, the owner, his or her, lives at) outweigh those about an organisation.
"""

from __future__ import annotations

import regex

from botwarden.privacy.found import PrivateMatch, find_data

_WORD = regex.compile(r"[\p{L}\p{N}]+(?:['’][\p{L}]+)?|\$")
_BEFORE = 10  # words read before a match
_AFTER = 5  # and after it

_PERSON = frozenset(
    {"his", "her", "their", "him", "owner", "owners", "neighbour", "neighbor", "neighbours", "neighbors"}
    | {"neighbour's", "neighbor's", "ex", "wife", "husband", "girlfriend", "boyfriend", "mom", "mum"}
    | {"dad", "mother", "father", "son", "daughter", "sister", "brother", "grandma", "grandmother"}
    | {"grandfather", "kid", "kids", "child", "children", "teen", "teenager", "student", "pupil"}
    | {"tenant", "tenants", "landlord", "victim", "victims", "suspect", "suspects", "accused"}
    | {"defendant", "classmate", "lives", "live", "living", "lived", "resides", "reside", "resided"}
    | {"residing", "personal", "private", "cellphone", "reached", "home"}
)
_CONTACT_NOUNS = frozenset({"number", "phone", "address", "email", "mobile", "cell", "home"})
# "Jane's number": a name's possessive before contact words. These are not names.
_NOT_NAMES = frozenset(
    {"it's", "that's", "here's", "what's", "there's", "let's", "he's", "she's", "who's", "today's"}
    | {"company's", "city's", "council's", "paper's", "site's", "museum's", "store's", "shop's"}
)
_OWN = frozenset(
    {"me", "my", "mine", "myself", "i", "i'm", "i've", "i'd", "us", "our", "ours", "ourselves", "we"}
    | {"we're", "we've", "we'd"}
)
_ORGANISATION = frozenset(
    {"contact", "tips", "tip", "tipline", "newsroom", "newsdesk", "desk", "press", "media", "enquiries"}
    | {"enquiry", "inquiries", "inquiry", "info", "information", "feedback", "letters", "editor"}
    | {"editors", "editorial", "reporter", "reporters", "journalist", "correspondent", "columnist"}
    | {"producer", "author", "writer", "readers", "support", "customer", "customers", "service"}
    | {"services", "helpline", "hotline", "help", "line", "office", "offices", "reception", "booking"}
    | {"bookings", "reservations", "reservation", "tickets", "ticket", "sales", "team", "department"}
    | {"dept", "company", "inc", "ltd", "llc", "corp", "corporation", "gmbh", "plc", "limited"}
    | {"university", "college", "school", "council", "police", "detective", "officer", "sheriff"}
    | {"hospital", "clinic", "museum", "library", "church", "restaurant", "cafe", "café", "pub", "shop"}
    | {"store", "hotel", "gallery", "theatre", "theater", "venue", "club", "society", "association"}
    | {"foundation", "charity", "trust", "agency", "embassy", "consulate", "ministry", "government"}
    | {"campaign", "agent", "realtor", "broker", "listing", "crimestoppers", "anyone", "emergency"}
    | {"copyright", "publisher", "newsletter", "advertise", "advertising", "sponsor", "official"}
    | {"headquarters", "hq", "studio", "firm", "donate", "donations", "donation", "fund", "appeal"}
    | {"systems", "labs", "group", "twx", "fax", "telex", "apply", "job", "jobs", "cv", "resume"}
    | {"application", "applications", "hiring", "vacancy"}
)
_ILLUSTRATION = frozenset({"example", "instance", "placeholder", "sample", "format", "eg", "like"})
_PUBLISHED_KEYS = frozenset({"gpg", "pgp", "openpgp", "key", "keys", "certificate", "fingerprint", "wkd"})
_LISTING = frozenset(
    {"$", "price", "priced", "asking", "listed", "listing", "sale", "sold", "property", "properties"}
    | {"estate", "acres", "acre", "sq", "sqft", "bedroom", "bedrooms", "bath", "baths", "bathroom"}
    | {"bathrooms", "historic", "circa", "victorian", "colonial", "mls", "realtor", "realty", "residence"}
)
_ROLE_MAILBOXES = frozenset(
    {"tips", "tip", "news", "newsdesk", "newsroom", "desk", "editor", "editors", "editorial", "letters"}
    | {"info", "information", "contact", "contacts", "hello", "hi", "support", "help", "helpdesk"}
    | {"service", "customerservice", "care", "press", "media", "pr", "comms", "communications", "sales"}
    | {"marketing", "admin", "administrator", "webmaster", "postmaster", "hostmaster", "abuse"}
    | {"security", "privacy", "legal", "dpo", "gdpr", "compliance", "office", "enquiries", "enquiry"}
    | {"inquiries", "inquiry", "team", "jobs", "careers", "hr", "recruiting", "billing", "accounts"}
    | {"finance", "orders", "bookings", "booking", "reservations", "events", "tickets", "feedback"}
    | {"submissions", "pitches", "pitch", "stories", "corrections", "readers", "subscriptions"}
    | {"newsletter", "noreply", "no-reply", "donotreply", "general", "reception", "studio", "shop"}
    | {"store", "partners", "partnerships", "sponsorship", "ads", "advertising", "membership"}
    | {"members", "community", "developers", "api", "bugs", "reports", "mail", "email", "editors"}
)
_PLACEHOLDERS = frozenset(
    {"firstname", "lastname", "first", "name", "yourname", "your", "you", "user", "username", "someone"}
    | {"somebody", "foo", "bar", "foobar", "example", "test", "address", "email", "me", "first.last"}
)
# Words before a number that make it an address's house number, not a model number after a brand.
_BEFORE_ADDRESS = frozenset(
    {"at", "on", "in", "to", "from", "near", "visit", "welcome", "via", "into", "onto", "opposite"}
    | {"behind", "outside", "inside", "beside", "off", "by", "of", "and", "or", "the", "is", "was", "see"}
    | {"find", "call", "meet", "join", "address", "home", "lives", "live", "located", "moved", "is:"}
)


def find_private_data(text: str, region: str = "US") -> list[PrivateMatch]:
    """The private data of a person in ``text`` (see the module's docstring for what is not)."""
    found = find_data(text, region)
    if not found:
        return []
    personal = [m for m in found if m.kind != "street_address" and _is_persons(text, m)]
    addresses = [
        m
        for m in found
        if m.kind == "street_address" and not _is_model_number(text, m) and _is_home(text, m, bool(personal))
    ]
    return sorted(personal + addresses, key=lambda m: m.start)


def _around(text: str, match: PrivateMatch) -> tuple[list[str], list[str]]:
    """The case-folded words just before and just after the match."""
    before = [
        w.casefold().replace("’", "'") for w in _WORD.findall(text, max(0, match.start - 120), match.start)
    ]
    after = [w.casefold().replace("’", "'") for w in _WORD.findall(text, match.end, match.end + 80)]
    return before[-_BEFORE:], after[:_AFTER]


def _is_persons(text: str, match: PrivateMatch) -> bool:
    if match.kind in ("card", "national_id"):
        return True
    if match.service:
        return False
    before, after = _around(text, match)
    words = set(before) | set(after)
    if _about_a_person(before, after):
        return True
    if match.kind == "email":
        local = match.text.split("@", 1)[0].casefold()
        mailbox = regex.split(r"[.+_-]", local, maxsplit=1)[0]
        if local in _PLACEHOLDERS or mailbox in _PLACEHOLDERS | _ROLE_MAILBOXES or local in _ROLE_MAILBOXES:
            return False
        return words.isdisjoint(_OWN | _ORGANISATION | _ILLUSTRATION | _PUBLISHED_KEYS)
    return words.isdisjoint(_OWN | _ORGANISATION)


def _about_a_person(before: list[str], after: list[str]) -> bool:
    words = before + after
    if not _PERSON.isdisjoint(words):
        return True
    return any(
        w.endswith("'s") and w not in _NOT_NAMES and not _CONTACT_NOUNS.isdisjoint(words[i + 1 : i + 3])
        for i, w in enumerate(words)
    )


def _is_home(text: str, match: PrivateMatch, beside_personal_data: bool) -> bool:
    """Whether a street address is where a person lives, rather than a place the public goes."""
    before, after = _around(text, match)
    if not _LISTING.isdisjoint(before + after):
        return False
    if regex.search(r"\b(?:Apt|Flat|Unit)\b", match.text) or _about_a_person(before, after):
        return True
    if before[-1:] == ["of"] and len(before) >= 2 and before[-2].isdigit():
        return True  # "Jane Doe, 42, of 12 Oak Street": a court report's way of naming a person's home
    return beside_personal_data or _after_a_name(text, match)


# A name and a comma right before the address: "Jane Doe, 12 Oak Street" (a middle initial allowed).
_NAME_BEFORE = regex.compile(r"\b(\p{Lu}\p{Ll}+)(?: \p{Lu}\.?)? (\p{Lu}\p{Ll}+(?:['’-]\p{Lu}?\p{Ll}+)?),\s*$")
# Words that make "Harbour Cafe" or "Main Library" a place, not a person.
_PLACE_WORDS = frozenset(
    {"cafe", "café", "restaurant", "hotel", "museum", "church", "bar", "pub", "shop", "store", "gallery"}
    | {"theatre", "theater", "school", "library", "hall", "house", "centre", "center", "market", "inc"}
    | {"ltd", "co", "company", "office", "bank", "studio", "club", "park", "station", "hospital", "clinic"}
    | {"college", "university", "council", "books", "bakery", "kitchen", "arms", "inn", "tavern", "works"}
    | {"motors", "garage", "farm", "gardens", "chapel", "cathedral", "arena", "stadium", "lodge", "the"}
    | {"welcome", "visit", "meet", "find", "join", "located", "venue"}
)


def _after_a_name(text: str, match: PrivateMatch) -> bool:
    named = _NAME_BEFORE.search(text, max(0, match.start - 60), match.start)
    return named is not None and {w.casefold() for w in named.groups()}.isdisjoint(_PLACE_WORDS)


def _is_model_number(text: str, match: PrivateMatch) -> bool:
    """A number right after a capitalised word inside a sentence ("the Commodore 1541 Disk Drive") is a
    product's model number, not a house number."""
    before = text[max(0, match.start - 40) : match.start]
    word = regex.search(r"(\S+) $", before)
    if word is None:
        return False
    brand = word.group(1)
    if not brand[-1:].isalnum():
        return False  # "Jane Doe, 12 Oak Street": a comma parts the name from the address
    preceding = before[: word.start()].rstrip()
    inside_sentence = bool(preceding) and preceding[-1] not in ".!?:;\n\"'“([-–—"
    return brand[:1].isupper() and brand.casefold() not in _BEFORE_ADDRESS and inside_sentence
