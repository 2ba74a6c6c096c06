"""Student s01 runs notebooks 01-04 headless against the class cluster, Spark on the standalone cluster.

nbval runs copies of the notebooks (in ``.lab/classroom-test``, inside the repository so that its
``conftest.py`` applies: no noise in a cell, a classroom's traffic on s01's topic, nothing left running)
with LAB_SETTINGS_FILE set to s01's file and LAB_SPARK_MASTER to the standalone master.

The notebooks name a few topics and consumer groups themselves; on a class cluster those names must carry
the account's prefix. Until those cells say ``config.topic_name(...)`` / ``config.group_name(...)``
themselves, :data:`PREFIX_EDITS` makes that change in the copies (only where the old line is still there);
each row is an edit to make in the notebook, after which the row goes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from lab_utils.config import PROJECT_ROOT
from lab_utils.stack.spark_cluster import SparkCluster
from tests.classroom.conftest import Class

pytestmark = pytest.mark.integration

NOTEBOOKS = ("01_create_topic", "02_producer", "03_live_consumer", "04_spark_streaming")
# (notebook, cell id, the line as it is, the line with the prefix)
PREFIX_EDITS = [
    (
        "01_create_topic", "15",
        'made.append(f"sensor-suhu-{purpose}-{uuid.uuid4().hex[:8]}")',
        'made.append(config.topic_name(f"sensor-suhu-{purpose}-{uuid.uuid4().hex[:8]}"))',
    ),
    (
        "03_live_consumer", "4",
        'group = f"dashboard-{uuid.uuid4().hex[:8]}"',
        'group = config.group_name(f"dashboard-{uuid.uuid4().hex[:8]}")',
    ),
    (
        "03_live_consumer", "20",
        'my_group = f"my-group-{uuid.uuid4().hex[:8]}"',
        'my_group = config.group_name(f"my-group-{uuid.uuid4().hex[:8]}")',
    ),
]  # fmt: skip


def prefixed_copies(source: Path, target: Path) -> list[str]:
    """Copy the notebooks to ``target`` with :data:`PREFIX_EDITS` applied; the edits made, as lines."""
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    made = []
    for name in NOTEBOOKS:
        notebook = nbformat.read(source / f"{name}.ipynb", as_version=4)
        for cell in notebook.cells:
            for edited, cell_id, old, new in PREFIX_EDITS:
                if edited == name and cell.get("id") == cell_id and old in cell.source:
                    cell.source = cell.source.replace(old, new)
                    made.append(f"{name} cell {cell_id}: {new}")
        nbformat.write(notebook, target / f"{name}.ipynb")
    return made


@pytest.mark.timeout(1800)
def test_s01_runs_notebooks_01_to_04_on_the_class_cluster(
    classroom: Class, spark_cluster: SparkCluster
) -> None:
    source = Path(os.environ.get("LAB_CLASSROOM_NOTEBOOKS", PROJECT_ROOT / "notebooks"))
    copies = PROJECT_ROOT / ".lab" / "classroom-test" / "notebooks"
    made = prefixed_copies(source, copies)
    print("prefix edits made in the copies:", *made, sep="\n  ")
    environment = classroom.environment("s01", LAB_SPARK_MASTER=spark_cluster.master_url, LAB_PROFILE="fast")
    notebooks = sorted(str(path) for path in copies.glob("*.ipynb"))
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *notebooks],
        capture_output=True, text=True, timeout=1700, env=environment, cwd=PROJECT_ROOT,
    )  # fmt: skip
    print(run.stdout[-3000:])
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    shutil.rmtree(copies.parent, ignore_errors=True)
