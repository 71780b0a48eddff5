"""The fault-injection scenario: a YAML or TOML file (or JSON body) the emulator obeys.

Example (YAML)::

    seed: 7
    token_ttl: 30                # seconds of emulated time
    retry_after_format: http-date  # Cognigy 429s: seconds (default) or http-date
    rate_limits:
      genesys: {rate: 5, burst: 5}        # per client, real seconds
      cognigy/prod: {rate: 2, burst: 4}   # one tenant only
    faults:
      - {vendor: genesys, path: "/api/v2/flows*", action: error, status: 503, rate: 0.2}
      - {action: reset, calls: [2, 5]}          # 2nd and 5th matching call
      - {action: latency, seconds: 0.5, first: 3}
      - {vendor: cognigy, action: job_fail, job: "snapshot*", reason: "disk full"}
      - {vendor: genesys, action: job_stall, job: export}

Actions: ``error`` (vendor-shaped body; status 429 gets the vendor's Retry-After), ``latency``,
``reset`` (connection dropped mid-response), ``truncate`` and ``corrupt`` (body cut or mangled),
``job_fail`` and ``job_stall`` (consulted when a job is created). When a rule gives none of
``rate``, ``calls`` or ``first`` it fires on every match.
"""

from __future__ import annotations

import fnmatch
import json
import random
import threading
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cxops.emulator.ratelimit import Limit
from cxops.errors import ConfigError

Action = Literal["error", "latency", "reset", "truncate", "corrupt", "job_fail", "job_stall"]
JOB_ACTIONS = frozenset({"job_fail", "job_stall"})


class FaultRule(BaseModel):
    """One rule: where it applies, what it does, and how often."""

    model_config = ConfigDict(extra="forbid")

    vendor: str | None = None
    tenant: str | None = None
    method: str | None = None
    path: str = "*"  # glob over the path below the tenant mount, e.g. /api/v2/flows*
    action: Action
    status: int = Field(503, ge=400, le=599)
    code: str | None = None
    message: str | None = None
    retry_after: float | None = Field(None, ge=0)  # for status 429
    seconds: float = Field(1.0, ge=0, le=600)  # for latency
    job: str = "*"  # glob over a job kind, for job_* actions
    reason: str = "injected failure"
    rate: float | None = Field(None, ge=0, le=1)
    calls: list[int] | None = None
    first: int | None = Field(None, ge=0)


class RateLimitRule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rate: float = Field(..., ge=0)
    burst: float = Field(..., ge=1)


class Scenario(BaseModel):
    """The whole file."""

    model_config = ConfigDict(extra="forbid")

    seed: int = 0
    token_ttl: float | None = Field(None, gt=0)
    retry_after_format: Literal["seconds", "http-date"] = "seconds"
    # Serve paged listings (Genesys flows, versions, dependency tracking; the Cognigy project
    # graph) in a seeded shuffled order, stable for one scenario, so clients prove that their
    # output does not depend on the vendor's order.
    shuffle_pages: bool = False
    rate_limits: dict[str, RateLimitRule] = Field(default_factory=dict)
    faults: list[FaultRule] = Field(default_factory=list)

    @classmethod
    def load(cls, path: str | Path) -> Scenario:
        """Read a ``.yaml``/``.yml``, ``.toml`` or ``.json`` scenario; errors name the file."""
        p = Path(path)
        try:
            text = p.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(
                f"cannot read scenario {p}: {exc.strerror}",
                hint="check the path given to --scenario",
            ) from None
        try:
            if p.suffix == ".toml":
                data: Any = tomllib.loads(text)
            elif p.suffix == ".json":
                data = json.loads(text)
            else:
                data = yaml.safe_load(text) or {}
        except (tomllib.TOMLDecodeError, json.JSONDecodeError, yaml.YAMLError) as exc:
            raise ConfigError(
                f"scenario {p} is not valid {p.suffix.lstrip('.') or 'yaml'}: {exc}"
            ) from None
        return cls.parse(data, source=str(p))

    @classmethod
    def parse(cls, data: Any, source: str = "scenario") -> Scenario:
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(x) for x in first["loc"])
            raise ConfigError(
                f"{source}: {where}: {first['msg']}",
                hint="see `cxops emulator --help` for the scenario format",
            ) from None


class Faults:
    """A scenario in force: per-rule call counters and one seeded random stream."""

    def __init__(self, scenario: Scenario | None = None) -> None:
        self._lock = threading.Lock()
        self.load(scenario or Scenario())

    def load(self, scenario: Scenario) -> None:
        with self._lock:
            self.scenario = scenario
            self._counts = [0] * len(scenario.faults)
            self._rng = random.Random(scenario.seed)
            self.fired: list[tuple[int, str]] = []  # (rule index, action), for tests

    def limit_for(self, vendor: str, tenant: str) -> Limit | None:
        rules = self.scenario.rate_limits
        rule = rules.get(f"{vendor}/{tenant}") or rules.get(vendor) or rules.get("*")
        return Limit(rule.rate, rule.burst) if rule else None

    def _fires(self, index: int, rule: FaultRule) -> bool:
        self._counts[index] += 1
        n = self._counts[index]
        if rule.calls is not None:
            return n in rule.calls
        if rule.first is not None:
            return n <= rule.first
        if rule.rate is not None:
            return self._rng.random() < rule.rate
        return True

    def match_request(self, vendor: str, tenant: str, method: str, path: str) -> FaultRule | None:
        """The first firing HTTP rule for this request, if any.

        Every rule that matches counts the call, whether or not an earlier rule fires, so
        ``calls: [2]`` means "the second request this rule matches" however rules are ordered.
        """

        def matches(rule: FaultRule) -> bool:
            return (
                rule.action not in JOB_ACTIONS
                and _applies(rule, vendor, tenant)
                and (not rule.method or rule.method.upper() == method)
                and fnmatch.fnmatchcase(path, rule.path)
            )

        return self._first_firing(matches)

    def match_job(self, vendor: str, tenant: str, kind: str) -> FaultRule | None:
        """The first firing job rule for a job of ``kind`` being created, if any."""

        def matches(rule: FaultRule) -> bool:
            return (
                rule.action in JOB_ACTIONS
                and _applies(rule, vendor, tenant)
                and fnmatch.fnmatchcase(kind, rule.job)
            )

        return self._first_firing(matches)

    def _first_firing(self, matches: Callable[[FaultRule], bool]) -> FaultRule | None:
        chosen: FaultRule | None = None
        with self._lock:
            for i, rule in enumerate(self.scenario.faults):
                if matches(rule) and self._fires(i, rule) and chosen is None:
                    chosen = rule
                    self.fired.append((i, rule.action))
        return chosen


def _applies(rule: FaultRule, vendor: str, tenant: str) -> bool:
    return rule.vendor in (None, vendor) and rule.tenant in (None, tenant)
