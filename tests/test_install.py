"""What `pip install .` and `pipx install .` install: the wheel built by the project's own build backend
(hatchling, offline), with the command, the rule entry point, every file the package reads at run time
(templates, migrations, data), and the runtime dependencies only (the test tools stay in the `test` extra).
The installed files are then run as they would be from site-packages: `botwarden --version`, and a store
created and read through the wheel's own migrations."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from email.parser import Parser
from pathlib import Path

import pytest

from botwarden import __version__
from tests.conftest import ROOT

TEST_TOOLS = ("pytest", "mypy", "ruff", "playwright", "schemathesis", "hypothesis", "import-linter")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    out = tmp_path_factory.mktemp("dist")
    build = "import sys, hatchling.build as b; print(b.build_wheel(sys.argv[1]))"
    done = subprocess.run(
        [sys.executable, "-c", build, str(out)], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    yield out / done.stdout.strip().splitlines()[-1]


def test_the_wheel_holds_the_package_and_every_file_it_reads(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert not [n for n in names if n.startswith(("tests/", "bench/", ".venv/")) or "__pycache__" in n]
    package = {n for n in names if n.startswith("botwarden/")}
    # Every file beside the code in the source tree is in the wheel.
    for path in (ROOT / "botwarden").rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            assert path.relative_to(ROOT).as_posix() in package, f"{path} is missing from the wheel"
    for needed in (
        "botwarden/py.typed",
        "botwarden/starter.toml",
        "botwarden/web/templates/base.html",
        "botwarden/web/static/style.css",
        "botwarden/store/migrations/env.py",
        "botwarden/store/migrations/versions/0001_initial_schema.py",
    ):
        assert needed in package


def test_the_wheel_installs_the_command_and_only_the_runtime_dependencies(wheel: Path) -> None:
    archive = zipfile.ZipFile(wheel)
    info = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
    metadata = Parser().parsestr(archive.read(info).decode())
    assert metadata["Name"] == "botwarden" and metadata["Version"] == __version__
    requires = metadata.get_all("Requires-Dist") or []
    for tool in TEST_TOOLS:
        for line in requires:
            if line.lower().startswith(tool):
                assert "extra ==" in line, f"{line}: a test tool installed by a plain `pip install .`"
    points = archive.read(info.replace("METADATA", "entry_points.txt")).decode()
    assert "botwarden = botwarden.cli.main:main" in points
    assert "[botwarden.rules]" in points and "builtin = botwarden.rules.builtin:RULES" in points


def test_the_installed_files_run(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site-packages"
    zipfile.ZipFile(wheel).extractall(site)
    env = {**os.environ, "PYTHONPATH": str(site)}
    run = [sys.executable, "-c", "from botwarden.cli.main import main; main()"]

    def botwarden(*args: str) -> subprocess.CompletedProcess[str]:
        command = [*run, *args]
        return subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)

    done = botwarden("--version")
    assert done.returncode == 0 and done.stdout.strip() == f"botwarden {__version__}", done.stderr
    code = "import botwarden; print(botwarden.__file__)"
    where = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert where.stdout.startswith(str(site)), "the wheel's own files ran"
    assert botwarden("init", "bw.toml").returncode == 0
    done = botwarden("status", "--database", f"sqlite:///{tmp_path / 'new.db'}")
    assert done.returncode == 0, done.stderr  # the store was created by the wheel's migrations
    assert "Accounts" in done.stdout
