"""Requests for private data, in whatever words and order they come (BW503, BW504).

A request is a sentence that asks the reader to hand over data named in ``vocabulary``, in one of the
shapes people write requests in:

- an order: "Tweet us your phone number and date of birth", "Please reply with your card number",
  "Drop your DOB below", "Let us know your address" (the verb starts its clause);
- a question: "What's your date of birth?", "Could you send your bank details?", "May we have your
  address?", "Mind sharing your e-mail?";
- a need: "We'll need your passport number", "All I need is your PIN", "Need your address to ship it";
- the data first: "Your phone number and DOB, please", "Card number below 👇", "Your card number and
  home address: reply with them here";
- a requirement: "Your date of birth is required", "Entries must include your phone number".

What is not a request: advice and warnings ("Never share your PIN", "Banks will not ask for your
password", any text about scams or phishing), instructions and descriptions ("How to change your
password", "The app lets you share your number"), quoted speech, headlines in title case, and data named
as something else ("your birthday plans", "your password manager", "the address of the venue").

Where the data should go matters: X's rules ask that personal data be requested by direct message or
another private channel rather than in public, and particularly sensitive data on the operator's own site.
So each request carries its channel: ``public`` (a reply, a comment, a tweet, or nothing said),
``private`` (a direct message, e-mail, text) or ``website`` (a link, a form, a secure page).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from botwarden.language.tokens import words_of
from botwarden.privacy.reading import Sentence, is_word, sentences, spans
from botwarden.privacy.vocabulary import (
    CODE_SENT,
    DATA_PHRASES,
    DATA_TAILS,
    DATA_WORDS,
    NOT_DATA_AFTER,
    SECRET,
    DataKind,
)


@dataclass(frozen=True, slots=True)
class Ask:
    """One request for private data: the words asking, what they ask for, and where it should go."""

    phrase: str
    kinds: tuple[str, ...]
    sensitive: bool  # whether any of it is particularly sensitive (card, bank, password, ID)
    personal: bool  # whether any of it is personal data that is not particularly sensitive
    channel: str  # public, private or website


def asks_in(text: str, *, in_message: bool = False) -> list[Ask]:
    """Every request for private data in ``text``. ``in_message``: the text is a direct message, so an
    order to type or enter data means typing it into the conversation."""
    if not _may_ask(text) or not _REPORTED.isdisjoint(words_of(text)):
        return []
    return _read(text, in_message)


def _read(text: str, in_message: bool) -> list[Ask]:
    """The requests in ``text``, read sentence by sentence (what ``asks_in`` does past its quick look)."""
    found = [
        (sentence, head, refs)
        for sentence in sentences(text)
        for head, refs in _requests(sentence, in_message)
    ]
    if not found:
        return []
    where = spans(text)
    cues = _channel_cues(text)
    return [_ask(text, where, sentence, head, refs, cues, in_message) for sentence, head, refs in found]


# -- what a request looks like -----------------------------------------------------------------------

_HAND_OVER = frozenset(
    {"send", "tweet", "reply", "respond", "answer", "comment", "post", "drop", "leave", "share", "tell"}
    | {"give", "provide", "dm", "pm", "message", "text", "email", "mail", "whatsapp", "include", "list"}
    | {"put", "attach", "upload", "forward", "shoot", "hand"}
)
# Verbs of filling in a form: a request to send the data here only where the text says here (or in a
# direct message, where typing it means typing it into the conversation).
_FORM = frozenset(
    {"submit", "enter", "type", "fill", "confirm", "verify", "add", "paste", "input", "update", "write"}
)
_VERBS = _HAND_OVER | _FORM
_GERUNDS = {
    "sending": "send", "tweeting": "tweet", "replying": "reply", "responding": "respond",
    "answering": "answer", "commenting": "comment", "posting": "post", "dropping": "drop",
    "leaving": "leave", "sharing": "share", "telling": "tell", "giving": "give", "providing": "provide",
    "dming": "dm", "pming": "pm", "messaging": "message", "texting": "text", "emailing": "email",
    "including": "include", "listing": "list", "writing": "write", "attaching": "attach",
    "uploading": "upload", "forwarding": "forward", "submitting": "submit", "entering": "enter",
    "typing": "type", "confirming": "confirm", "verifying": "verify", "pasting": "paste",
}  # fmt: skip
_REPLY_VERBS = frozenset({"reply", "respond", "comment", "answer"})
_PUBLIC_VERBS = frozenset({"tweet", "reply", "respond", "comment", "post", "drop", "leave", "answer"})
_PRIVATE_VERBS = frozenset({"dm", "pm", "message", "text", "email", "mail", "whatsapp"})

# Words an order may open with before its verb ("Please just send…", "OK folks, reply…").
_OPENERS = frozenset(
    {"please", "pls", "plz", "kindly", "just", "simply", "now", "quickly", "also", "first", "then", "and"}
    | {"or", "so", "go", "ahead", "quick", "plus", "do", "hey", "hi", "hello", "ok", "okay", "yes", "yo"}
    | {"folks", "everyone", "guys", "friends", "all", "ps", "&", "+", "e"}  # "e" of "e-mail us"
)
_JOINING_WORDS = frozenset({"and", "then", "&", "+", "plus"})
_PLEASE = frozenset({"please", "pls", "plz", "kindly"})
_ORDERS_TO = frozenset({"forget", "remember", "sure", "free", "hesitate"})
_NEGATIONS = frozenset(
    {"never", "not", "don't", "dont", "won't", "wont", "cannot", "can't", "cant", "shouldn't", "no"}
    | {"shouldnt", "nobody", "without", "avoid", "stop", "refuse", "beware", "careful", "mustn't", "nor"}
    | {"instead", "neither"}
)
# "Don't forget to send…" is an order all the same.
_NOT_NEGATING = frozenset({"forget", "hesitate", "wait", "miss", "delay", "worry"})
_SUBJECTS = frozenset({"we", "i", "we'll", "i'll", "we'd", "i'd", "we're", "i'm", "we've", "i've"})
_AUXILIARIES = frozenset(
    {"will", "would", "do", "also", "just", "still", "first", "only", "then", "really", "definitely"}
    | {"may", "might", "are", "am", "currently", "now", "urgently", "kindly", "'ll", "'d", "shall"}
)
_NEEDS = frozenset({"need", "needs", "require", "requires", "want", "wants", "request", "requesting"})
_NEED_TO = frozenset({"have", "get", "see", "know", "verify", "confirm", "check", "collect", "take"})
_MODALS = frozenset({"can", "could", "would", "will", "won't", "wont"})
_MAY_WE_VERBS = frozenset({"have", "get", "grab", "see", "know"})
_MUST = frozenset({"must", "should"})
_YOU = frozenset({"you", "u", "ya", "y'all"})
_WHAT = frozenset({"what's", "whats", "what're"})
_POSSESSIVES = frozenset({"your", "ur", "yr", "ya", "yer", "thy"})
_DETERMINERS = frozenset({"the", "a", "an", "this", "that", "these", "those", "his", "her", "their", "my"})
_PRONOUNS = frozenset({"them", "it", "both", "all"})
_PLACES = frozenset({"please", "pls", "plz", "below", "here", "replies", "comments", "asap", "👇", "⬇", "↓"})
_REQUIRED = frozenset({"required", "needed", "mandatory"})
# Words that may stand among the data named ("your first and last name, age and phone number").
_FILLERS = frozenset(
    {"us", "me", "with", "in", "on", "below", "here", "via", "by", "over", "to", "for", "of", "and", "or"}
    | {"plus", "as", "well", "also", "along", "just", "quickly", "asap", "now", "please", "pls", "plz"}
    | {"kindly", "full", "complete", "entire", "whole", "exact", "correct", "real", "legal", "current"}
    | {"registered", "personal", "private", "own", "valid", "first", "last", "middle", "name", "names"}
    | {"surname", "age", "gender", "city", "country", "occupation", "job", "employer", "location", "zip"}
    | {"postcode", "contact", "photo", "picture", "pic", "scan", "copy", "screenshot", "image", "front"}
    | {"back", "sides", "side", "tweet", "post", "thread", "message", "dm", "dms", "comment", "comments"}
    | {"replies", "reply", "chat", "inbox", "section", "box", "digit", "digits", "in", "out", "up"}
    | {"quick", "again", "too", "together", "then", "both", "long", "new", "old", "primary", "main"}
)
_JOINING_MARKS = frozenset(
    {",", "&", "+", "/", ":", "-", "–", "—", "(", ")", "'", "*", "•", "👇", "⬇", "↓", "\ufe0f"}
)
_SENDERS = frozenset({"we", "i", "we've", "i've", "we'd", "i'd"})
_QUOTES = frozenset({'"', "“", "”", "«", "»"})
_CODE_MARKS = frozenset({"{", "}", "=", "<", ">"})
_COUNT = re.compile(r"\d+|one|two|three|four|five|six|seven|eight|nine|ten")  # "6-digit", "last four"
# Words before the reader's data that make it where something goes ("put it on your phone", "sent to your
# email"), not what is handed over.
_LOCATIVES = frozenset({"on", "onto", "into", "at", "from", "to", "inside", "under", "in"})


# -- the quick look --------------------------------------------------------------------------------------

# Every request names data and has a word that can open one (a verb of handing over, a question or need
# word, a word saying where data should go) or a '?' or arrow after the data. Data is named with 'your'
# before it or by a phrase whose words are all in the text. Most posts fail one of these, and the text's
# word set (shared with other rules) says so at once.
_OPENING_WORDS = frozenset(
    word
    for vocabulary in (_VERBS, _GERUNDS, _WHAT, _NEEDS, _MAY_WE_VERBS, _PLACES, _REQUIRED, _MUST)
    for entry in vocabulary
    for word in words_of(entry)
) | frozenset({"what", "let", "ask", "asking"})
# The words _object_start looks at, as read (a quick skip past every other word).
_HEADS = frozenset(
    {*_VERBS, *_GERUNDS, *_WHAT, *_NEEDS, *_MAY_WE_VERBS, *_MUST, "what", "let", "ask", "asking"}
)
# The words a sentence must hold to name any data: a possessive, or the first word of a data phrase.
_NAMING_WORDS = frozenset({*_POSSESSIVES, *(phrase[0] for phrase in DATA_PHRASES)})
_OPENING_MARKS = ("?", *(place for place in _PLACES if not place.isalpha()))


def _file_bare_phrases() -> dict[str, list[frozenset[str]]]:
    """The words of each phrase that names data without 'your', filed under its longest word."""
    filed: dict[str, list[frozenset[str]]] = {}
    for phrase, kind in DATA_PHRASES.items():
        if kind is not None and not kind.needs_owner:
            words = words_of(" ".join(phrase))
            filed.setdefault(max(sorted(words), key=len), []).append(words)
    return filed


_BARE_PHRASES = _file_bare_phrases()
_BARE_KEYS = frozenset(_BARE_PHRASES)
_POSSESSIVE_WORDS = frozenset(word for entry in _POSSESSIVES for word in words_of(entry))
# Words naming the scam or fraud a text reports: a warning, not a request.
_REPORTED = frozenset(
    {"scam", "scams", "scammer", "scammers", "scammed", "fraud", "frauds", "fraudster", "fraudsters"}
    | {"fraudulent", "phishing", "phish", "phishers", "smishing", "vishing", "fake", "bogus", "spoof"}
    | {"spoofed", "spoofing", "impersonate", "impersonating", "impersonator", "impersonators", "swindle"}
    | {"impersonation", "criminals", "hackers", "hacker", "swindlers", "conned", "scamming"}
)


def _may_ask(text: str) -> bool:
    words = words_of(text)
    if words.isdisjoint(DATA_WORDS) and "d.o.b" not in text.lower():
        return False
    if words.isdisjoint(_OPENING_WORDS) and not any(mark in text for mark in _OPENING_MARKS):
        return False
    return not words.isdisjoint(_POSSESSIVE_WORDS) or _names_bare_data(words) or "d.o.b" in text.lower()


def _names_bare_data(words: frozenset[str]) -> bool:
    return any(needed <= words for key in _BARE_KEYS & words for needed in _BARE_PHRASES[key])


@dataclass(frozen=True, slots=True)
class _Ref:
    kind: DataKind
    start: int  # token index in its sentence
    end: int  # token index past it


def _requests(sentence: Sentence, in_message: bool) -> list[tuple[int, list[_Ref]]]:
    """(index of the token that opens the request, the data it asks for) for each request."""
    norms = sentence.norms
    if _NAMING_WORDS.isdisjoint(norms):
        return []  # no data is named in it
    asked = norms[-1] == "?"
    found = []
    for i, norm in enumerate(norms):
        if norm not in _HEADS:
            continue
        start = _object_start(norms, i, in_message, asked)
        if start is None or _negated(norms, i) or _quoted(norms, i) or "how" in norms[:i]:
            continue
        if start < len(norms) and sentence.shout(start) and norm in _VERBS:
            start += 1  # "Reply YES with your…": the keyword, then the data
        refs, pronoun, end = _object(sentence, start)
        if not refs and pronoun:
            refs = _named_before(sentence, i)
        if _is_question(norms, i) and end < len(norms) - 1:
            continue  # "What's your phone number worth?" asks about it, not for it
        if refs:
            found.append((i, refs))
    if not found:
        opening = _data_first(sentence, asked)
        found = [opening] if opening is not None else []
    if found and (_is_headline(sentence) or not _CODE_MARKS.isdisjoint(norms)):
        return []  # a headline names a topic; braces, '=' and angle brackets are code, whose names are names
    return found


def _object_start(norms: list[str], i: int, in_message: bool, asked: bool) -> int | None:
    """Where the named data starts if the word at ``i`` opens a request for it, else None."""
    norm = norms[i]
    if norm in _VERBS:
        if _starts_clause(norms, i) or _after_modal_you(norms, i) or _after_mind(norms, i):
            return _after_verb(norms, i, in_message)
        return i + 1 if norm in _REPLY_VERBS and _after_if_you(norms, i) else None
    base = _GERUNDS.get(norm)
    if base is not None:
        return _after_verb(norms, i, in_message, base) if i and norms[i - 1] in ("by", "mind") else None
    if norm in _WHAT or (norm == "what" and norms[i + 1 : i + 2] in (["is"], ["are"], ["'s"])):
        return (i + 1 if norm in _WHAT else i + 2) if asked else None
    if norm == "let" and norms[i + 1 : i + 3] in (["us", "know"], ["me", "know"], ["us", "have"]):
        return i + 3 if _starts_clause(norms, i) or _after_modal_you(norms, i) else None
    if norm in _NEEDS or (norm in ("ask", "asking") and "for" in norms[i + 1 : i + 3]):
        return _after_need(norms, i)
    if norm in _MAY_WE_VERBS and _after_may_we(norms, i):
        return i + 1
    if norm in _MUST and norms[i + 1 : i + 2] in (["include"], ["contain"], ["state"]):
        return i + 2 if i == 0 or norms[i - 1] not in _YOU else None
    return None


def _is_question(norms: list[str], i: int) -> bool:
    return norms[i] in _WHAT or norms[i] == "what"


def _after_verb(norms: list[str], i: int, in_message: bool, base: str | None = None) -> int | None:
    verb = base or norms[i]
    if verb in _FORM and not in_message and _PLACES.isdisjoint(norms[i + 1 :]):
        return None  # "Enter your e-mail to subscribe": a form on a site, not a reply here
    return i + 1


def _starts_clause(norms: list[str], i: int) -> bool:
    """Whether the word at ``i`` opens its clause, past any openers ("just", "OK folks,"), follows
    "please", joins another order ("RT and reply"), or follows "don't forget to", "be sure to"."""
    j = i - 1
    while j >= 0 and norms[j] in _OPENERS:
        if norms[j] in _JOINING_WORDS or norms[j] in _PLEASE:
            return True  # "…and reply", "…, to check the order please reply"
        j -= 1
    if j >= 1 and norms[j] == "to" and norms[j - 1] in _ORDERS_TO:
        return True
    return j < 0 or not is_word(norms[j])


def _after_modal_you(norms: list[str], i: int) -> bool:
    """ "Could you (please) send…", "Can u let us know…"."""
    j = i - 1
    while j >= 0 and norms[j] in _OPENERS:
        j -= 1
    return j >= 1 and norms[j] in _YOU and norms[j - 1] in _MODALS


def _after_if_you(norms: list[str], i: int) -> bool:
    """ "Unless you reply with…", "once you reply with…": the condition names what to send."""
    return i >= 2 and norms[i - 1] in _YOU and norms[i - 2] in ("if", "unless", "once", "when")


def _after_mind(norms: list[str], i: int) -> bool:
    return i >= 2 and norms[i - 1] == "to" and norms[i - 2] in ("care", "mind")


def _after_may_we(norms: list[str], i: int) -> bool:
    """ "May we have…", "Can I get…", "Could we please see…"."""
    j = i - 1
    while j >= 0 and norms[j] in _OPENERS:
        j -= 1
    return j >= 1 and norms[j] in ("we", "i") and norms[j - 1] in ({"may", "might"} | _MODALS)


def _after_need(norms: list[str], i: int) -> int | None:
    """Where the data starts after "we (will) need", "all I need is", "(we're) asking (you) for", "need
    your…" opening a clause; None when someone else needs it ("Scammers want your PIN")."""
    j = i - 1
    while j >= 0 and norms[j] in _AUXILIARIES:
        j -= 1
    if not (j < 0 or norms[j] in _SUBJECTS or not is_word(norms[j]) or norms[j] in _OPENERS):
        return None
    k = i + 1
    if norms[i] in ("ask", "asking"):
        k = norms.index("for", i + 1) + 1
    elif norms[k : k + 1] == ["to"] and norms[k + 1 : k + 2] and norms[k + 1] in _NEED_TO:
        k += 2
    elif norms[k : k + 1] == ["is"] and j >= 1 and norms[j - 1] == "all":
        k += 1
    if norms[k : k + 1] and norms[k] in _YOU and norms[k + 1 : k + 2] == ["to"]:
        return k + 3 if norms[k + 2 : k + 3] and norms[k + 2] in _VERBS else None  # "we need you to send…"
    return k


def _negated(norms: list[str], i: int) -> bool:
    """Whether a negation stands before ``i`` ("never share", "don't send"); "don't forget to" is none."""
    return any(
        norms[j] in _NEGATIONS and (j + 1 >= len(norms) or norms[j + 1] not in _NOT_NEGATING)
        for j in range(i)
    )


def _quoted(norms: list[str], i: int) -> bool:
    """Whether the request is inside quotation marks: someone else's words, reported."""
    return sum(norm in _QUOTES for norm in norms[:i]) % 2 == 1


def _is_headline(sentence: Sentence) -> bool:
    """Title Case or capitals ("Share Your Phone Number With Contacts", "MY NEW EMAIL ADDRESS"): a headline
    names a topic, it asks nothing."""
    words = [i for i, raw in enumerate(sentence.raw) if len(raw) > 3 and raw[:1].isalnum()]
    if len(words) < 4 or sum(sentence.raw[i][:1].isupper() for i in words) < 0.75 * len(words):
        return False
    return sum(sentence.titled(i) for i in words) >= 0.75 * len(words) or sum(
        sentence.shout(i) for i in words
    ) >= 0.75 * len(words)


# -- the data named ------------------------------------------------------------------------------------


def _object(sentence: Sentence, i: int) -> tuple[list[_Ref], bool, int]:
    """The data named from ``i`` on, up to the first word that neither names data nor stands among it;
    whether a pronoun ("them") stood for data named earlier; and where it ended."""
    norms = sentence.norms
    refs: list[_Ref] = []
    owned = determined = placed = False
    while i < len(norms):
        matched = _data_at(norms, i, owned)
        if matched is not None:
            kind, end = matched
            if end < len(norms) and norms[end] in NOT_DATA_AFTER:
                return refs, False, i
            mine = owned or not determined or _of_yours(norms, end)
            if kind is not None and not placed and (kind.sensitive or mine):
                refs.append(_Ref(kind, i, end))
            i = end
            continue
        norm = norms[i]
        if norm in _POSSESSIVES:
            owned, determined, placed = True, False, i > 0 and norms[i - 1] in _LOCATIVES
            skipped = _named_by_brand(sentence, i + 1)
            i = skipped if skipped is not None else i + 1
            continue
        if norm in _PRONOUNS:
            return refs, True, i + 1  # "send it to your phone": what follows is where it goes
        if norm in _DETERMINERS:
            owned, determined = False, True
        elif norm not in _FILLERS and norm not in _JOINING_MARKS and not _COUNT.fullmatch(norm):
            break
        i += 1
    return refs, False, i


def _of_yours(norms: list[str], end: int) -> bool:
    """ "The e-mail address on your account", "the number linked to your card": the reader's own."""
    return norms[end : end + 1] in (["on"], ["of"], ["for"], ["linked"], ["registered"], ["attached"]) and (
        "your" in norms[end + 1 : end + 4]
    )


def _data_at(norms: list[str], i: int, owned: bool) -> tuple[DataKind | None, int] | None:
    """The data kind a phrase starting at ``i`` names (None for a look-alike such as "IP address") and
    where it ends, tails such as "number" or "details" included; None where no phrase starts."""
    sent = _code_sent(norms, i)
    if sent is not None:
        return SECRET, sent
    for length in (4, 3, 2, 1):
        phrase = tuple(norms[i : i + length])
        if len(phrase) == length and phrase in DATA_PHRASES:
            kind = DATA_PHRASES[phrase]
            end = i + length
            while end < len(norms) and norms[end] in DATA_TAILS:
                end += 1
            if kind is not None and kind.needs_owner and not owned:
                kind = None  # "the address", "a number": not the reader's own
            return kind, end
    return None


def _code_sent(norms: list[str], i: int) -> int | None:
    """Past "code we (just) sent", "code I've texted": a one-time code the reader was sent."""
    if i >= len(norms) or norms[i] not in ("code", "codes"):
        return None
    for j in range(i + 1, min(i + 3, len(norms))):
        if norms[j] in _SENDERS:
            k = j + 1
            while k < len(norms) and norms[k] in ("just", "have", "'ve", "already", "recently"):
                k += 1
            return k + 1 if k < len(norms) and norms[k] in CODE_SENT else None
        if norms[j] != "that":
            return None
    return None


def _named_by_brand(sentence: Sentence, i: int) -> int | None:
    """Past one or two capitalised words that say whose login or card it is ("your Netflix password",
    "your PayPal login"), where data follows them at once; None otherwise, and where data starts at ``i``."""
    norms = sentence.norms
    if _data_at(norms, i, True) is not None:
        return None
    for j in (i + 1, i + 2):
        brand = range(i, min(j, len(norms)))
        if all(sentence.capital(k) and is_word(norms[k]) and norms[k] not in _FILLERS for k in brand) and (
            _data_at(norms, j, True) is not None
        ):
            return j
    return None


def _named_before(sentence: Sentence, i: int) -> list[_Ref]:
    """The reader's data named before ``i`` ("Your card number and address: reply with them")."""
    refs: list[_Ref] = []
    for j in range(i):
        if sentence.norms[j] in _POSSESSIVES:
            named = _object(sentence, j)[0]
            refs += [r for r in named if not any(r.start == known.start for known in refs)]
    return refs


def _data_first(sentence: Sentence, asked: bool) -> tuple[int, list[_Ref]] | None:
    """A sentence that opens with the data and says where it should go or that it is wanted: "Your phone
    number and DOB, please", "Card number below", "Your address?", "Your date of birth is required"."""
    norms = sentence.norms
    i = 0
    while i < len(norms) and (norms[i] in _OPENERS or not is_word(norms[i])):
        i += 1
    refs, _, end = _object(sentence, i)
    if not refs or _negated(norms, i):
        return None
    rest = norms[end:]
    placed = not _PLACES.isdisjoint(norms[i:end]) or (bool(rest) and rest[0] in _PLACES)
    required = bool(rest) and (
        rest[0] in _REQUIRED or (rest[0] in ("is", "are") and rest[1:2] != [] and rest[1] in _REQUIRED)
    )
    if placed or required or (asked and end >= len(norms) - 1):
        return i, refs
    return None


# -- the request as a finding ------------------------------------------------------------------------

_WEBSITE = frozenset({"website", "site", "web", "form", "portal", "link", "page", "app", "secure"})
_WEBSITE |= frozenset({"securely", "checkout", "<url>"})
_PRIVATE = frozenset({"dm", "dms", "pm", "pms", "inbox", "privately"})
_DESTINATION_WORDS = frozenset(
    {"in", "via", "by", "through", "over", "to", "into", "my", "our", "your", "the", "a"}
)
_DESTINATION_WORDS |= frozenset({"us", "me", "private", "please", "pls", ","})
# Words in a row that name a private channel ("by email", "direct message", "email us").
_PRIVATE_PAIRS = re.compile(
    r"\b(?:(?:direct|private) messages?|(?:by|via) e-?mail|e-?mail (?:us|me)|(?:text|message|call) (?:us|me)"
    r"|by phone)\b",
    re.IGNORECASE,
)
_LINK = re.compile(r"https?://|www\.", re.IGNORECASE)
_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


def _channel_cues(text: str) -> tuple[bool, bool]:
    """Whether the text points at a website, and whether at a private channel."""
    words = words_of(text)
    website = not _WEBSITE.isdisjoint(words) or _LINK.search(text) is not None
    private = not _PRIVATE.isdisjoint(words) or bool(_PRIVATE_PAIRS.search(text) or _ADDRESS.search(text))
    return website, private


def _ask(
    text: str,
    where: list[tuple[int, int]],
    sentence: Sentence,
    head: int,
    refs: list[_Ref],
    cues: tuple[bool, bool],
    in_message: bool,
) -> Ask:
    first, last = min(head, refs[0].start), max(head, refs[-1].end - 1)
    start, end = where[sentence.first + first][0], where[sentence.first + last][1]
    return Ask(
        phrase=text[start:end],
        kinds=tuple(dict.fromkeys(r.kind.name for r in refs)),
        sensitive=any(r.kind.sensitive for r in refs),
        personal=any(not r.kind.sensitive for r in refs),
        channel=_channel(sentence, head, max(head, refs[-1].end), cues, in_message),
    )


def _sent_to(norms: list[str], end: int, places: frozenset[str]) -> bool:
    """Whether the words right after the data say where it goes, and it is one of ``places`` ("… in my
    DMs", "… by direct message", "… on our secure page", "… at https://…")."""
    for norm in norms[end:]:
        if norm in places:
            return True
        if norm not in _DESTINATION_WORDS:
            return False
    return False


def _channel(sentence: Sentence, head: int, end: int, cues: tuple[bool, bool], in_message: bool) -> str:
    """Where the data would go: a website the sentence names (or the text, for a form's verb); a private
    channel named where the data goes ("drop your number in my DMs") or by the verb ("DM us", "email
    us"); in public for a reply, a comment or a post; else a private channel the text names, or public.
    In a message the data comes back in the conversation unless it is sent to a website."""
    norms = sentence.norms
    verb = _GERUNDS.get(norms[head], norms[head])
    website, private = cues
    on_website = "<url>" in norms or _sent_to(norms, end, _WEBSITE)
    if in_message:
        return "website" if on_website else "private"
    if on_website or (website and verb in _FORM):
        return "website"
    if verb in _PRIVATE_VERBS or not _PRIVATE.isdisjoint(norms[head:end]) or _sent_to(norms, end, _PRIVATE):
        return "private"
    if verb in _PUBLIC_VERBS or not private:
        return "public"
    return "private"


def asks_for_private_info(text: str) -> Ask | None:
    """The first request in a public post that breaks X's rules: personal data asked for in public, or
    particularly sensitive data asked for anywhere but the operator's website."""
    for ask in asks_in(text):
        if (ask.sensitive and ask.channel != "website") or (ask.personal and ask.channel == "public"):
            return ask
    return None


def asks_for_sensitive_info(text: str) -> Ask | None:
    """The first request in a direct message for particularly sensitive data, unless it sends the user to
    a website for it."""
    for ask in asks_in(text, in_message=True):
        if ask.sensitive and ask.channel != "website":
            return ask
    return None
