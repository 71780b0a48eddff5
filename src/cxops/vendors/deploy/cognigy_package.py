"""The per-environment id map of a Cognigy promotion: source ``_id`` → target ``_id``.

Node configs reference other resources by ``referenceId`` (portable), but a flow's
``attachedLexicons`` / ``attachedFlows`` hold ``_id`` s (``IFlow_2_0``), which differ per tenant:
merged as they are, the target flow would point at lexicons that do not exist there. Package
files are Cognigy's own format and cxops never opens them; instead, after the merge, the target's
flows are re-pointed through the API (``CognigyDeployer.remap``) with the pairs this module
computes from two listings matched by ``referenceId`` (never by name).
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["id_pairs"]


def id_pairs(
    source: Mapping[str, Mapping[str, str]], target: Mapping[str, Mapping[str, str]]
) -> dict[str, str]:
    """Source ``_id`` → target ``_id`` for every ``referenceId`` both sides have (never names).

    >>> id_pairs({"r1": {"_id": "a"}, "r2": {"_id": "b"}}, {"r1": {"_id": "x"}})
    {'a': 'x'}
    """
    return {
        s["_id"]: target[ref]["_id"]
        for ref, s in source.items()
        if ref in target and s["_id"] != target[ref]["_id"]
    }
