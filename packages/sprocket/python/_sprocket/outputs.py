"""Turns what predict() returns into JSON, as Cog's encoder does: models → objects, enums →
values, datetimes → ISO text, numpy values → Python numbers, and files (paths and file objects,
also inside lists, dicts, models and iterator items) → files staged for the worker, or
`data:<mime>;base64,…` URLs where no staging directory is given (Cog's own server).

Staging (SPROCKET_OUTPUT_DIR, set by `sprocket serve`'s worker): each file is copied there under a
random token (the kernel copies; the bytes never pass through Python), the output holds
`sprocket-staged:<token>` in its place, and `files` collects what the message must list.
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
import secrets
import shutil
import urllib.parse
from typing import Any, Dict, Optional

import cog


def is_streamed(value: Any) -> bool:
    """A generator or other iterator (sync or async) whose items are sent as they come."""
    if isinstance(value, (str, bytes, bytearray, dict, list, tuple, io.IOBase)):
        return False
    return isinstance(value, (collections.abc.Iterator, collections.abc.AsyncIterator))


STAGED_PREFIX = "sprocket-staged:"
Files = Dict[str, Dict[str, str]]


def encode(value: Any, files: Optional[Files] = None) -> Any:
    """`files`: where staged files are listed; None (or no staging directory) inlines them."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, enum.Enum):
        return encode(value.value, files)
    if isinstance(value, cog.Secret):
        return str(value)
    if isinstance(value, cog.URLPath):
        return value.url
    if isinstance(value, (pathlib.PurePath, os.PathLike)):
        path = os.fspath(value)
        return _stage_path(path, files) if files is not None and _staging_dir() else _path_to_data_url(path)
    if isinstance(value, io.IOBase) or (hasattr(value, "read") and callable(value.read)):
        return _stage_handle(value, files) if files is not None and _staging_dir() else _file_to_data_url(value)
    if isinstance(value, dict):
        return {str(encode(k)): encode(v, files) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [encode(v, files) for v in value]
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, cog.BaseModel):
        return encode(value.dict(), files)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return encode({f.name: getattr(value, f.name) for f in dataclasses.fields(value)}, files)
    if hasattr(value, "model_dump"):  # pydantic v2
        return encode(value.model_dump(exclude_unset=True), files)
    if hasattr(value, "dict") and hasattr(value, "__fields__"):  # pydantic v1
        return encode(value.dict(exclude_unset=True), files)
    if hasattr(value, "tolist"):  # numpy scalars and arrays
        return encode(value.tolist(), files)
    raise TypeError(f"predict() returned a {type(value).__name__}, which cannot be sent as JSON")


def _staging_dir() -> Optional[str]:
    return os.environ.get("SPROCKET_OUTPUT_DIR") or None


def _mime(name: Optional[str]) -> str:
    return (mimetypes.guess_type(name)[0] if name else None) or "application/octet-stream"


def _register(files: Files, target: str, name: Optional[str], token: str) -> str:
    base = os.path.basename(name) if name else ""
    files[token] = {"path": target, "name": base, "content_type": _mime(name)}
    return STAGED_PREFIX + token


def _flush(target: str) -> None:
    """Flushed here, in the model's process: otherwise the server's next database sync waits for
    these bytes to reach the disk (~90 ms for 100 MiB), stalling every request it serves."""
    fd = os.open(target, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _stage_path(path: str, files: Files) -> str:
    token = secrets.token_hex(16)
    target = os.path.join(_staging_dir() or "", token)
    shutil.copyfile(path, target)
    _flush(target)
    return _register(files, target, path, token)


def _stage_handle(handle: Any, files: Files) -> str:
    if hasattr(handle, "seek"):
        try:
            handle.seek(0)
        except (OSError, ValueError):
            pass  # an unseekable stream is read from where it is
    token = secrets.token_hex(16)
    target = os.path.join(_staging_dir() or "", token)
    with open(target, "wb") as out:
        while True:
            chunk = handle.read(1 << 20)
            if not chunk:
                break
            out.write(chunk.encode("utf-8") if isinstance(chunk, str) else chunk)
        out.flush()
        os.fsync(out.fileno())
    name = getattr(handle, "name", None)
    return _register(files, target, name if isinstance(name, str) else None, token)


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
    mime = _mime(name)
    # RFC 2397 allows parameters before ";base64": the file's name travels with its bytes, so the
    # server can serve the output under the name the model gave it.
    param = f";name={urllib.parse.quote(os.path.basename(name), safe='')}" if name else ""
    return f"data:{mime}{param};base64,{base64.b64encode(data).decode('ascii')}"
