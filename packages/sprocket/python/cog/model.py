"""cog.BaseModel: a small dataclass-like base for structured outputs.

Subclasses declare annotated fields (class attributes give defaults); instances take keyword
arguments. The harness turns instances into JSON objects and their classes into schemas.
"""
from __future__ import annotations

import copy
from typing import Any, Dict, List


def _is_classvar(annotation: Any) -> bool:
    text = annotation if isinstance(annotation, str) else repr(annotation)
    return text.startswith(("ClassVar", "typing.ClassVar"))


class BaseModel:
    __cog_fields__: List[str] = []

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        names: List[str] = []
        # Base classes' fields first, as dataclasses and pydantic order them.
        for klass in reversed(cls.__mro__):
            for name, annotation in klass.__dict__.get("__annotations__", {}).items():
                if name not in names and not name.startswith("_") and not _is_classvar(annotation):
                    names.append(name)
        cls.__cog_fields__ = names

    def __init__(self, **values: Any) -> None:
        fields = type(self).__cog_fields__
        unknown = [name for name in values if name not in fields]
        if unknown:
            raise TypeError(f"{type(self).__name__} has no field(s) {', '.join(unknown)}")
        for name in fields:
            if name in values:
                setattr(self, name, values[name])
            elif hasattr(type(self), name):
                # A fresh copy, so that instances never share a mutable default.
                setattr(self, name, copy.copy(getattr(type(self), name)))
            else:
                raise TypeError(f"{type(self).__name__}: missing field '{name}'")

    def dict(self) -> Dict[str, Any]:
        return {name: getattr(self, name) for name in type(self).__cog_fields__}

    model_dump = dict

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.dict() == self.dict()  # type: ignore[attr-defined]

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v!r}" for k, v in self.dict().items())
        return f"{type(self).__name__}({inner})"
