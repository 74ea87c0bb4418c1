"""Reads type annotations the way Cog interprets them: Optional, List, Literal, Union, Path,
File, Secret, iterators and output models. Shared by the schema and the input conversion.
"""
from __future__ import annotations

import collections.abc
import dataclasses
import enum
import inspect
import pathlib
import types
import typing
from typing import Any, Dict, List, Optional, Tuple

import cog
from cog.types import AsyncConcatenateIterator, ConcatenateIterator

_UNION_TYPES: Tuple[Any, ...] = (typing.Union,) + ((types.UnionType,) if hasattr(types, "UnionType") else ())
_ITERATORS = (collections.abc.Iterator, collections.abc.Generator, collections.abc.Iterable)
_ASYNC_ITERATORS = (collections.abc.AsyncIterator, collections.abc.AsyncGenerator, collections.abc.AsyncIterable)


def type_hints(fn: Any) -> Dict[str, Any]:
    """Resolved annotations (`from __future__ import annotations` included)."""
    return typing.get_type_hints(fn)


def safe_type_hints(fn: Any) -> Dict[str, Any]:
    """As type_hints, but never fails: serving must not break on an annotation the schema
    step already reported; unresolved names just get no conversion."""
    try:
        return typing.get_type_hints(fn)
    except Exception:
        return dict(getattr(fn, "__annotations__", {}))


def origin(tp: Any) -> Any:
    return typing.get_origin(tp)


def args(tp: Any) -> Tuple[Any, ...]:
    return typing.get_args(tp)


def is_union(tp: Any) -> bool:
    return origin(tp) in _UNION_TYPES


def split_optional(tp: Any) -> Tuple[Any, bool]:
    """`Optional[T]` / `T | None` → (T, True); a wider union keeps its other members."""
    if not is_union(tp):
        return tp, False
    members = [m for m in args(tp) if m is not type(None)]
    if len(members) == len(args(tp)):
        return tp, False
    return (members[0] if len(members) == 1 else typing.Union[tuple(members)]), True


def literal_values(tp: Any) -> Optional[List[Any]]:
    return list(args(tp)) if origin(tp) is typing.Literal else None


def list_item(tp: Any) -> Any:
    """The item type of List[T]/list[T]/Sequence-like annotations; Any for a bare list; None
    when tp is not a list."""
    if tp in (list, List, tuple):
        return Any
    if origin(tp) in (list, tuple, collections.abc.Sequence, set, frozenset):
        return args(tp)[0] if args(tp) else Any
    return None


def is_dict(tp: Any) -> bool:
    return tp in (dict, Dict) or origin(tp) in (dict, collections.abc.Mapping)


def is_path(tp: Any) -> bool:
    return inspect.isclass(tp) and issubclass(tp, pathlib.PurePath)


def is_file(tp: Any) -> bool:
    return tp is cog.File


def is_secret(tp: Any) -> bool:
    return tp is cog.Secret


def iterator_kind(tp: Any) -> Tuple[Optional[str], Any]:
    """("iterator"|"concatenate", item type) for an iterator output annotation, else (None, None)."""
    base = origin(tp) or tp
    item = args(tp)[0] if args(tp) else Any
    if base in (ConcatenateIterator, AsyncConcatenateIterator):
        return "concatenate", item
    if base in _ITERATORS or base in _ASYNC_ITERATORS:
        return "iterator", item
    return None, None


def is_model(tp: Any) -> bool:
    """An output object type: cog.BaseModel, a pydantic model, or a dataclass."""
    if not inspect.isclass(tp):
        return False
    return issubclass(tp, cog.BaseModel) or hasattr(tp, "model_fields") or hasattr(tp, "__fields__") or dataclasses.is_dataclass(tp)


def model_fields(tp: Any) -> List[Tuple[str, Any, bool, Any]]:
    """(name, type, has_default, default) for each field of an output model, in order."""
    hints = type_hints(tp)
    out = []
    if dataclasses.is_dataclass(tp):
        for field in dataclasses.fields(tp):
            has = field.default is not dataclasses.MISSING
            out.append((field.name, hints.get(field.name, Any), has, field.default if has else None))
        return out
    pydantic_fields = getattr(tp, "model_fields", None)
    names = getattr(tp, "__cog_fields__", None) or list(pydantic_fields or hints)
    for name in names:
        if pydantic_fields is not None and name in pydantic_fields:
            info = pydantic_fields[name]
            has = not info.is_required()
            out.append((name, hints.get(name, Any), has, info.default if has else None))
        else:
            has = hasattr(tp, name)
            out.append((name, hints.get(name, Any), has, getattr(tp, name, None)))
    return out


def is_enum(tp: Any) -> bool:
    return inspect.isclass(tp) and issubclass(tp, enum.Enum)
