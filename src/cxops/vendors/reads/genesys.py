"""What cxops reads from Genesys Cloud answers (``cxops.vendors.genesys`` and the converter
``cxops.model.native.genesys``). Types follow the SDK's models (``Flow``, ``FlowVersion``,
``DependencyStatus``, ``Dependency``; the configuration is Architect's own document, typed
``object`` by the SDK: VENDORS.md, "Real shapes")."""

from __future__ import annotations

from cxops.vendors.reads import Answer

__all__ = ["ANSWERS", "BUILD", "CONFIGURATION", "CONSUMED", "FLOWS", "VERSIONS"]

FLOWS = Answer(
    "GET /api/v2/flows",
    "id:string",
    "name:string?",
    "type:string?",
    "division:object?",
    "division.id:string?",
    "division.name:string?",
    "publishedVersion:object?",
    "publishedVersion.id:string?",
    "savedVersion:object?",  # the version ids are incremental exports' change stamps (#19)
    "savedVersion.id:string?",
    "checkedInVersion:object?",
    "checkedInVersion.id:string?",
    items="entities",
)
VERSIONS = Answer("GET /api/v2/flows/{flowId}/versions", "id:string", items="entities")
CONFIGURATION = Answer(
    "GET /api/v2/flows/{flowId}/versions/{versionId}/configuration",
    "name:string?",
    "type:string?",
    "initialSequence:string?",
    "manifest:object?",
    "flowSequenceItemList:array?",
    "flowSequenceItemList[]:object",
    "flowSequenceItemList[].id:string",
    "flowSequenceItemList[].__type:string?",
    "flowActionItemList:array?",
    tolerant=True,  # the converter keeps a document it cannot read and reports CX100
)
BUILD = Answer("GET /api/v2/architect/dependencytracking/build", "status:string")
CONSUMED = Answer(
    "GET /api/v2/architect/dependencytracking/consumedresources",
    "id:string",
    "type:string",
    "name:string?",
    "version:string?",
    "deleted:boolean?",
    items="entities",
)

#: Every answer the export reads, in the order ``cxops doctor`` fetches them.
ANSWERS = (FLOWS, VERSIONS, CONFIGURATION, BUILD, CONSUMED)
