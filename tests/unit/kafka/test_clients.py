"""Producer-side size limit and the worker subprocess environment (no broker needed)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from kafka.errors import MessageSizeTooLargeError

import streams
from streams import contracts
from streams.kafka.clients import check_size
from streams.kafka.local import CODE_ROOT, WorkerProcess


def test_messages_above_the_topic_limit_are_refused_before_the_broker() -> None:
    check_size(b"key", b"v" * (contracts.MAX_MESSAGE_BYTES - 3))
    with pytest.raises(MessageSizeTooLargeError, match="MAX_MESSAGE_BYTES"):
        check_size(b"key", b"v" * (contracts.MAX_MESSAGE_BYTES - 2))
    with pytest.raises(MessageSizeTooLargeError):
        check_size(None, b"v" * (70 * 1000 * 1000))


def test_worker_subprocesses_import_the_code_that_started_them(tmp_path: Path) -> None:
    worker = WorkerProcess({"PYTHONPATH": "/elsewhere"}, tmp_path / "worker.log")
    assert str(Path(streams.__file__).resolve().parents[1]) == CODE_ROOT
    assert worker.env["PYTHONPATH"].split(os.pathsep) == [CODE_ROOT, "/elsewhere"]
    assert worker.env["PYTHONSAFEPATH"] == "1", "-m would otherwise put the working directory first"
