"""The cashtags X would make of a text ($TICKER), by twitter-text's extraction rules (BW908).

A cashtag is '$' and 1-6 ASCII letters, optionally '.' or '_' and 1-2 more, where the '$' starts the text
or follows a space, and the letters end the text or are followed by a space or punctuation. So ``$AAPL``
and ``$BRK.B`` are cashtags; ``$123``, ``US$5`` and ``$TOOLONGNAME`` are not. The published conformance
suite (``extract.yml``, cashtags) holds this to X's own definition.
"""

from __future__ import annotations

import re

# twitter-text's space characters and the punctuation that may follow a cashtag.
_SPACES = "\t\n\x0b\x0c\r \x85\xa0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_PUNCTUATION = r"!'#%&()*+,\\\-./:;<=>?@\[\]^_{|}~$"
_CASHTAG = re.compile(
    rf"(?:^|(?<=[{_SPACES}]))\$([A-Za-z]{{1,6}}(?:[._][A-Za-z]{{1,2}})?)(?=$|\s|[{_PUNCTUATION}])"
)


def cashtags_in(text: str) -> list[str]:
    """Every cashtag of ``text`` without its '$', in order, as often as it appears."""
    if "$" not in text:
        return []
    return [match.group(1) for match in _CASHTAG.finditer(text)]
