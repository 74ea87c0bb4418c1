"""Turns what the predictor prints through Python (print, sys.stdout/stderr, logging) into `log`
messages, tagged with the prediction the printing code runs for (cog.scope's ContextVar), so a
log line always reaches its prediction before that prediction's `done`. Output written by C code
straight to fds 1/2 bypasses this and reaches the worker's stdout/stderr pipes instead.
"""
from __future__ import annotations

import codecs
import io
import sys
from typing import Any

from cog.scope import current_prediction_id

from . import wire


def send_log(data: str, prediction_id: Any = None) -> None:
    if not data:
        return
    message = {"type": "log", "id": prediction_id, "data": data}
    if prediction_id is None:
        del message["id"]
    wire.send(message)


class _BytesSink(io.RawIOBase):
    """`sys.stdout.buffer`: bytes written there are decoded and logged like text."""

    def __init__(self, owner: "LogStream") -> None:
        super().__init__()
        self._owner = owner
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self._owner.write(self._decoder.decode(bytes(data)))
        return len(data)


class LogStream(io.TextIOBase):
    def __init__(self, name: str, fd: int) -> None:
        super().__init__()
        self._name = name
        self._fd = fd
        self._buffer = _BytesSink(self)

    @property
    def name(self) -> str:
        return self._name

    @property
    def encoding(self) -> str:
        return "utf-8"

    @property
    def errors(self) -> str:
        return "strict"

    @property
    def buffer(self) -> io.RawIOBase:
        return self._buffer

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        # Code handing the stream to a subprocess or faulthandler gets the real descriptor.
        return self._fd

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        send_log(text, current_prediction_id())
        return len(text)

    def flush(self) -> None:
        pass


def install() -> None:
    sys.stdout = LogStream("<stdout>", 1)
    sys.stderr = LogStream("<stderr>", 2)
