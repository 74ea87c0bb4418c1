"""Runs one loaded predictor: setup once, then predictions, each ending in exactly one `done`.

Sync predictions run on the main thread (one at a time, as Cog runs them), so that a cancel can
interrupt them with a signal (sync_cancel.py). Async setup and predictions share one event loop
in a dedicated thread (Cog: setup and predict use the same loop); concurrent async predictions
are tasks on it, told apart by cog.scope's ContextVar.
"""
from __future__ import annotations

import collections.abc
import inspect
import os
import threading
import time
import traceback
from typing import Any, Dict, List, Optional, Set

import cog.scope
from cog.exceptions import CancelationException
from cog.scope import _prediction_id

from . import loader, outputs, wire
from .annotations import safe_type_hints
from .inputs import InputError, InputPlan, PreparedInputs, convert
from .log_capture import send_log
from .sync_cancel import SyncCancel


def describe(error: BaseException) -> str:
    if isinstance(error, SystemExit):
        return f"sys.exit({'' if error.code is None else repr(error.code)}) was called"
    return str(error) or type(error).__name__


class Runtime:
    def __init__(self, directory: str, reference: str, yaml_concurrency: int, methods: "tuple[str, ...]" = ("predict", "run")) -> None:
        self.directory = directory
        self.reference = reference
        self.methods = methods
        self.yaml_concurrency = yaml_concurrency
        self.predictor: Optional[loader.Predictor] = None
        self.plan: Optional[InputPlan] = None
        self.ready = False
        self.loop: Optional[asyncio.AbstractEventLoop] = None
        self.sync_cancel = SyncCancel()
        self.active: Set[str] = set()
        self.staged: Dict[str, "outputs.Files"] = {}
        self.tasks: Dict[str, "asyncio.Task[None]"] = {}
        cog.scope._metric_sink = self._metric

    @property
    def is_async(self) -> bool:
        return self.predictor is not None and self.predictor.is_async

    # ---- setup (main thread) ----

    def setup(self) -> None:
        begun = time.monotonic()
        try:
            predictor = loader.load(self.directory, self.reference, self.methods)
            concurrency = max(self.yaml_concurrency, predictor.declared_concurrency())
            if concurrency > 1 and not predictor.is_async:
                raise RuntimeError(f"concurrency {concurrency} (cog.yaml concurrency.max or @cog.concurrent) requires an "
                                   f"async predict(); {self.reference}'s predict() is not async")
            if predictor.setup_is_async and not predictor.is_async:
                raise RuntimeError("setup() is async but predict() is not: an async setup() needs an async predict()")
            self.plan = InputPlan(predictor.entry)
            if predictor.is_async or predictor.setup_is_async:
                self._start_loop()
            if predictor.setup is not None:
                result = predictor.setup(**self._setup_arguments(predictor.setup))
                if inspect.isawaitable(result):
                    import asyncio  # lazily: it costs ~30 ms at start, and sync predictors never need it

                    assert self.loop is not None
                    asyncio.run_coroutine_threadsafe(_awaited(result), self.loop).result()
            self.predictor = predictor
            self.ready = True
            wire.send({"type": "ready", "concurrency": concurrency, "setup_time": time.monotonic() - begun})
        except BaseException as error:  # noqa: B902 (sys.exit in setup is a setup failure too)
            send_log(traceback.format_exc())
            wire.send({"type": "setup_failed", "error": describe(error)})

    def _setup_arguments(self, setup: Any) -> Dict[str, Any]:
        """setup(weights=…): COG_WEIGHTS, else a ./weights file or directory, else None."""
        if "weights" not in inspect.signature(setup).parameters:
            return {}
        value = os.environ.get("COG_WEIGHTS") or ("weights" if os.path.exists(os.path.join(self.directory, "weights")) else None)
        # Files made for the weights live as long as the process.
        return {"weights": convert(value, safe_type_hints(setup).get("weights", Any), PreparedInputs())}

    def _start_loop(self) -> None:
        import asyncio  # lazily: it costs ~30 ms at start and sync predictors never need it
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, name="cog-event-loop", daemon=True).start()

    # ---- predictions ----

    def predict(self, prediction_id: str, raw: Dict[str, Any]) -> None:
        """Sync predictors: runs here, on the main thread. Async: schedules a task and returns."""
        if not self.ready:
            wire.send({"type": "done", "id": prediction_id, "status": "failed", "error": "predict before setup finished", "fault": "system"})
            return
        self.active.add(prediction_id)
        if self.is_async:
            assert self.loop is not None
            self.loop.call_soon_threadsafe(self._start_task, prediction_id, raw)
        else:
            self._run_sync(prediction_id, raw if isinstance(raw, dict) else {})

    def cancel(self, prediction_id: str) -> None:
        """From the command reader thread."""
        if self.is_async and self.loop is not None:
            self.loop.call_soon_threadsafe(self._cancel_task, prediction_id)
        else:
            self.sync_cancel.request(prediction_id)

    def _files(self, prediction_id: str) -> "outputs.Files":
        """The files a prediction's final output stages, listed in its `done` message."""
        return self.staged.setdefault(prediction_id, {})

    def _collect(self, prediction_id: str, result: Any) -> Any:
        """A sync result's output: a generator's items sent one by one (and listed), else encoded."""
        if outputs.is_streamed(result):
            items: List[Any] = []
            for item in result:
                self._send_item(prediction_id, item, items)
            return items
        return outputs.encode(result, self._files(prediction_id))

    def _run_sync(self, prediction_id: str, raw: Dict[str, Any]) -> None:
        assert self.predictor is not None and self.plan is not None
        token = _prediction_id.set(prediction_id)
        prepared: Optional[PreparedInputs] = None
        try:
            try:
                self.sync_cancel.running_id = prediction_id
                if prediction_id in self.sync_cancel.requested:
                    raise CancelationException()
                prepared = self.plan.prepare(raw)
                result = self.predictor.entry(**prepared.kwargs)
                if isinstance(result, collections.abc.AsyncIterator):
                    import asyncio

                    output: Any = asyncio.run(self._drain_async(prediction_id, result))
                else:
                    output = self._collect(prediction_id, result)
            finally:
                self.sync_cancel.running_id = None
            self._succeed(prediction_id, output, self.sync_cancel.requested)
        except CancelationException:
            self._finish(prediction_id, {"status": "canceled"})
        except BaseException as error:  # noqa: B902 (sys.exit fails only this prediction)
            self._fail(prediction_id, error)
        finally:
            _prediction_id.reset(token)
            self.sync_cancel.requested.discard(prediction_id)
            if prepared is not None:
                prepared.cleanup()

    def _start_task(self, prediction_id: str, raw: Dict[str, Any]) -> None:
        assert self.loop is not None
        task = self.loop.create_task(self._run_async(prediction_id, raw if isinstance(raw, dict) else {}))
        self.tasks[prediction_id] = task
        if prediction_id in self.sync_cancel.requested:  # canceled before it was scheduled
            task.cancel()
        # A task canceled before its first step never runs its body: say it ended anyway.
        task.add_done_callback(lambda _: self._task_ended(prediction_id))

    def _cancel_task(self, prediction_id: str) -> None:
        self.sync_cancel.requested.add(prediction_id)
        task = self.tasks.get(prediction_id)
        if task is not None:
            task.cancel()

    def _task_ended(self, prediction_id: str) -> None:
        self.tasks.pop(prediction_id, None)
        if prediction_id in self.active:
            self._finish(prediction_id, {"status": "canceled"})
        self.sync_cancel.requested.discard(prediction_id)

    async def _run_async(self, prediction_id: str, raw: Dict[str, Any]) -> None:
        import asyncio  # lazily: it costs ~30 ms at start and sync predictors never need it
        assert self.predictor is not None and self.plan is not None
        _prediction_id.set(prediction_id)  # this task's own context
        prepared: Optional[PreparedInputs] = None
        try:
            prepared = self.plan.prepare(raw)
            result = self.predictor.entry(**prepared.kwargs)
            if inspect.isawaitable(result):
                result = await result
            if isinstance(result, collections.abc.AsyncIterator):
                output: Any = await self._drain_async(prediction_id, result)
            else:
                output = self._collect(prediction_id, result)
            self._succeed(prediction_id, output, self.sync_cancel.requested)
        except (asyncio.CancelledError, CancelationException):
            self._finish(prediction_id, {"status": "canceled"})
        except BaseException as error:  # noqa: B902
            self._fail(prediction_id, error)
        finally:
            if prepared is not None:
                prepared.cleanup()

    async def _drain_async(self, prediction_id: str, iterator: Any) -> List[Any]:
        items: List[Any] = []
        async for item in iterator:
            self._send_item(prediction_id, item, items)
        return items

    def _send_item(self, prediction_id: str, item: Any, items: List[Any]) -> None:
        files: outputs.Files = {}
        encoded = outputs.encode(item, files)
        message: Dict[str, Any] = {"type": "output", "id": prediction_id, "item": encoded}
        if files:
            message["files"] = files
        try:
            line = wire.encode(message)
        except ValueError:
            raise ValueError("an output item contains NaN or Infinity, which JSON cannot carry") from None
        items.append(encoded)
        wire.write(line)

    # ---- endings ----

    def _succeed(self, prediction_id: str, output: Any, cancel_requested: Set[str]) -> None:
        # A predictor that swallowed the cancellation still ends canceled, as the TS runner does.
        if prediction_id in cancel_requested:
            self._finish(prediction_id, {"status": "canceled"})
        else:
            self._finish(prediction_id, {"status": "succeeded", "output": output})

    def _fail(self, prediction_id: str, error: BaseException) -> None:
        if isinstance(error, InputError):
            self._finish(prediction_id, {"status": "failed", "error": describe(error), "fault": "input"})
            return
        send_log(traceback.format_exc(), prediction_id)
        self._finish(prediction_id, {"status": "failed", "error": describe(error), "fault": "model"})

    def _finish(self, prediction_id: str, ending: Dict[str, Any]) -> None:
        if prediction_id not in self.active:
            return  # one `done` per prediction
        files = self.staged.pop(prediction_id, None)
        if files and ending.get("status") == "succeeded":
            ending = {**ending, "files": files}
        elif files:
            for staged in files.values():  # no one will claim them
                try:
                    os.remove(staged["path"])
                except OSError:
                    pass
        try:
            line = wire.encode({"type": "done", "id": prediction_id, **ending})
        except (TypeError, ValueError):
            line = wire.encode({"type": "done", "id": prediction_id, "status": "failed",
                                "error": "the output contains NaN or Infinity, which JSON cannot carry", "fault": "model"})
        self.active.discard(prediction_id)
        wire.write(line)

    def _metric(self, prediction_id: str, name: str, value: Any) -> None:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            send_log(f"metric {name!r} ignored: its value must be a number\n", prediction_id)
            return
        try:
            wire.send({"type": "metric", "id": prediction_id, "name": str(name), "value": value})
        except ValueError:
            send_log(f"metric {name!r} ignored: NaN and Infinity cannot be sent\n", prediction_id)


async def _awaited(awaitable: Any) -> Any:
    return await awaitable
