"""The two cog.yaml facts the harness needs, read without a YAML library (the server validates
the whole file with a real parser at push): the predictor reference and concurrency.max. Same
rules as src/protocol/cog-reference.ts, so both runtimes read a file alike.
"""
from __future__ import annotations

import os
import re

_REFERENCE = re.compile(r"""^(?:predict|run):[ \t]*["']?([^"'\s#]+)["']?""", re.M)
_TRAIN = re.compile(r"""^train:[ \t]*["']?([^"'\s#]+)["']?""", re.M)
_CONCURRENCY = re.compile(r"^concurrency:[ \t]*\r?\n(?:[ \t]+.*\r?\n)*?[ \t]+max:[ \t]*(\d+)", re.M)

MISSING = 'cog.yaml has no `predict:` (or `run:`) entry naming the predictor, e.g. predict: "predict.py:Predictor"'


def read(directory: str) -> str:
    with open(os.path.join(directory, "cog.yaml"), encoding="utf-8") as handle:
        return handle.read()


def predictor_reference(text: str) -> str:
    match = _REFERENCE.search(text)
    if not match:
        raise ValueError(MISSING)
    return match.group(1)


def train_reference(text: str) -> "str | None":
    """cog.yaml's `train:` reference ("train.py:train"), or None."""
    match = _TRAIN.search(text)
    return match.group(1) if match else None


def concurrency(text: str) -> int:
    match = _CONCURRENCY.search(text)
    return max(1, int(match.group(1))) if match else 1
