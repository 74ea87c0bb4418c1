"""The golden protocol files (test/fixtures/protocol/*.jsonl), read by both the TS and the Python
tests: every message the harness writes must have the shape of one golden line."""
from __future__ import annotations

import json
import os
from typing import Any, Dict, List, Tuple

from harness_process import GOLDEN_DIR

# Fields whose value is any JSON (their golden value's type is only an example).
FREE_VALUES = {"item", "output", "openapi_schema"}


def load(name: str) -> List[Dict[str, Any]]:
    with open(os.path.join(GOLDEN_DIR, name), encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _shape_key(message: Dict[str, Any]) -> Tuple[str, Any]:
    return message["type"], message.get("status")


def shapes() -> Dict[Tuple[str, Any], List[Dict[str, Any]]]:
    out: Dict[Tuple[str, Any], List[Dict[str, Any]]] = {}
    for message in load("runner-to-worker.jsonl"):
        out.setdefault(_shape_key(message), []).append(message)
    return out


def mismatch(message: Dict[str, Any], raw_line: bytes) -> str:
    """Why `message` fits no golden line ("" when it fits)."""
    message = {k: v for k, v in message.items() if not k.startswith("_")}
    compact = json.dumps(message, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    if compact != raw_line:
        return f"not in the compact JSON form: {raw_line!r}"
    candidates = shapes().get(_shape_key(message))
    if not candidates:
        return f"no golden message of type/status {_shape_key(message)}"
    for golden in candidates:
        if list(golden) != list(message):
            continue
        if all(k in FREE_VALUES or _json_type(golden[k]) == _json_type(v) for k, v in message.items()):
            return ""
    return f"{message} has none of the golden shapes {candidates}"


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return type(value).__name__
