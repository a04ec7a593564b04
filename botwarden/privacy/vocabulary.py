"""The names people give private data when they ask for it.

Each phrase is a tuple of words as ``reading`` reads them (case-folded; a hyphen inside a word parts it,
so "e-mail" is ``e mail`` and "one-time" is ``one time``) naming one kind of data. Personal data (a phone
number, a date of birth, a home address, an e-mail address, an order number) must not be asked for in
public; particularly sensitive data (card and bank details, passwords and codes, government ID numbers)
belongs on the operator's website even in a direct message.
"""

from __future__ import annotations

from dataclasses import dataclass

from botwarden.language.tokens import words_of


@dataclass(frozen=True, slots=True)
class DataKind:
    name: str  # what a finding calls it
    sensitive: bool
    #: Whether the words name the reader's own data only with 'your' before them: "your
    #: address" is the reader's, "the address" of a venue is not; "the card number" is always private.
    needs_owner: bool = False


PHONE = DataKind("phone number", False)
BIRTH = DataKind("date of birth", False)
ADDRESS = DataKind("home address", False)
EMAIL = DataKind("e-mail address", False)
ORDER = DataKind("order or account details", False)
CARD = DataKind("card details", True)
BANK = DataKind("bank details", True)
SECRET = DataKind("password or code", True)
#: How a code reaches the reader ("the code we texted you").
CODE_SENT = ("sent", "texted", "emailed", "messaged", "gave")
GOVERNMENT_ID = DataKind("ID number", True)


def _owned(kind: DataKind) -> DataKind:
    return DataKind(kind.name, kind.sensitive, needs_owner=True)


def _phrases(kind: DataKind, *phrases: str) -> dict[tuple[str, ...], DataKind]:
    return {tuple(phrase.split()): kind for phrase in phrases}


# "your number", "your mobile": a phone number when they are the reader's; "the number" is anything.
_OWNED_PHONE = _owned(PHONE)
_OWNED_ADDRESS = _owned(ADDRESS)
_OWNED_EMAIL = _owned(EMAIL)
_OWNED_BIRTH = _owned(BIRTH)
_OWNED_ID = _owned(GOVERNMENT_ID)
_OWNED_SECRET = _owned(SECRET)
_OWNED_CARD = _owned(CARD)  # "the last four digits of your card"

DATA_PHRASES: dict[tuple[str, ...], DataKind | None] = {
    **_phrases(
        PHONE,
        "phone number",
        "phone no",
        "phone num",
        "phone nr",
        "telephone number",
        "tel number",
        "mobile number",
        "mobile phone number",
        "mobile no",
        "cell number",
        "cell phone number",
        "cellphone number",
        "contact number",
        "whatsapp number",
        "home phone",
        "home number",
        "phone numbers",
    ),
    **_phrases(_OWNED_PHONE, "number", "mobile", "cell", "digits"),
    **_phrases(BIRTH, "date of birth", "dateofbirth", "dob", "birth date", "birthdate", "dates of birth"),
    **_phrases(_OWNED_BIRTH, "birthday", "bday", "b day"),
    **_phrases(
        ADDRESS,
        "home address",
        "street address",
        "postal address",
        "mailing address",
        "residential address",
        "delivery address",
        "shipping address",
        "billing address",
        "physical address",
        "house address",
    ),
    **_phrases(_OWNED_ADDRESS, "address", "addy"),
    **_phrases(EMAIL, "email address", "e mail address", "mail address", "email id", "emails", "e mails"),
    **_phrases(_OWNED_EMAIL, "email", "e mail"),
    **_phrases(ORDER, "order number", "order no", "account details", "customer number", "member number"),
    **_phrases(
        CARD,
        "card number",
        "card no",
        "card details",
        "card detail",
        "card info",
        "card information",
        "card digits",
        "card data",
        "credit card",
        "debit card",
        "bank card",
        "payment card",
        "credit card number",
        "debit card number",
        "bank card number",
        "payment details",
        "payment info",
        "cvv",
        "cvc",
        "cvv2",
        "cvc2",
        "card security code",
        "security code",
        "expiry date",
        "expiration date",
        "expiry",
        "long number",
        "16 digit number",
        "16 digits",
        "three digits",
        "3 digits",
        "card's",
        "credit card's",
        "debit card's",
        "bank card's",
        "card pin",
    ),
    **_phrases(
        BANK,
        "bank details",
        "bank account",
        "bank account number",
        "bank info",
        "bank information",
        "banking details",
        "online banking",
        "account number",
        "sort code",
        "routing number",
        "iban",
        "bsb",
        "bank login",
    ),
    **_phrases(
        SECRET,
        "pin",
        "pin code",
        "pin number",
        "password",
        "passwords",
        "passcode",
        "passphrase",
        "login details",
        "login info",
        "log in details",
        "login credentials",
        "credentials",
        "one time code",
        "one time password",
        "one time passcode",
        "otp",
        "verification code",
        "authentication code",
        "auth code",
        "2fa code",
        "two factor code",
        "access code",
        "recovery code",
        "recovery codes",
        "recovery phrase",
        "seed phrase",
        "secret phrase",
        "private key",
        "security question",
        "security answer",
        "security questions",
        "mother's maiden name",
        "maiden name",
    ),
    # "the code we (just) sent you": the words in between are read by ``asks``; these name what must be in
    # the text for it to say so.
    **_phrases(SECRET, *(f"code {who} {sent}" for who in ("we", "i") for sent in CODE_SENT)),
    **_phrases(_OWNED_SECRET, "login", "pins", "pw", "pwd"),
    **_phrases(_OWNED_CARD, "card", "cards"),
    **_phrases(
        GOVERNMENT_ID,
        "ssn",
        "social security number",
        "social security no",
        "social security",
        "social insurance number",
        "national insurance number",
        "ni number",
        "national id",
        "national id number",
        "id number",
        "identity number",
        "passport number",
        "passport details",
        "passport photo",
        "passport",
        "driver's license",
        "drivers license",
        "driver's licence",
        "drivers licence",
        "driving licence",
        "driving license",
        "license number",
        "licence number",
        "tax id",
        "tax number",
        "tax file number",
        "medicare number",
        "nhs number",
        "health card number",
        "aadhaar",
        "aadhaar number",
        "nric",
        "photo id",
        "government id",
        "id card",
        "identity card",
        "id document",
    ),
    **_phrases(_OWNED_ID, "id", "ids"),
    # Words that look like the ones above and name nothing private: they stop a shorter phrase matching.
    **{
        tuple(phrase.split()): None
        for phrase in (
            "ip address",
            "web address",
            "website address",
            "wallet address",
            "bitcoin address",
            "btc address",
            "eth address",
            "crypto address",
            "mac address",
            "server address",
            "public address",
            "email newsletter",
            "e mail newsletter",
            "promo code",
            "discount code",
            "coupon code",
            "code snippet",
            "source code",
            "qr code",
            "referral code",
            "zip code",
            "post code",
            "area code",
            "dress code",
            "error code",
            "code of conduct",
            "phone case",
            "phone plan",
            "phone bill",
            "order confirmation",
        )
    },
}

#: Words that, right after a data phrase, show it was an adjective of something else ("your birthday
#: plans", "your password manager", "your address book"): no data is asked for.
NOT_DATA_AFTER = frozenset(
    {"party", "parties", "plans", "plan", "wishes", "cake", "gift", "gifts", "present", "presents", "song"}
    | {"celebration", "message", "messages", "list", "lists", "book", "books", "app", "apps", "case"}
    | {"screen", "bill", "bills", "provider", "carrier", "settings", "manager", "managers", "tips", "policy"}
    | {"reset", "strength", "protection", "security", "habits", "story", "stories", "photos", "photo"}
    | {"pics", "video", "videos", "memories", "ideas", "thoughts", "questions", "feedback", "experience"}
    | {"inbox", "signature", "client", "newsletter", "subscribers", "marketing", "campaign", "spam"}
    | {"holder", "reader", "readers", "skimmer", "fraud", "scam", "scams", "debt", "limit", "rewards"}
    | {"offer", "offers", "deals", "design", "games", "game", "rate", "rates", "fees", "generator"}
    | {"change", "changes", "request", "requests", "form", "forms", "label", "labels", "format", "field"}
    | {"fields", "worth", "lookup", "search"}
)

#: Words that follow a data phrase and belong to it ("card number", "bank account details").
DATA_TAILS = frozenset(
    {"number", "numbers", "no", "num", "nr", "details", "detail", "info", "information", "data", "digits"}
)

#: The words (as ``words_of`` finds them) of the last word of each phrase above, and 'mail' of "e-mail": a
#: text without one of them asks for no data.
DATA_WORDS = frozenset(
    word
    for phrase, kind in DATA_PHRASES.items()
    if kind is not None
    for word in words_of(phrase[-1])
    if word != "s"  # of "card's", whose "card" is here
) | frozenset({"mail"})
