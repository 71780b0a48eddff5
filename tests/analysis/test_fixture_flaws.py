"""Every deliberate flaw of the emulator fixtures is found with its code and location."""

from __future__ import annotations

from typing import Any

import pytest

from cxops.analysis.checks import run_checks
from cxops.analysis.findings import Finding, Severity
from cxops.analysis.index import BundleIndex
from cxops.emulator.cognigy.fixtures import FLAWS as COGNIGY_FLAWS
from cxops.emulator.cxone.fixtures import FLAWS as CXONE_FLAWS
from cxops.emulator.genesys.fixtures import FLAWS as GENESYS_FLAWS
from cxops.model.bundle import Bundle
from cxops.model.native import cognigy, cxone, genesys
from tests.analysis.native_fetch import cognigy_projects, cxone_scripts, genesys_divisions

# CX201/CX202 are the vendor's own compile results, checked by the compile issue.
ANALYSIS_CODES = {f"CX{n}" for n in range(100, 110)}


def _bundles(emu: Any, vendor: str, tenant: str) -> list[Bundle]:
    base = emu.base(vendor, tenant)
    if vendor == "cognigy":
        # Snapshots are clock-driven tasks; only Cognigy runs fast (tokens expire on this clock).
        emu.ctx.clock.set_speed(10_000)
        return [cognigy.to_bundle(p, tenant=tenant) for p in cognigy_projects(base, tenant)]
    if vendor == "cxone":
        return [cxone.to_bundle(cxone_scripts(base, tenant), tenant=tenant)]
    return [genesys.to_bundle(d, tenant=tenant) for d in genesys_divisions(base, tenant)]


def _findings(bundle: Bundle) -> list[Finding]:
    index = BundleIndex()
    index.add_bundle(bundle.document())
    return run_checks(index)


def _vendor_ids(bundles: list[Bundle]) -> dict[tuple[str, str | None], tuple[str, str | None]]:
    """(flow, node) as FLAWS names them → (flow, node) as the bundle names them.

    Cognigy FLAWS use Mongo ``_id`` s; bundles use ``referenceId`` s and keep ``_id`` in
    properties. The other vendors' ids are the same on both sides.
    """
    out: dict[tuple[str, str | None], tuple[str, str | None]] = {}
    for bundle in bundles:
        for flow in bundle.flows:
            fid = str(flow.properties.get("_id", flow.id))
            out[(fid, None)] = (flow.id, None)
            for node in flow.nodes:
                out[(fid, str(node.properties.get("_id", node.id)))] = (flow.id, node.id)
    return out


def _places(f: Finding) -> set[tuple[str | None, str | None]]:
    locs = (f.location, *f.related)
    return {(loc.flow, loc.node) for loc in locs} | {(loc.flow, None) for loc in locs}


FLAWS = {"cognigy": COGNIGY_FLAWS, "cxone": CXONE_FLAWS, "genesys": GENESYS_FLAWS}


@pytest.mark.parametrize("vendor", ["cognigy", "cxone", "genesys"])
def test_every_flaw_found_and_clean_flows_have_no_errors(emu: Any, vendor: str) -> None:
    """dev: each listed flaw has a finding with its code at its flow and node; no error finding
    falls in a flow that FLAWS does not list."""
    bundles = _bundles(emu, vendor, "dev")
    ids = _vendor_ids(bundles)
    findings = [f for b in bundles for f in _findings(b)]
    flaws = [f for f in FLAWS[vendor] if f["code"] in ANALYSIS_CODES]
    assert flaws, "the fixtures list flaws for the analysis"
    for flaw in flaws:
        want = ids[(flaw["flow"], flaw["node"])]
        hits = [f for f in findings if f.code == flaw["code"] and want in _places(f)]
        assert hits, f"not found: {flaw}"
    flawed_flows = {ids[(f["flow"], None)][0] for f in FLAWS[vendor]}
    for finding in findings:
        if finding.severity is Severity.error:
            flows = {flow for flow, _ in _places(finding)}
            assert flows & flawed_flows, f"error in a clean flow: {finding}"


@pytest.mark.parametrize("vendor", ["cognigy", "cxone", "genesys"])
def test_prod_fixtures_are_clean(emu: Any, vendor: str) -> None:
    """prod holds no flawed content: no error findings at all."""
    errors = [
        f
        for b in _bundles(emu, vendor, "prod")
        for f in _findings(b)
        if f.severity is Severity.error
    ]
    assert errors == []


@pytest.mark.parametrize("vendor", ["cognigy", "cxone", "genesys"])
def test_fixture_round_trip_is_lossless(emu: Any, vendor: str) -> None:
    """The real fixture documents survive vendor → bundle → vendor unchanged."""
    base = emu.base(vendor, "dev")
    if vendor == "cognigy":
        emu.ctx.clock.set_speed(10_000)
        for project in cognigy_projects(base, "dev"):
            assert cognigy.to_native(cognigy.to_bundle(project, tenant="dev")) == project
    elif vendor == "cxone":
        scripts = cxone_scripts(base, "dev")
        assert cxone.to_native(cxone.to_bundle(scripts, tenant="dev")) == scripts
    else:
        for division in genesys_divisions(base, "dev"):
            assert genesys.to_native(genesys.to_bundle(division, tenant="dev")) == division
