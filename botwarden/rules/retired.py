"""Rule codes and slugs that are retired: never given to another rule (as pylint keeps its deleted message
ids), so that a code in an old log, a stored verdict or a ``select``/``ignore`` list always meant one rule.

Retiring a rule: delete its class, and add a line here with the version that removed it and why. The
registry refuses a rule (built in or a plugin's) that takes a retired code or slug, and a ``select`` or
``ignore`` pattern that names one is told it was retired.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Retired:
    code: str
    slug: str
    version: str  # the release that removed it
    reason: str


#: Every retired rule, oldest first. None has been retired yet.
RETIRED: tuple[Retired, ...] = ()
