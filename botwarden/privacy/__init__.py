"""A person's private data in text (BW801), and requests for private data (BW503, BW504).

``find_data`` finds what is shaped like private data; ``find_private_data`` keeps what is a person's
(``whose`` tells a neighbour's phone number from a newsroom's tips line, a listing's street address or a
product's model number); ``asks_for_private_info`` and ``asks_for_sensitive_info`` find requests for it
in any wording and order (``asks``).
"""

from botwarden.privacy.asks import Ask, asks_for_private_info, asks_for_sensitive_info, asks_in
from botwarden.privacy.found import PrivateMatch, find_data
from botwarden.privacy.whose import find_private_data

__all__ = [
    "Ask",
    "PrivateMatch",
    "asks_for_private_info",
    "asks_for_sensitive_info",
    "asks_in",
    "find_data",
    "find_private_data",
]
