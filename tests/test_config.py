"""The config file and the settings table: clear errors, declared-once settings, precedence."""

from __future__ import annotations

from pathlib import Path

import pytest

from botwarden import config as config_module
from botwarden import settings
from botwarden.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent

GOOD = """
[settings]
burst_max = 2
[[accounts]]
id = "a"
network = "local"
[[feeds]]
id = "f"
url = "https://example.org/rss"
[[routes]]
feed = "f"
account = "a"
[routes.pacing]
quiet_hours = "22:00-07:00"
timezone = "Europe/Berlin"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "botwarden.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_good_config_loads_with_resolved_settings(tmp_path: Path) -> None:
    cfg = config_module.load(write(tmp_path, GOOD), env={})
    route = cfg.routes["f->a"]
    pacing = cfg.pacing_for(route)
    assert pacing.burst_max == 2
    assert str(pacing.quiet_hours) == "22:00-07:00 Europe/Berlin"
    # No daily cap is set, so the account's network's own applies (`botwarden limits`).
    assert cfg.settings["daily_cap"] is None
    assert pacing.daily_cap == cfg.limits.count(cfg.accounts["a"].network, "daily_posts")


def test_precedence_set_over_env_over_file(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    assert config_module.load(path, env={"BOTWARDEN_BURST_MAX": "5"}).settings["burst_max"] == 5
    cfg = config_module.load(path, env={"BOTWARDEN_BURST_MAX": "5"}, overrides={"burst_max": "7"})
    assert cfg.settings["burst_max"] == 7


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (GOOD.replace('network = "local"', 'network = "myspace"'), "accounts[0].network"),
        (GOOD.replace('account = "a"', 'account = "b"'), "no account with id 'b'"),
        (GOOD.replace('"22:00-07:00"', '"25:00-07:00"'), "routes[0].pacing: quiet hours"),
        (GOOD.replace('"Europe/Berlin"', '"Mars/Olympus"'), "unknown time zone"),
        (GOOD.replace("burst_max = 2", 'burst_max = "two"'), "'burst_max' must be a whole number"),
        (GOOD.replace("burst_max = 2", "bursts = 2"), "unknown key 'bursts'"),
        (
            GOOD.replace('account = "a"', 'account = "a"\ntemplate = "{title.__globals__} {link}"'),
            "not allowed",
        ),
        (GOOD.replace("[[feeds]]", "[[feeds]]\nextra = 1"), "feeds[0].extra: Extra inputs are not permitted"),
        ("[[accounts]\n", "not valid TOML"),
        (GOOD.replace("burst_max = 2", "lease_seconds = 30"), "lease_seconds (30) must be at least three"),
    ],
)
def test_bad_config_names_file_key_and_problem(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=r"botwarden\.toml") as caught:
        config_module.load(write(tmp_path, text), env={})
    assert message in str(caught.value)


def test_missing_file_says_how_to_create_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="botwarden init"):
        config_module.load(tmp_path / "nope.toml")


def test_starter_config_loads(tmp_path: Path) -> None:
    starter = (ROOT / "botwarden" / "starter.toml").read_text(encoding="utf-8")
    cfg = config_module.load(write(tmp_path, starter), env={})
    assert list(cfg.routes) == ["city-rss->city-news"]


def test_every_setting_has_env_var_and_help() -> None:
    names = [s.name for s in settings.SETTINGS]
    assert len(names) == len(set(names))
    for setting in settings.SETTINGS:
        assert setting.env_var == "BOTWARDEN_" + setting.name.upper()
        assert setting.help.endswith(".")
        assert settings.coerce(setting, setting.default, source="default") == setting.default


def test_list_settings_accept_comma_separated_env() -> None:
    resolved = settings.resolve({}, env={"BOTWARDEN_ALLOW_HOSTS": "127.0.0.1, 10.0.0.0/8"})
    assert resolved["allow_hosts"] == ["127.0.0.1", "10.0.0.0/8"]


def test_bad_override_syntax() -> None:
    with pytest.raises(ConfigError, match="NAME=VALUE"):
        settings.parse_overrides(["burst_max"])
