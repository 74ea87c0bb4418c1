"""The runner → worker half of the protocol (src/protocol/runner-messages.ts): one compact JSON
object per line on fd 3, the same bytes JSON.stringify writes. Every thread sends through
send(), whose lock keeps lines whole.
"""
from __future__ import annotations

import json
import os
import threading
from typing import Any, Dict

REPLY_FD = 3
_lock = threading.Lock()
_MAIN = threading.main_thread().ident

# The sync-cancel signal handler (cancel.py) runs on the main thread and must not raise in the
# middle of a line: while the main thread is inside send() it only sets `cancel_deferred`, and
# send() raises once the line is out.
main_sending = False
cancel_deferred = False


def encode(message: Dict[str, Any]) -> bytes:
    """The wire form of a message. Raises TypeError/ValueError for what JSON cannot carry
    (an object, NaN): callers turn that into a failed prediction instead of a broken line."""
    text = json.dumps(message, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return (text + "\n").encode("utf-8", "surrogatepass")


def send(message: Dict[str, Any]) -> None:
    write(encode(message))


def write(line: bytes) -> None:
    global main_sending, cancel_deferred
    on_main = threading.get_ident() == _MAIN
    if on_main:
        main_sending = True
    try:
        with _lock:
            view = memoryview(line)
            while view:
                try:
                    written = os.write(REPLY_FD, view)
                except BrokenPipeError:
                    os._exit(0)  # the worker is gone: nobody can receive anything any more
                view = view[written:]
    finally:
        if on_main:
            main_sending = False
            if cancel_deferred:
                cancel_deferred = False
                from cog.exceptions import CancelationException

                raise CancelationException()
