"""In a notebook, the mistakes students make are one line and fail the cell; %tb still shows the traceback."""

from __future__ import annotations

from collections.abc import Iterator

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbformat.v4 import new_code_cell, new_notebook


def _printed(cell: nbformat.NotebookNode) -> str:
    """What the cell printed: one print may arrive as several stream outputs on a busy machine."""
    return "".join(output.text for output in cell.outputs if output.output_type == "stream")


def _run(*sources: str) -> nbformat.NotebookNode:
    book = new_notebook(cells=[new_code_cell(source) for source in sources])
    NotebookClient(book, timeout=60, kernel_name="python3", allow_errors=True).execute()
    return book


MISTAKES = [
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
    (
        "from kafka.errors import RebalanceInProgressError\n"
        "raise RebalanceInProgressError('Offset commit cannot be completed since the consumer is '"
        "'undergoing a rebalance for auto partition assignment.')",
        "✗ Kafka refused the commit because the group was being rebalanced; nothing is lost: "
        "subscribe() before partitions_for_topic() (notebook 03, section 1) and run the cell again.",
    ),
    (
        "print(batch_df)",
        "✗ name 'batch_df' is not defined: run the cells above this one first "
        "(Run ▸ Run All Above Selected Cell), or check the spelling.",
    ),
    (
        "metadata = None\nanswered(metadata=metadata)",
        "✗ Not done yet: `metadata` is still empty. Write your code in the exercise cell above "
        "(where it says YOUR CODE HERE), run it, then run this check again.",
    ),
    (
        "import json\njson.loads('{\"suhu\": 70.4')",
        "✗ That value is not JSON (Expecting ',' delimiter: line 1 column 14 (char 13)): "
        "print it to see what it really holds.",
    ),
    (
        "from pyspark.errors import AnalysisException\n"
        "raise AnalysisException(message='[UNRESOLVED_COLUMN.WITH_SUGGESTION] A column named `sushi` "
        "cannot be resolved. Did you mean one of the following? [`suhu`]. SQLSTATE: 42703\\nplan...')",
        "✗ Spark cannot run this query: [UNRESOLVED_COLUMN.WITH_SUGGESTION] A column named `sushi` "
        "cannot be resolved. Did you mean one of the following? [`suhu`]. "
        "Run %tb in a new cell to see the full traceback.",
    ),
    (
        "from pyspark.errors import IllegalArgumentException\n"
        "raise IllegalArgumentException(message='One of the following options must be specified for "
        "Kafka source: subscribe, subscribepattern, assign.')",
        "✗ Spark refused: One of the following options must be specified for Kafka source: subscribe, "
        "subscribepattern, assign. Run %tb in a new cell to see the full traceback.",
    ),
]
SETUP = (
    "from lab_utils.errors import LabError\n"
    "from lab_utils.notebook import answered, check, setup\n"
    "setup(False)"
)


@pytest.fixture(scope="module")
def mistakes_book() -> Iterator[nbformat.NotebookNode]:
    """One kernel for every mistake (a kernel start is most of a case's cost): the setup cell, then each
    mistake followed by a check that must still pass, so no mistake leaves the kernel broken for the next."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LAB_BOOTSTRAP_SERVERS", "127.0.0.1:9092")  # whatever the run uses
        cells = [SETUP]
        for source, _ in MISTAKES:
            cells += [source, 'check(True, "still fine", "unused")']
        yield _run(*cells)


@pytest.mark.parametrize(("number", "line"), [(n, line) for n, (_, line) in enumerate(MISTAKES)])
def test_errors_are_one_line_and_fail_the_cell(
    number: int, line: str, mistakes_book: nbformat.NotebookNode
) -> None:
    mistake, after = mistakes_book.cells[1 + 2 * number], mistakes_book.cells[2 + 2 * number]
    errors = [output for output in mistake.outputs if output.output_type == "error"]
    assert [error.traceback for error in errors] == [[line]]
    assert _printed(after) == "✓ still fine\n"


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


def test_tb_shows_the_whole_traceback_of_a_one_line_error() -> None:
    book = _run(
        "from lab_utils.notebook import setup\nsetup(False)",
        "def inner():\n    return undefined_name\ninner()",
        "%tb",
    )
    shown = "".join("".join(output.get("traceback", [])) for output in book.cells[2].outputs)
    assert "inner()" in shown and "undefined_name" in shown


def test_a_later_cell_falls_back_to_the_reference_in_one_line() -> None:
    book = _run(
        "from lab_utils.notebook import answer_or_reference\n"
        "batch = None\n"
        "batch = answer_or_reference('batch', batch, lambda: [1, 2])\n"
        "print(batch)\n"
        "mine = answer_or_reference('mine', [3], lambda: [1, 2])\n"
        "print(mine)"
    )
    assert _printed(book.cells[0]) == (
        "· `batch` is not done yet, so the next cells use the reference answer instead.\n[1, 2]\n[3]\n"
    )
