"""Cancels the sync prediction running on the main thread the way Cog does: a SIGUSR1 whose
handler raises cog.CancelationException. A signal also interrupts time.sleep and blocking
reads on the main thread, which an exception set from another thread
(PyThreadState_SetAsyncExc) could not: that one waits until the blocking call returns.

Protocol of the two threads (no lock needed, each step is one bytecode under the GIL): the main
thread sets `running_id` and then checks `requested`; request() adds to `requested` and then
checks `running_id`. Whatever the interleaving, one of them sees the other.
"""
from __future__ import annotations

import signal
import threading
from typing import Any, Optional, Set

from cog.exceptions import CancelationException

from . import wire


class SyncCancel:
    def __init__(self) -> None:
        self.running_id: Optional[str] = None
        self.requested: Set[str] = set()
        self._main = threading.main_thread().ident
        signal.signal(signal.SIGUSR1, self._on_signal)

    def request(self, prediction_id: str) -> None:
        """From the command reader thread: cancel this prediction, now or when it starts."""
        self.requested.add(prediction_id)
        if self.running_id == prediction_id and self._main is not None:
            signal.pthread_kill(self._main, signal.SIGUSR1)

    def _on_signal(self, signum: int, frame: Any) -> None:
        running = self.running_id
        if running is None or running not in self.requested:
            return  # the prediction ended before the signal landed
        if wire.main_sending:
            wire.cancel_deferred = True  # never cut a protocol line in half
            return
        raise CancelationException()
