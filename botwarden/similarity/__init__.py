"""The two levels of duplication and their search: "the same text" (``normalize``, ``text_hash``) and
"substantially similar" (``similarity``, with ``differences`` saying what tells two posts apart), and
the index that finds similar posts among millions (``SimilarityIndex``).

``similarity``, ``differences``, ``SimilarityIndex`` and ``Match`` are imported on first use: their
compiled kernels take a moment to load, which commands that never compare posts should not pay.
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType
from typing import TYPE_CHECKING, Any

from botwarden.similarity.normalize import normalize, text_hash
from botwarden.similarity.wordsets import jaccard, words

if TYPE_CHECKING:
    from botwarden.similarity.index import Match, SimilarityIndex
    from botwarden.similarity.profile import differences, similarity

__all__ = [
    "Match", "SimilarityIndex", "differences", "jaccard", "normalize", "similarity", "text_hash", "words",
]  # fmt: skip


def lazy_module(name: str) -> ModuleType:
    """The module ``name``, loaded when one of its attributes is first used (the compiled kernels: numba
    alone takes a fifth of a second to import, which a command that never compares posts need not pay)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ImportError(f"no module {name}")
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module


def __getattr__(name: str) -> Any:
    if name in ("Match", "SimilarityIndex"):
        from botwarden.similarity import index

        return getattr(index, name)
    if name in ("differences", "similarity"):
        from botwarden.similarity import profile

        return getattr(profile, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
