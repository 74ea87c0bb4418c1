"""The types predictors annotate their inputs and outputs with (Cog's `cog.types`).

They carry no validation: the server validates inputs against the schema before the harness
sees them, and the harness converts values by annotation (see _sprocket/inputs.py).
"""
from __future__ import annotations

import io
import pathlib
import typing
from typing import Any, List, Optional, TypeVar, Union

T = TypeVar("T")

# Cog's marker for "no default": the input is required. Ellipsis, as in pydantic's Field(...).
REQUIRED: Any = ...


class FieldInfo:
    """What Input(...) returns: an input's default and its schema options."""

    def __init__(self, default: Any = REQUIRED, description: Optional[str] = None, ge: Optional[float] = None,
                 le: Optional[float] = None, min_length: Optional[int] = None, max_length: Optional[int] = None,
                 regex: Optional[str] = None, choices: Optional[List[Union[str, int]]] = None,
                 deprecated: Optional[bool] = None, accept: Optional[str] = None, **extra: Any) -> None:
        self.default = default
        self.description = description
        self.ge = ge
        self.le = le
        self.min_length = min_length
        self.max_length = max_length
        # pydantic v2 spells it `pattern`; Cog models use `regex`.
        self.regex = regex if regex is not None else extra.pop("pattern", None)
        # `dict.keys()` and other iterables are allowed (fixture input_choices_iterable).
        self.choices = list(choices) if choices is not None else None
        self.deprecated = deprecated
        self.accept = accept
        self.extra = extra

    def __repr__(self) -> str:
        return f"Input(default={self.default!r})"


def Input(default: Any = REQUIRED, **options: Any) -> Any:  # noqa: N802 (Cog's name)
    """Declares an input's default and options: `x: int = Input(default=3, ge=1)`."""
    return FieldInfo(default, **options)


class Path(pathlib.PosixPath):
    """A file input or output: a local path. Outputs are sent back as file URLs."""


class URLPath(Path):
    """A Path input that is still at its http(s) URL: str() gives the URL back, not a
    collapsed `https:/host/…` path. Fetching it is the server's job."""

    url: str

    def __new__(cls, url: str) -> "URLPath":
        self = super().__new__(cls, url.rstrip("/").rsplit("/", 1)[-1] or "file")
        self.url = url
        return self

    def __init__(self, url: str) -> None:  # pathlib ≥ 3.12 calls __init__ with the arguments
        try:
            super().__init__(url.rstrip("/").rsplit("/", 1)[-1] or "file")
        except TypeError:  # pathlib < 3.12: object.__init__ takes no arguments
            pass
        self.url = url

    def __str__(self) -> str:
        return self.url

    def __repr__(self) -> str:
        return f"URLPath({self.url!r})"


class File(io.IOBase):
    """Cog's deprecated file input: predict() gets a readable binary file object."""


class Secret:
    """A secret input: str() and repr() hide the value; get_secret_value() gives it."""

    def __init__(self, value: Optional[str] = None) -> None:
        self._value = value

    def get_secret_value(self) -> Optional[str]:
        return self._value

    def __str__(self) -> str:
        return "**********" if self._value else ""

    def __repr__(self) -> str:
        return f"Secret('{self}')"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


Iterator = typing.Iterator
AsyncIterator = typing.AsyncIterator


class ConcatenateIterator(typing.Iterator[T]):
    """Output marker: the yielded strings are one text (clients join them)."""


class AsyncConcatenateIterator(typing.AsyncIterator[T]):
    """Async variant of ConcatenateIterator."""
