"""Prepares predict()'s keyword arguments from a prediction's (already validated) input: fills
what is missing from the Input defaults (the server may leave out inputs whose default is None),
drops names predict() does not take, and converts values by annotation: Path/File/Secret,
lists of them, ints given for floats.
"""
from __future__ import annotations

import base64
import copy
import inspect
import io
import mimetypes
import os
import shutil
import tempfile
import urllib.parse
from typing import Any, Callable, Dict, List

import cog
from cog.types import REQUIRED

from . import annotations as ann
from .schema_input import field_info, input_parameters


class InputError(Exception):
    """An input the predictor cannot be called with (the caller's fault)."""


class PreparedInputs:
    """The arguments, and the temporary files and open files made for them (closed after)."""

    def __init__(self) -> None:
        self.kwargs: Dict[str, Any] = {}
        self._cleanups: List[Callable[[], None]] = []

    def cleanup(self) -> None:
        for fn in self._cleanups:
            try:
                fn()
            except Exception:
                pass
        self._cleanups.clear()


class InputPlan:
    """What a predictor's signature says about its inputs, worked out once at setup."""

    def __init__(self, fn: Any) -> None:
        hints = ann.safe_type_hints(fn)
        self.params = [(name, field_info(param), hints.get(name, Any)) for name, param in input_parameters(fn)]
        self.takes_kwargs = any(p.kind is p.VAR_KEYWORD for p in inspect.signature(fn).parameters.values())

    def prepare(self, raw: Dict[str, Any]) -> PreparedInputs:
        prepared = PreparedInputs()
        try:
            for name, info, tp in self.params:
                if name in raw:
                    value = raw[name]
                elif info.default is not REQUIRED:
                    # Each prediction gets its own copy of a mutable default.
                    value = copy.deepcopy(info.default) if isinstance(info.default, (list, dict)) else info.default
                elif ann.split_optional(tp)[1]:
                    value = None
                else:
                    raise InputError(f"{name}: field required")
                prepared.kwargs[name] = convert(value, tp, prepared)
            if self.takes_kwargs:
                known = {name for name, _, _ in self.params}
                prepared.kwargs.update({k: v for k, v in raw.items() if k not in known})
        except BaseException:
            prepared.cleanup()
            raise
        return prepared


def convert(value: Any, tp: Any, prepared: PreparedInputs) -> Any:
    if value is None:
        return None
    tp, _ = ann.split_optional(tp)
    if ann.is_path(tp):
        return to_path(value, prepared) if isinstance(value, str) else value
    if ann.is_file(tp):
        return _to_file(value, prepared) if isinstance(value, str) else value
    if ann.is_secret(tp):
        return value if isinstance(value, cog.Secret) else cog.Secret(value)
    if tp is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)  # JSON has one number type; pydantic gives a float input a float
    item = ann.list_item(tp)
    if item is not None and isinstance(value, list):
        return [convert(v, item, prepared) for v in value]
    if ann.is_union(tp):
        # Union[str, List[str]] and the like: convert by the member the value's shape fits.
        for member in ann.args(tp):
            if (ann.list_item(member) is not None) == isinstance(value, list):
                return convert(value, member, prepared)
    return value


def to_path(value: str, prepared: PreparedInputs) -> cog.Path:
    """A local path as it is; a data: URL written to a temp file (Cog's `file.<ext>`); an http(s)
    URL kept as a URLPath (fetching remote files is the server's job)."""
    if value.startswith("data:"):
        data, mime = _decode_data_url(value)
        directory = tempfile.mkdtemp(prefix="cog-input-")
        prepared._cleanups.append(lambda: shutil.rmtree(directory, ignore_errors=True))
        path = os.path.join(directory, "file" + (mimetypes.guess_extension(mime) or ""))
        with open(path, "wb") as handle:
            handle.write(data)
        return cog.Path(path)
    if value.startswith(("http://", "https://")):
        return cog.URLPath(value)
    return cog.Path(value)


def _to_file(value: str, prepared: PreparedInputs) -> Any:
    """Cog's deprecated File input is a readable binary file object."""
    if value.startswith("data:"):
        return io.BytesIO(_decode_data_url(value)[0])
    if value.startswith(("http://", "https://")):
        return cog.URLPath(value)
    handle = open(value, "rb")
    prepared._cleanups.append(handle.close)
    return handle


def _decode_data_url(url: str) -> "tuple[bytes, str]":
    header, comma, payload = url[5:].partition(",")
    if not comma:
        raise InputError("a data: URL needs a comma before its data")
    parts = header.split(";")
    mime = parts[0] or "text/plain"
    try:
        data = base64.b64decode(payload, validate=False) if "base64" in parts[1:] else urllib.parse.unquote_to_bytes(payload)
    except ValueError as error:
        raise InputError(f"invalid base64 in data: URL: {error}") from None
    return data, mime
