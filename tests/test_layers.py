"""The map and the walls of the house: docs/architecture.md names every module, and the import contracts
(`lint-imports`, run by `make test`) look at every top-level module."""

from __future__ import annotations

import re
import tomllib

from .conftest import ROOT

PACKAGE = ROOT / "botwarden"
ARCHITECTURE = ROOT / "docs" / "architecture.md"
# Folders the map names as a whole: their modules are one of a kind each (a rule family, a migration).
NAMED_WHOLE = ("rules/builtin/", "store/migrations/")


def _modules() -> list[str]:
    """Every module, as its path under botwarden/ (a package by its folder, with a trailing '/')."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative == "__init__.py" or relative.startswith(NAMED_WHOLE):
            continue
        found.append(relative.removesuffix("__init__.py"))
    return found


def _rows() -> dict[str, str]:
    """The map's table: each row's text by the paths its first cell names."""
    rows: dict[str, str] = {}
    for line in ARCHITECTURE.read_text(encoding="utf-8").splitlines():
        if not line.startswith("| `botwarden/"):
            continue
        first = line.split("|")[1]
        for named in re.findall(r"`(?:botwarden/)?([^`]+)`", first):
            rows[named] = line
    return rows


def test_the_architecture_map_names_every_module() -> None:
    """A module is named by its path (``store/queue.py``), or by its file name on its package's row."""
    text = ARCHITECTURE.read_text(encoding="utf-8")
    rows = _rows()
    missing = []
    for module in _modules():
        folder, _, name = module.rpartition("/")
        on_its_row = folder and name and f"`{name}`" in rows.get(folder + "/", "")
        if f"`{module}`" not in text and f"`botwarden/{module}`" not in text and not on_its_row:
            missing.append(module)
    assert not missing, f"docs/architecture.md does not name: {', '.join(missing)}"


def test_the_architecture_map_names_no_module_that_is_gone() -> None:
    modules = set(_modules()) | set(NAMED_WHOLE)
    for named in _rows():
        assert named in modules or named.rstrip("/") + "/" in modules, f"the map names {named}, not there"


def test_the_sql_contract_watches_every_top_level_module_but_the_store() -> None:
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    [sql] = [c for c in contracts if "sqlalchemy" in c.get("forbidden_modules", ())]
    top = {
        f"botwarden.{p.stem}" if p.is_file() else f"botwarden.{p.name}"
        for p in PACKAGE.iterdir()
        if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").is_file()
    }
    assert set(sql["source_modules"]) == top - {"botwarden.store"}
