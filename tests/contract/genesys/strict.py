"""A strict check of raw JSON against a ``PureCloudPlatformClientV2`` model.

The SDK's own deserializer is lenient: it drops fields it does not know and maps an enum value
it does not know to ``outdated_sdk_version``. So the raw JSON is checked here: every field must
be in the model's ``attribute_map``, every value of the JSON type its ``swagger_types`` says
(recursively, through lists, dicts and nested models), and every enum value within the
``allowed_values`` its setter lists. Then the SDK deserializes it too, to be sure it can.
"""

from __future__ import annotations

import ast
import inspect
import re
from datetime import datetime
from functools import cache
from typing import Any

import PureCloudPlatformClientV2 as sdk

__all__ = ["deserialize", "problems"]

_LIST = re.compile(r"^list\[(.+)\]$")
_DICT = re.compile(r"^dict\(str, (.+)\)$")
_ALLOWED = re.compile(r"allowed_values = (\[.*?\])", re.S)


@cache
def _maps(model: str) -> tuple[dict[str, str], dict[str, str]]:
    """``(json key → attribute, attribute → swagger type)`` of a model."""
    instance = getattr(sdk, model)()
    return {v: k for k, v in instance.attribute_map.items()}, dict(instance.swagger_types)


@cache
def allowed(model: str, attribute: str) -> tuple[str, ...] | None:
    """The enum values the model's setter for ``attribute`` allows (None: not an enum)."""
    prop = getattr(getattr(sdk, model), attribute, None)
    if not isinstance(prop, property) or prop.fset is None:
        return None
    found = _ALLOWED.search(inspect.getsource(prop.fset))
    return tuple(ast.literal_eval(found.group(1))) if found else None


def _primitive(value: Any, kind: str, where: str) -> list[str]:
    ok = {
        "str": isinstance(value, str),
        "int": isinstance(value, int) and not isinstance(value, bool),
        "float": isinstance(value, int | float) and not isinstance(value, bool),
        "bool": isinstance(value, bool),
        "object": True,
    }.get(kind)
    if kind in ("datetime", "date"):
        try:
            datetime.fromisoformat(str(value).replace("Z", "+00:00"))
            ok = isinstance(value, str)
        except ValueError:
            ok = False
    if ok is None:
        return [f"{where}: unknown swagger type {kind!r}"]
    return [] if ok else [f"{where}: {value!r} is not a JSON {kind}"]


def problems(data: Any, kind: str, where: str = "") -> list[str]:
    """Everything in ``data`` that the SDK type ``kind`` does not allow (empty: it fits)."""
    if data is None:
        return []
    if m := _LIST.match(kind):
        if not isinstance(data, list):
            return [f"{where}: not a list ({kind})"]
        return [p for i, v in enumerate(data) for p in problems(v, m.group(1), f"{where}/{i}")]
    if m := _DICT.match(kind):
        if not isinstance(data, dict):
            return [f"{where}: not an object ({kind})"]
        return [p for k, v in data.items() for p in problems(v, m.group(1), f"{where}/{k}")]
    if kind in ("str", "int", "float", "bool", "object", "datetime", "date"):
        return _primitive(data, kind, where)
    if not isinstance(data, dict):
        return [f"{where}: not an object ({kind})"]
    keys, types = _maps(kind)
    out: list[str] = []
    for key, value in data.items():
        here = f"{where}/{key}"
        attr = keys.get(key)
        if attr is None:
            out.append(f"{here}: '{key}' is not in {kind}.attribute_map")
            continue
        sub = types[attr]
        out += problems(value, sub, here)
        values = allowed(kind, attr)
        if values is not None and value is not None:
            items = value if isinstance(value, list) else [value]
            out += [
                f"{here}: {v!r} is not an allowed {kind}.{attr} value {list(values)}"
                for v in items
                if v not in values
            ]
    return out


def deserialize(data: Any, kind: str) -> Any:
    """The SDK's own deserialization of ``data`` as ``kind`` (raises if it cannot)."""
    client = sdk.ApiClient()
    return client._ApiClient__deserialize(data, kind)
