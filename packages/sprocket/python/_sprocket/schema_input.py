"""Cog's `Input` component from a predict()/run() signature (cog.md §1.3, §3.5): a titled
property per parameter with `x-order`, `required` = parameters without a default, and an enum
component named after each parameter with choices (or a Literal type). Numbers render as given,
which is pydantic v2's rendering (`ge=1` → `minimum: 1`), the one Replicate's images show.
"""
from __future__ import annotations

import enum
import inspect
import pathlib
from typing import Any, Dict, List, Optional, Tuple

import cog
from cog.types import REQUIRED, FieldInfo

from . import annotations as ann

Json = Dict[str, Any]
SCALARS = {str: "string", int: "integer", float: "number", bool: "boolean"}
FIXED_NAMES = ("Input", "Output", "PredictionRequest", "PredictionResponse", "Status", "WebhookEvent",
               "HTTPValidationError", "ValidationError")


def title(name: str) -> str:
    """pydantic's field title: `no_default` → "No Default" (str.title() rules)."""
    return name.replace("_", " ").title()


def field_info(param: inspect.Parameter) -> FieldInfo:
    """The Input(...) of a parameter; a plain default `x: int = 5` is Input(default=5)."""
    if isinstance(param.default, FieldInfo):
        return param.default
    return FieldInfo(REQUIRED if param.default is inspect.Parameter.empty else param.default)


def json_value(value: Any) -> Any:
    """A default as JSON shows it."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, pathlib.PurePath):
        return str(value)
    if isinstance(value, cog.Secret):
        return value.get_secret_value()
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    return value


def input_parameters(fn: Any) -> List[Tuple[str, inspect.Parameter]]:
    """The named inputs of predict(), refusing what Cog refuses at load time."""
    out = []
    for name, param in inspect.signature(fn).parameters.items():
        if param.kind is inspect.Parameter.VAR_POSITIONAL:
            raise TypeError(f"predict() may not take *{name}: inputs are passed by name")
        if param.kind is not inspect.Parameter.VAR_KEYWORD:
            out.append((name, param))
    return out


def input_component(fn: Any) -> Tuple[Json, Dict[str, Json]]:
    """(the `Input` component, enum components by name)."""
    hints = ann.type_hints(fn)
    properties: Json = {}
    required: List[str] = []
    enums: Dict[str, Json] = {}
    for order, (name, param) in enumerate(input_parameters(fn)):
        if name not in hints:
            raise TypeError(f"No input type provided for parameter `{name}`")
        info = field_info(param)
        value_type, optional = ann.split_optional(hints[name])
        choices = info.choices if info.choices is not None else ann.literal_values(value_type)
        if choices:
            if name in FIXED_NAMES:
                raise TypeError(f"input `{name}` has choices, so its enum component would replace Cog's `{name}`; rename it")
            enums[name] = {"title": name, "description": "An enumeration.", "enum": list(choices), "type": _choice_type(name, choices)}
            properties[name] = {"allOf": [{"$ref": f"#/components/schemas/{name}"}], **_annotations(info), "x-order": order}
        else:
            prop: Json = {"title": title(name), **value_schema(value_type, name), **_constraints(info)}
            if optional:
                prop["nullable"] = True
            properties[name] = {**prop, **_annotations(info), "x-order": order}
        if info.default is REQUIRED and not optional:
            required.append(name)
    component: Json = {"title": "Input", "type": "object", "properties": properties}
    if required:  # pydantic leaves out an empty `required`
        component["required"] = required
    return component, enums


def simple_schema(tp: Any) -> Optional[Json]:
    """Scalars, files and secrets: the same schema in inputs and outputs; None for other types."""
    if tp in SCALARS:
        return {"type": SCALARS[tp]}
    if ann.is_path(tp) or ann.is_file(tp):
        return {"type": "string", "format": "uri"}
    if ann.is_secret(tp):
        return {"type": "string", "format": "password", "x-cog-secret": True}
    return None


def value_schema(tp: Any, name: str) -> Json:
    """The type part of an input's schema, shared by a property and an array's `items`."""
    simple = simple_schema(tp)
    if simple is not None:
        return simple
    literal = ann.literal_values(tp)
    if literal:
        return {"type": _choice_type(name, literal), "enum": literal}
    item = ann.list_item(tp)
    if item is not None:
        return {"type": "array", "items": {} if item is Any else value_schema(item, name)}
    if ann.is_union(tp):
        return {"anyOf": [value_schema(member, name) for member in ann.args(tp)]}
    if ann.is_dict(tp):
        return {"type": "object"}
    if tp is Any:
        return {}
    raise TypeError(f"input `{name}` has type {getattr(tp, '__name__', tp)!s}, which Cog does not accept as an input "
                    "(use str, int, float, bool, Path, File, Secret, a List or Optional of those, or Literal)")


def _choice_type(name: str, choices: List[Any]) -> str:
    if all(isinstance(c, str) for c in choices):
        return "string"
    if all(isinstance(c, int) and not isinstance(c, bool) for c in choices):
        return "integer"
    raise TypeError(f"input `{name}`: choices must all be str or all be int")


def _constraints(info: FieldInfo) -> Json:
    out: Json = {}
    if info.ge is not None:
        out["minimum"] = info.ge
    if info.le is not None:
        out["maximum"] = info.le
    if info.min_length is not None:
        out["minLength"] = info.min_length
    if info.max_length is not None:
        out["maxLength"] = info.max_length
    if info.regex is not None:
        out["pattern"] = info.regex
    return out


def _annotations(info: FieldInfo) -> Json:
    # Keys that describe rather than constrain; pydantic omits `default: None`.
    out: Json = {}
    if info.description is not None:
        out["description"] = info.description
    if info.default is not REQUIRED and info.default is not None:
        out["default"] = json_value(info.default)
    if info.deprecated:
        out["deprecated"] = True
    if info.accept is not None:
        out["x-cog-accept"] = info.accept
    return out
