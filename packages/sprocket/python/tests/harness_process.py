"""Runs sprocket_harness.py as the Node worker does: a real child process, commands on its stdin,
replies on its fd 3 (one end of a socketpair). Shared by the test files; not itself a test."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from typing import Any, Callable, Dict, List, Optional

PYTHON_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HARNESS = os.path.join(PYTHON_DIR, "sprocket_harness.py")
FIXTURES = os.path.join(PYTHON_DIR, "tests", "fixtures")
GOLDEN_DIR = os.path.join(os.path.dirname(PYTHON_DIR), "test", "fixtures", "protocol")

Message = Dict[str, Any]


def fixture(name: str) -> str:
    return os.path.join(FIXTURES, name)


class Harness:
    def __init__(self, model: str, *, schema: bool = False, env: Optional[Dict[str, str]] = None) -> None:
        directory = fixture(model) if not os.path.isabs(model) else model
        ours, theirs = socket.socketpair()
        child_end = theirs.fileno()

        def put_reply_socket_on_fd_3() -> None:
            os.dup2(child_end, 3)

        args = [sys.executable, "-u", HARNESS] + (["--schema"] if schema else []) + [directory]
        self.process = subprocess.Popen(
            args, cwd=directory, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env={**os.environ, **(env or {})}, preexec_fn=put_reply_socket_on_fd_3, close_fds=False,
        )
        theirs.close()
        self.replies = ours
        self.pending = b""
        self.messages: List[Message] = []  # every message received, in order
        self.raw_lines: List[bytes] = []

    def send(self, message: Message) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(message).encode() + b"\n")
        self.process.stdin.flush()

    def next_message(self, timeout: float = 10.0) -> Optional[Message]:
        """The next message, or None at end of stream."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self.pending:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no message within {timeout} s; got so far: {self.messages}")
            self.replies.settimeout(remaining)
            chunk = self.replies.recv(1 << 20)
            if not chunk:
                return None
            self.pending += chunk
        line, self.pending = self.pending.split(b"\n", 1)
        self.raw_lines.append(line)
        message = json.loads(line)
        message["_at"] = time.monotonic()
        self.messages.append(message)
        return message

    def wait_for(self, predicate: Callable[[Message], bool], timeout: float = 10.0) -> Message:
        for message in self.messages:
            if predicate(message) and not message.get("_taken"):
                message["_taken"] = True
                return message
        while True:
            message = self.next_message(timeout)
            if message is None:
                raise AssertionError(f"stream ended; messages: {self.messages}")
            if predicate(message):
                message["_taken"] = True
                return message

    def setup(self) -> Message:
        self.send({"type": "setup"})
        return self.wait_for(lambda m: m["type"] in ("ready", "setup_failed"), timeout=20)

    def predict(self, prediction_id: str, input: Message, timeout: float = 10.0) -> Message:
        self.send({"type": "predict", "id": prediction_id, "input": input})
        return self.done(prediction_id, timeout)

    def done(self, prediction_id: str, timeout: float = 10.0) -> Message:
        return self.wait_for(lambda m: m["type"] == "done" and m["id"] == prediction_id, timeout)

    def of(self, prediction_id: str, kind: str) -> List[Message]:
        return [m for m in self.messages if m.get("id") == prediction_id and m["type"] == kind]

    def logs(self, prediction_id: Optional[str]) -> str:
        return "".join(m["data"] for m in self.messages if m["type"] == "log" and m.get("id") == prediction_id)

    def drain(self, timeout: float = 10.0) -> List[Message]:
        """Reads until the child closes fd 3 (it exits)."""
        while self.next_message(timeout) is not None:
            pass
        return self.messages

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            if stream:
                stream.close()
        self.replies.close()
