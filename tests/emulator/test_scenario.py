"""Fault scenario files: formats, validation errors that say where, and firing rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxops.emulator.scenario import Faults, Scenario
from cxops.errors import ConfigError


def test_yaml_toml_and_json_load_the_same(tmp_path: Path) -> None:
    """The three formats describe the same scenario."""
    (tmp_path / "s.yaml").write_text(
        "seed: 3\nrate_limits:\n  genesys: {rate: 2, burst: 4}\n"
        "faults:\n  - {action: error, status: 503, calls: [2]}\n"
    )
    (tmp_path / "s.toml").write_text(
        "seed = 3\n[rate_limits.genesys]\nrate = 2\nburst = 4\n"
        "[[faults]]\naction = 'error'\nstatus = 503\ncalls = [2]\n"
    )
    (tmp_path / "s.json").write_text(
        '{"seed":3,"rate_limits":{"genesys":{"rate":2,"burst":4}},'
        '"faults":[{"action":"error","status":503,"calls":[2]}]}'
    )
    loaded = [Scenario.load(tmp_path / n) for n in ("s.yaml", "s.toml", "s.json")]
    assert loaded[0] == loaded[1] == loaded[2]
    assert loaded[0].faults[0].calls == [2]


def test_bad_scenario_names_the_field(tmp_path: Path) -> None:
    """An unknown action is a ConfigError naming the file and the field."""
    path = tmp_path / "bad.yaml"
    path.write_text("faults:\n  - {action: explode}\n")
    with pytest.raises(ConfigError, match=r"bad\.yaml: faults\.0\.action"):
        Scenario.load(path)


def test_unparseable_and_missing_files_are_config_errors(tmp_path: Path) -> None:
    """Broken syntax and missing files are reported, not raised as tracebacks."""
    path = tmp_path / "broken.toml"
    path.write_text("seed = = 1")
    with pytest.raises(ConfigError, match="not valid toml"):
        Scenario.load(path)
    with pytest.raises(ConfigError, match="cannot read scenario"):
        Scenario.load(tmp_path / "nope.yaml")


def test_calls_first_and_rate_fire_as_described() -> None:
    """calls fires on the listed matches, first on the first N, rate at its seeded share."""
    faults = Faults(
        Scenario.parse(
            {
                "seed": 1,
                "faults": [
                    {"path": "/a", "action": "error", "calls": [2, 4]},
                    {"path": "/b", "action": "error", "first": 2},
                    {"path": "/c", "action": "error", "rate": 0.25},
                ],
            }
        )
    )
    hits_a = [faults.match_request("genesys", "dev", "GET", "/a") is not None for _ in range(5)]
    hits_b = [faults.match_request("genesys", "dev", "GET", "/b") is not None for _ in range(4)]
    hits_c = sum(
        faults.match_request("genesys", "dev", "GET", "/c") is not None for _ in range(4000)
    )
    assert hits_a == [False, True, False, True, False]
    assert hits_b == [True, True, False, False]
    assert 850 < hits_c < 1150


def test_rules_filter_by_vendor_tenant_method_and_glob() -> None:
    """A rule applies only where its vendor, tenant, method and path glob all match."""
    faults = Faults(
        Scenario.parse(
            {
                "faults": [
                    {
                        "vendor": "cognigy",
                        "tenant": "prod",
                        "method": "POST",
                        "path": "/new/v2.0/pack*",
                        "action": "reset",
                    }
                ]
            }
        )
    )
    assert faults.match_request("cognigy", "prod", "POST", "/new/v2.0/packages") is not None
    assert faults.match_request("cognigy", "dev", "POST", "/new/v2.0/packages") is None
    assert faults.match_request("cognigy", "prod", "GET", "/new/v2.0/packages") is None
    assert faults.match_request("genesys", "prod", "POST", "/new/v2.0/packages") is None


def test_job_rules_are_separate_from_request_rules() -> None:
    """job_fail rules match job kinds, never requests."""
    faults = Faults(
        Scenario.parse(
            {
                "faults": [
                    {"vendor": "genesys", "action": "job_fail", "job": "exp*", "reason": "boom"}
                ]
            }
        )
    )
    assert faults.match_request("genesys", "dev", "POST", "/api/v2/flows/export/jobs") is None
    rule = faults.match_job("genesys", "dev", "export")
    assert rule is not None and rule.reason == "boom"
    assert faults.match_job("genesys", "dev", "import") is None
