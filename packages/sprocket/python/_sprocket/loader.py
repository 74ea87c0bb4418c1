"""Loads the predictor named by cog.yaml (`predict.py:Predictor`, `run.py:Runner`, or a plain
function `predict.py:predict`) the way Cog does: import the file by path with sys.argv emptied,
instantiate a class with no arguments, and find its predict() (or Cog HEAD's run()).
"""
from __future__ import annotations

import importlib.util
import inspect
import os
import sys
from typing import Any, Callable, Optional


class Predictor:
    """The loaded predictor: its entry point, optional setup, and how it may be run."""

    def __init__(self, reference: str, target: Any, entry: Callable[..., Any], setup: Optional[Callable[..., Any]]) -> None:
        self.reference = reference
        self.target = target
        self.entry = entry
        self.setup = setup
        self.is_async = inspect.iscoroutinefunction(entry) or inspect.isasyncgenfunction(entry)
        self.setup_is_async = setup is not None and inspect.iscoroutinefunction(setup)

    def declared_concurrency(self) -> int:
        """@cog.concurrent(max=N) on the class or on its predict/run method, else 1."""
        marks = [getattr(self.target, "__cog_concurrency__", None), getattr(self.entry, "__cog_concurrency__", None)]
        return max([1] + [m for m in marks if isinstance(m, int)])


def load(directory: str, reference: str, methods: "tuple[str, ...]" = ("predict", "run")) -> Predictor:
    """The predictor (or, with methods=("train",), the trainer) that `reference` names."""
    file_part, _, name = reference.rpartition(":")
    if not file_part or not name:
        raise ValueError(f'predictor reference "{reference}" must look like "predict.py:Predictor"')
    path = os.path.join(directory, file_part)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{file_part} (named by cog.yaml) does not exist in the model's directory")
    module = _import_file(path)
    if not hasattr(module, name):
        raise AttributeError(f"{file_part} has no class or function named {name}")
    found = getattr(module, name)
    target = found() if inspect.isclass(found) else found
    entry = _entry_point(target, reference, methods)
    setup = None if inspect.isfunction(target) else getattr(target, "setup", None)
    return Predictor(reference, target, entry, setup if callable(setup) else None)


def _import_file(path: str) -> Any:
    module_name = os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}: not a Python file")
    module = importlib.util.module_from_spec(spec)
    # Registered before running, so pickle, dataclasses and `from predict import X` find it.
    sys.modules[module_name] = module
    saved_argv = sys.argv
    sys.argv = [path]  # user argparse code at import must not see the harness's arguments
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(module_name, None)
        raise
    finally:
        sys.argv = saved_argv
    return module


def _entry_point(target: Any, reference: str, methods: "tuple[str, ...]" = ("predict", "run")) -> Callable[..., Any]:
    if inspect.isfunction(target) or inspect.iscoroutinefunction(target) or inspect.isasyncgenfunction(target):
        return target
    for method in methods:
        fn = getattr(target, method, None)
        if callable(fn) and not getattr(fn, "__cog_placeholder__", False):
            return fn
    raise AttributeError(f"{reference} has no {'() or '.join(methods)}() method")
