"""Settings are declared once: the table in botwarden/settings.py holds every default, its typed face
(botwarden/typed_settings.py) matches it, and the readers repeat no default of their own."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import get_type_hints

import pytest

from botwarden import settings as settings_table
from botwarden.rules import AccountInfo, CheckContext, MemoryHistory
from botwarden.typed_settings import Settings

ROOT = Path(__file__).resolve().parents[1] / "botwarden"
#: Where settings are read: the rules, the adapters, pacing, the checking seam and the running service.
READERS = ("rules", "networks", "pacing", "checking.py", "run", "replay", "cli")
LITERALS = (ast.Constant, ast.List, ast.Tuple, ast.Dict, ast.Set)
KINDS = {int: int, float: float, str: str, bool: bool, list: list[str]}


def _names_settings(node: ast.expr) -> bool:
    """``settings``, ``self.settings``, ``config.settings``, ``ctx.settings``, ``self._settings``..."""
    text = ast.unparse(node)
    return text.rsplit(".", 1)[-1].lstrip("_") == "settings"


def _is_default(node: ast.expr) -> bool:
    return not (isinstance(node, ast.Constant) and node.value is None)


def _fallbacks(tree: ast.AST) -> list[tuple[int, str]]:
    """Each read of a setting that brings its own default, with its line."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            receiver, method, args = node.func.value, node.func.attr, node.args
            named = bool(args) and isinstance(args[0], ast.Constant) and isinstance(args[0].value, str)
            settings_get = method == "get" and _names_settings(receiver)
            if named and len(args) > 1 and _is_default(args[1]) and (settings_get or method == "setting"):
                found.append((node.lineno, ast.unparse(node)))
        elif isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
            first, rest = node.values[0], node.values[1:]
            read = isinstance(first, ast.Subscript) and _names_settings(first.value)
            if read and any(isinstance(value, LITERALS) for value in rest):
                found.append((node.lineno, ast.unparse(node)))
    return found


def _reader_files() -> list[Path]:
    files: list[Path] = []
    for name in READERS:
        path = ROOT / name
        files.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path])
    return files


def test_readers_repeat_no_default_of_the_table() -> None:
    hits = [
        f"{path.relative_to(ROOT.parent)}:{line}: {code}"
        for path in _reader_files()
        for line, code in _fallbacks(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert not hits, "settings read with a default of their own (the table's is the only one):\n" + "\n".join(
        hits
    )


@pytest.mark.parametrize(
    "source",
    [
        'limit = ctx.setting("hashtag_max", 2)',
        'limit = self.settings.get("hashtag_max", 2)',
        'limit = config.settings.get("declared_sources", [])',
        'limit = settings["trends_file"] or "trends.txt"',
        'limit = self._settings["burst_max"] or 3',
    ],
)
def test_the_scan_finds_a_fallback(source: str) -> None:
    assert _fallbacks(ast.parse(source))


@pytest.mark.parametrize(
    "source",
    [
        'limit = ctx.settings["hashtag_max"]',
        'cap = settings.get("daily_cap", None)',
        'visibility = action.visibility or ctx.settings["mastodon_visibility"]',
        'value = form.get("first_run", "")',
    ],
)
def test_the_scan_lets_a_plain_read_be(source: str) -> None:
    assert not _fallbacks(ast.parse(source))


def test_the_typed_face_has_one_field_per_setting_of_its_type() -> None:
    hints = get_type_hints(Settings)
    expected = {
        s.name: KINDS[s.kind] | None if s.default is None else KINDS[s.kind] for s in settings_table.SETTINGS
    }
    assert list(hints) == list(expected), (
        "botwarden/typed_settings.py must list the settings in the table's order"
    )
    assert hints == expected
    assert Settings.__required_keys__ == frozenset(expected)


def test_defaults_and_resolve_give_every_setting() -> None:
    defaults = settings_table.defaults()
    assert set(defaults) == set(settings_table.BY_NAME)
    assert defaults == settings_table.resolve({}, env={})
    assert defaults["post_cost_usd"] == settings_table.BY_NAME["post_cost_usd"].default


def test_a_resolved_list_is_its_own_copy() -> None:
    first = settings_table.defaults()
    first["sensitive_terms"].append("changed")
    assert settings_table.defaults()["sensitive_terms"] == []
    assert settings_table.BY_NAME["sensitive_terms"].default == []


def test_a_check_given_some_settings_reads_the_rest_from_the_table() -> None:
    ctx = CheckContext(AccountInfo("a", "x"), MemoryHistory(), settings={"hashtag_max": 7})
    assert ctx.settings["hashtag_max"] == 7
    assert ctx.settings["link_post_cost_usd"] == settings_table.BY_NAME["link_post_cost_usd"].default
    assert (
        ctx.setting("near_duplicate_threshold") == settings_table.BY_NAME["near_duplicate_threshold"].default
    )
    assert CheckContext(AccountInfo("a", "x"), MemoryHistory()).settings == settings_table.defaults()
