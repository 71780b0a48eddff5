"""What cxops reads from Cognigy.AI answers (``cxops.vendors.cognigy`` and the converter
``cxops.model.native.cognigy``). Types follow the official client's interfaces
(``@cognigy/rest-api-client`` ``types/index.d.ts``; tests/contract/cognigy/test_fields.py checks
the field names against them)."""

from __future__ import annotations

from cxops.vendors.reads import Answer

__all__ = [
    "ANSWERS",
    "CHART",
    "CONNECTION",
    "CONNECTIONS",
    "FLOW",
    "FLOWS",
    "INTENTS",
    "KEYPHRASES",
    "LEXICON",
    "LEXICONS",
    "NODE",
    "ODATA_SESSIONS",
    "PROJECT",
    "PROJECTS",
    "SENTENCES",
]

#: ``lastChanged`` (epoch ms) of index items: the change stamps of incremental exports (#19).
_STAMP = "lastChanged:integer|number?"
PROJECTS = Answer("GET /new/v2.0/projects", "_id:string", "name:string?", _STAMP, items="items")
PROJECT = Answer("GET /new/v2.0/projects/{projectId}", "_id:string", "name:string?")
FLOWS = Answer(
    "GET /new/v2.0/flows",
    "_id:string",
    "name:string?",
    "referenceId:string?",
    _STAMP,
    items="items",
)
FLOW = Answer("GET /new/v2.0/flows/{flowId}", "_id:string", "name:string?", "referenceId:string?")
CHART = Answer(
    "GET /new/v2.0/flows/{flowId}/chart",
    "nodes:array",
    "nodes[]._id:string",
    "relations:array?",
    "relations[].node:string?",
    "relations[].children:array?",
)
NODE = Answer(
    "GET /new/v2.0/flows/{flowId}/chart/nodes/{nodeId}",
    "_id:string",
    "type:string",
    "label:string?",
    "config:object?",
)
INTENTS = Answer("GET /new/v2.0/flows/{flowId}/intents", "_id:string", "name:string", items="items")
SENTENCES = Answer(
    "GET /new/v2.0/flows/{flowId}/intents/{intentId}/sentences", "_id:string?", items="items"
)
LEXICONS = Answer("GET /new/v2.0/lexicons", "_id:string", _STAMP, items="items")
LEXICON = Answer(
    "GET /new/v2.0/lexicons/{lexiconId}", "_id:string", "name:string?", "referenceId:string?"
)
KEYPHRASES = Answer(
    "GET /new/v2.0/lexicons/{lexiconId}/keyphrases",
    "value:string",
    "isMainKeyphrase:boolean?",
    "lexiconEntryReference:string?",
    items="items",
)
CONNECTIONS = Answer("GET /new/v2.0/connections", "_id:string", _STAMP, items="items")
CONNECTION = Answer(
    "GET /new/v2.0/connections/{connectionId}", "_id:string", "name:string?", "type:string?"
)

#: The OData analytics endpoint (a host of its own; the ``sessions`` gate): ``{value: [...]}``
#: (Cognigy's odata.md; Cognigy/Extensions reads ``value``), outside the official client.
ODATA_SESSIONS = Answer("GET {odata_url}/v2.3/Sessions", "sessionId:string?", items="value")

#: Every answer the export reads, in the order ``cxops doctor`` fetches them.
ANSWERS = (
    PROJECTS,
    PROJECT,
    FLOWS,
    FLOW,
    CHART,
    NODE,
    INTENTS,
    SENTENCES,
    LEXICONS,
    LEXICON,
    KEYPHRASES,
    CONNECTIONS,
    CONNECTION,
)
