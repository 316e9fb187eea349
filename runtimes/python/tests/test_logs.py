"""The JSON-lines writer: direct writes, and the batched writer the server's request threads use."""

from __future__ import annotations

import json
import threading
import time

import pytest

from kube_serverless_runtime import logs


class Stdout:
    """What the code under test wrote to stdout so far (pytest's capture)."""

    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self._capsys = capsys
        self._seen = ""

    def getvalue(self) -> str:
        self._seen += self._capsys.readouterr().out
        return self._seen


@pytest.fixture
def stdout(capsys: pytest.CaptureFixture[str]) -> Stdout:
    return Stdout(capsys)


def test_without_batching_a_line_is_written_at_once(stdout: Stdout) -> None:
    logs.write_line('{"msg":"now"}')
    assert stdout.getvalue() == '{"msg":"now"}\n'


def test_batched_lines_from_many_threads_arrive_whole_and_in_each_threads_order(stdout: Stdout) -> None:
    writer = logs.BatchedWriter(0.002)

    def produce(k: int) -> None:
        for i in range(300):
            writer.put(json.dumps({"thread": k, "i": i}) + "\n")

    threads = [threading.Thread(target=produce, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    writer.flush()
    records = [json.loads(line) for line in stdout.getvalue().splitlines()]
    assert len(records) == 8 * 300
    for k in range(8):
        assert [r["i"] for r in records if r["thread"] == k] == list(range(300))


def test_the_writer_thread_writes_queued_lines_without_a_flush(stdout: Stdout) -> None:
    writer = logs.BatchedWriter(0.002)
    writer.put('{"msg":"later"}\n')
    deadline = time.monotonic() + 5
    while not stdout.getvalue() and time.monotonic() < deadline:
        time.sleep(0.005)
    assert stdout.getvalue() == '{"msg":"later"}\n'
    writer.put('{"msg":"again"}\n')  # a second round: the writer went back to waiting
    while stdout.getvalue().count("\n") < 2 and time.monotonic() < deadline:
        time.sleep(0.005)
    assert stdout.getvalue().splitlines() == ['{"msg":"later"}', '{"msg":"again"}']
