"""Cog's `Output` component from predict()'s return annotation (cog.md §1.3): primitives, lists,
files as `format: uri`, iterators as arrays marked `x-cog-array-type: iterator` (plus
`x-cog-array-display: concatenate` for ConcatenateIterator), a model named `Output` inlined, any
other model as a `$ref` to a component of its own name.
"""
from __future__ import annotations

import enum
from typing import Any, Dict

from . import annotations as ann
from .schema_input import SCALARS, json_value, simple_schema, title

Json = Dict[str, Any]


def output_component(fn: Any, components: Dict[str, Json]) -> Json:
    """The `Output` component; model components it references are added to `components`.
    No return annotation is treated as `Any` (Cog refuses to load such a predictor)."""
    returns = ann.type_hints(fn).get("return", Any)
    kind, item = ann.iterator_kind(returns)
    if kind is None:
        return {"title": "Output", **schema_of(returns, components)}
    schema: Json = {"title": "Output", "type": "array", "items": schema_of(item, components), "x-cog-array-type": "iterator"}
    if kind == "concatenate":
        schema["x-cog-array-display"] = "concatenate"
    return schema


def schema_of(tp: Any, components: Dict[str, Json]) -> Json:
    if tp is Any or tp is type(None) or tp is None:
        return {}
    simple = simple_schema(tp)
    if simple is not None:
        return simple
    inner, optional = ann.split_optional(tp)
    if optional:
        schema = schema_of(inner, components)
        # OpenAPI 3.0 ignores keys beside a $ref, so a nullable reference is wrapped.
        return {**({"allOf": [schema]} if "$ref" in schema else schema), "nullable": True}
    if ann.is_union(tp):
        return {"anyOf": [schema_of(member, components) for member in ann.args(tp)]}
    literal = ann.literal_values(tp)
    if literal:
        return {"enum": literal, **_scalar_of(literal[0])}
    item = ann.list_item(tp)
    if item is not None:
        return {"type": "array", "items": schema_of(item, components)}
    kind, item = ann.iterator_kind(tp)
    if kind is not None:  # an iterator inside another type is just its items' array
        return {"type": "array", "items": schema_of(item, components)}
    if ann.is_dict(tp):
        return {"type": "object"}
    if ann.is_enum(tp):
        values = [member.value for member in tp]
        return {"title": tp.__name__, "description": "An enumeration.", "enum": values, **_scalar_of(values[0] if values else "")}
    if ann.is_model(tp):
        if tp.__name__ == "Output":
            return _model_schema(tp, components)
        if tp.__name__ not in components:
            components[tp.__name__] = {}  # placeholder first: a model may refer to itself
            components[tp.__name__] = {"title": tp.__name__, **_model_schema(tp, components)}
        return {"$ref": f"#/components/schemas/{tp.__name__}"}
    return {}


def _model_schema(tp: Any, components: Dict[str, Json]) -> Json:
    properties: Json = {}
    required = []
    for name, field_type, has_default, default in ann.model_fields(tp):
        prop: Json = {"title": title(name), **schema_of(field_type, components)}
        if has_default and default is not None:
            prop["default"] = json_value(default)
        if not has_default:
            required.append(name)
        properties[name] = prop
    schema: Json = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return schema


def _scalar_of(value: Any) -> Json:
    for python_type, json_type in SCALARS.items():
        if type(value) is python_type:
            return {"type": json_type}
    return {}
