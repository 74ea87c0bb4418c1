"""Turns what predict() returns into JSON, as Cog's encoder does: models → objects, enums →
values, datetimes → ISO text, numpy values → Python numbers, and files (paths and file objects,
also inside lists, dicts, models and iterator items) → `data:<mime>;base64,…` URLs.
"""
from __future__ import annotations

import base64
import collections.abc
import dataclasses
import datetime
import enum
import io
import mimetypes
import os
import pathlib
import urllib.parse
from typing import Any

import cog


def is_streamed(value: Any) -> bool:
    """A generator or other iterator (sync or async) whose items are sent as they come."""
    if isinstance(value, (str, bytes, bytearray, dict, list, tuple, io.IOBase)):
        return False
    return isinstance(value, (collections.abc.Iterator, collections.abc.AsyncIterator))


def encode(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, enum.Enum):
        return encode(value.value)
    if isinstance(value, cog.Secret):
        return str(value)
    if isinstance(value, cog.URLPath):
        return value.url
    if isinstance(value, (pathlib.PurePath, os.PathLike)):
        return _path_to_data_url(os.fspath(value))
    if isinstance(value, io.IOBase) or (hasattr(value, "read") and callable(value.read)):
        return _file_to_data_url(value)
    if isinstance(value, dict):
        return {str(encode(k)): encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [encode(v) for v in value]
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, cog.BaseModel):
        return encode(value.dict())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return encode({f.name: getattr(value, f.name) for f in dataclasses.fields(value)})
    if hasattr(value, "model_dump"):  # pydantic v2
        return encode(value.model_dump(exclude_unset=True))
    if hasattr(value, "dict") and hasattr(value, "__fields__"):  # pydantic v1
        return encode(value.dict(exclude_unset=True))
    if hasattr(value, "tolist"):  # numpy scalars and arrays
        return encode(value.tolist())
    raise TypeError(f"predict() returned a {type(value).__name__}, which cannot be sent as JSON")


def _path_to_data_url(path: str) -> str:
    with open(path, "rb") as handle:
        data = handle.read()
    return _data_url(data, path)


def _file_to_data_url(handle: Any) -> str:
    if hasattr(handle, "seek"):
        try:
            handle.seek(0)
        except (OSError, ValueError):
            pass  # an unseekable stream is read from where it is
    data = handle.read()
    if isinstance(data, str):
        data = data.encode("utf-8")
    name = getattr(handle, "name", None)
    return _data_url(data, name if isinstance(name, str) else None)


def _data_url(data: bytes, name: Any) -> str:
    mime = (mimetypes.guess_type(name)[0] if name else None) or "application/octet-stream"
    # RFC 2397 allows parameters before ";base64": the file's name travels with its bytes, so the
    # server can serve the output under the name the model gave it.
    param = f";name={urllib.parse.quote(os.path.basename(name), safe='')}" if name else ""
    return f"data:{mime}{param};base64,{base64.b64encode(data).decode('ascii')}"
