"""What cxops reads from CXone Studio answers (``cxops.vendors.cxone`` and the converter
``cxops.model.native.cxone``). CXone publishes no schema: the shapes come from public code that
runs against live tenants (docs/emulator/cxone.md), so only what cxops cannot do without is
required."""

from __future__ import annotations

from cxops.vendors.reads import Answer

__all__ = ["ANSWERS", "SCRIPT", "SEARCH"]

SEARCH = Answer(
    "GET /inContactAPI/services/v31.0/scripts/search",
    "scriptName:string",
    "status:string?",
    "masterID:string|integer?",
    "modifyDate:string?",  # with masterID, the change stamp of incremental exports (#19)
    items="scriptSearchDetails",
    tolerant=True,  # a row without a scriptName is left out of the listing
)
SCRIPT = Answer(
    "GET /inContactAPI/services/v31.0/scripts?scriptPath=",
    "header:object",
    "header.scriptName:string",
    "header.masterId:string|integer?",
    "actions:object?",
    "properties:object?",
    "branches:object?",
)

#: Every answer the export reads, in the order ``cxops doctor`` fetches them.
ANSWERS = (SEARCH, SCRIPT)
