"""Running a cell or a whole notebook twice never fails: what exists is reused and explained."""

from __future__ import annotations

import nbformat
import pytest
from nbclient import NotebookClient

from lab_utils.config import PROJECT_ROOT, LabConfig
from lab_utils.reference.pipeline import SensorPipeline
from lab_utils.reference.producer import BackgroundProducer

pytestmark = pytest.mark.integration


# Each on the xdist worker of nbval's run of the same notebook (conftest.py), never beside it: both use the
# lab's consumer group, and a commit during the other's join fails with RebalanceInProgressError.
RERUN = ["01_create_topic", "02_producer", "03_live_consumer"]


@pytest.mark.parametrize(
    "name", [pytest.param(name, marks=pytest.mark.xdist_group(f"notebooks/{name}.ipynb")) for name in RERUN]
)
def test_a_notebook_runs_twice_in_one_kernel(broker: LabConfig, name: str) -> None:
    """The second pass finds the topic, the producer and the consumer group from the first."""
    book = nbformat.read(PROJECT_ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    code = [cell for cell in book.cells if cell.cell_type == "code"]
    book.cells = code + [nbformat.v4.new_code_cell(cell.source) for cell in code]
    NotebookClient(
        book, timeout=120, kernel_name="python3", resources={"metadata": {"path": "notebooks"}}
    ).execute()
    outputs = "".join(o.get("text", "") for cell in book.cells for o in cell.get("outputs", []))
    assert "✗" not in outputs
    if name == "01_create_topic":
        assert "already exists" in outputs


def test_starting_the_pipeline_and_producer_twice_replaces_instead_of_failing(
    spark, broker: LabConfig
) -> None:
    pipeline = SensorPipeline(spark, config=broker)
    producer = BackgroundProducer(interval_s=0.2, config=broker)
    try:
        pipeline.start()
        first_ids = {q.id for q in spark.streams.active}
        assert pipeline.start().startswith(f"Streaming {broker.topic}")
        names = sorted(q.name for q in spark.streams.active)
        assert names == [SensorPipeline.QUERY]  # replaced, not duplicated
        assert not first_ids & {q.id for q in spark.streams.active}
        producer.start()
        assert "already running" in producer.start()
    finally:
        assert producer.stop().startswith("Producer stopped")
        assert producer.stop() == "The producer is not running."
        pipeline.stop()
        assert pipeline.stop() == "The pipeline was not running."
