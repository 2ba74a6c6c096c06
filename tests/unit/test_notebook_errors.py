"""In a notebook, a LabError, a failed self-check or a Kafka client error is one line and fails the cell."""

from __future__ import annotations

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbformat.v4 import new_code_cell, new_notebook


def _run(*sources: str) -> nbformat.NotebookNode:
    book = new_notebook(cells=[new_code_cell(source) for source in sources])
    NotebookClient(book, timeout=60, kernel_name="python3", allow_errors=True).execute()
    return book


@pytest.mark.parametrize(
    ("source", "line"),
    [
        ('check(False, "fine", "the pipeline broke")', "✗ the pipeline broke"),
        (
            'raise LabError("No Kafka broker answers: run make broker.")',
            "✗ No Kafka broker answers: run make broker.",
        ),
        (
            "from kafka.errors import KafkaTimeoutError\n"
            "raise KafkaTimeoutError('Unable to bootstrap from [(\\'127.0.0.1\\', 9092)]')",
            "✗ No Kafka broker answers at 127.0.0.1:9092: start one with `make broker` "
            "(or `docker compose up -d`), or set LAB_BOOTSTRAP_SERVERS to your cluster.",
        ),
    ],
)
def test_errors_are_one_line_and_fail_the_cell(
    source: str, line: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LAB_BOOTSTRAP_SERVERS", "127.0.0.1:9092")  # whatever the run uses
    setup = "\n".join(
        [
            "from lab_utils.errors import LabError",
            "from lab_utils.notebook import check, setup",
            "setup(False)",
        ]
    )
    book = _run(setup, source, 'check(True, "still fine", "unused")')
    errors = [output for output in book.cells[1].outputs if output.output_type == "error"]
    assert [error.traceback for error in errors] == [[line]]
    assert book.cells[2].outputs[0].text == "✓ still fine\n"


def test_a_failing_self_check_stops_a_strict_run() -> None:
    book = new_notebook(
        cells=[
            new_code_cell(
                "from lab_utils.notebook import check, setup\nsetup(False)\ncheck(1 > 2, 'no', 'bad')"
            )
        ]
    )
    with pytest.raises(CellExecutionError):
        NotebookClient(book, timeout=60, kernel_name="python3").execute()
