"""Sprocket's Python runner: runs a Cog predictor in this process and speaks the worker⇄runner
protocol (src/protocol/runner-messages.ts) like the Node runner (src/runner/main.ts).

    python3 -u sprocket_harness.py DIR            serve predictions for the model in DIR
    python3 -u sprocket_harness.py --schema DIR   send the model's OpenAPI schema and exit

Commands arrive on stdin, one JSON object per line; replies leave on fd 3. Standard library
only: the model's own environment needs nothing of ours installed.
"""
from __future__ import annotations

import json
import os
import queue
import sys
import threading
import traceback

# This directory first, so `import cog` finds Sprocket's cog module even where the real one is
# installed; then the model's directory, where Cog runs predictors from.
HERE = os.path.dirname(os.path.abspath(__file__))


def main(argv: "list[str]") -> None:
    schema_mode = bool(argv) and argv[0] == "--schema"
    rest = argv[1:] if schema_mode else argv
    if len(rest) != 1:
        sys.__stderr__.write("usage: sprocket_harness.py [--schema] DIR\n")
        sys.exit(2)
    directory = os.path.abspath(rest[0])
    sys.path[:0] = [HERE, directory]
    if sys.path.count(HERE) > 1:
        sys.path.pop(sys.path.index(HERE, 1))

    from _sprocket import log_capture

    # Before any model code runs: what it prints becomes `log` messages (see log_capture.py).
    log_capture.install()
    os.chdir(directory)
    if schema_mode:
        run_schema(directory)
    else:
        serve(directory)


def run_schema(directory: str) -> None:
    from _sprocket import cog_yaml, loader, wire
    from _sprocket.log_capture import send_log
    from _sprocket.openapi_document import build_openapi_schema
    from _sprocket.runtime import describe

    try:
        text = cog_yaml.read(directory)
        reference = cog_yaml.predictor_reference(text)
        document = build_openapi_schema(loader.load(directory, reference))
        train = cog_yaml.train_reference(text)
        if train:
            # Cog's TrainingInput and TrainingOutput: the trainer's own Input and Output, renamed.
            trainer = build_openapi_schema(loader.load(directory, train, ("train",)))["components"]["schemas"]
            schemas = document["components"]["schemas"]
            for name, component in trainer.items():  # its enums and output models
                schemas.setdefault(name, component)
            schemas["TrainingInput"] = {**trainer["Input"], "title": "TrainingInput"}
            if "TrainingOutput" not in trainer:  # a return type named TrainingOutput is used as-is
                schemas["TrainingOutput"] = {**trainer["Output"], "title": "TrainingOutput"}
        wire.send({"type": "schema", "predictor": reference, "openapi_schema": document})
    except BaseException as error:  # noqa: B902 (sys.exit at import is a load failure too)
        send_log(traceback.format_exc())
        wire.send({"type": "setup_failed", "error": describe(error)})
    # os._exit: threads the model started at import must not keep this process alive.
    os._exit(0)


def serve(directory: str) -> None:
    from _sprocket import cog_yaml, wire
    from _sprocket.log_capture import send_log
    from _sprocket.runtime import Runtime

    try:
        text = cog_yaml.read(directory)
        # SPROCKET_RUN_MODE=train: this instance runs trainings (cog.yaml's train: reference).
        training = os.environ.get("SPROCKET_RUN_MODE") == "train"
        reference = cog_yaml.train_reference(text) if training else cog_yaml.predictor_reference(text)
        if reference is None:
            raise ValueError('cog.yaml has no `train:` entry naming the trainer, e.g. train: "train.py:train"')
    except (OSError, ValueError) as error:
        wire.send({"type": "setup_failed", "error": str(error)})
        os._exit(0)
    runtime = Runtime(directory, reference, cog_yaml.concurrency(text), ("train",) if training else ("predict", "run"))

    # Commands are read on a thread of their own and the main thread is left to setup and sync
    # predictions, so a cancel can reach a prediction that blocks the main thread. The model
    # gets /dev/null as stdin: input() in a predictor must not swallow our commands.
    commands = os.fdopen(os.dup(0), "rb")
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    work: "queue.Queue[dict]" = queue.Queue()

    def read_commands() -> None:
        for line in commands:
            if not line.strip():
                continue
            try:
                message = json.loads(line)
                kind = message.get("type")
            except (ValueError, AttributeError):
                send_log(f"runner: ignored a malformed command: {line[:200].decode('utf-8', 'replace')}\n")
                continue
            if kind == "cancel":
                runtime.cancel(str(message.get("id")))
            elif kind == "shutdown":
                os._exit(0)
            elif kind == "predict" and runtime.ready and runtime.is_async:
                runtime.predict(str(message.get("id")), message.get("input") or {})  # straight to the loop
            else:
                work.put(message)
        os._exit(0)  # EOF: the worker went away; nothing can receive our results any more

    threading.Thread(target=read_commands, name="sprocket-commands", daemon=True).start()
    while True:
        message = work.get()
        kind = message.get("type")
        if kind == "setup":
            runtime.setup()
        elif kind == "predict":
            runtime.predict(str(message.get("id")), message.get("input") or {})
        else:
            send_log(f"runner: ignored an unknown command: {str(message)[:200]}\n")


if __name__ == "__main__":
    main(sys.argv[1:])
