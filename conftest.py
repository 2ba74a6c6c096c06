"""Repository-wide pytest hooks for the headless notebook run.

1. A notebook cell run by nbval must print no warnings and no JVM noise. ``--nbval-lax`` only checks that
   cells run; this adds the promise made to students that the outputs stay clean (no stderr stream, no
   log4j WARN lines, no Python warnings).
2. The notebooks run on a classroom's topic, not a clean one: before the first notebook cell the topic is
   seeded with what a class sends (``lab_utils.stack.classroom``: classic payloads in bursts, foreign
   sensors, a second S1, broken records, odd timestamps), and a "classroom neighbour" keeps sending a few
   such records per second until the session ends. Only sessions that run notebooks do this;
   ``LAB_CLASSROOM=0`` turns it off.
"""

from __future__ import annotations

import os

import pytest

# Every run checks that notebooks clean up and that no lab JVM outlives it (tests/lab_processes.py).
# nbval's run of each instructor notebook also tries the exercises' wrong answers (tests/notebook_runs).
pytest_plugins = ["tests.lab_processes", "tests.notebook_runs.nbval_wrong_answers"]

CLASSROOM: dict[str, object] = {}  # "classroom": the running Classroom, "error" or "report": what happened


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    from tests.notebook_runs.kernel import NOISE  # imported here: tests.lab_processes loads as a plugin first

    result = yield
    outputs = getattr(item, "test_outputs", None)  # set by nbval on notebook cells only
    for output in outputs or []:
        text = "".join(output.get("text", ""))
        if output.get("name") == "stderr" or NOISE.search(text):
            raise AssertionError(f"the cell printed noise a student should not see: {text[:300]!r}")
    return result


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Keep together on one xdist worker (``--dist loadgroup``) what shares a process's state.

    nbval's cells of one notebook share its kernel. The integration tests share one SparkSession and run
    one after another, as they would alone, beside the notebook runs on the other workers. An integration
    test that runs a notebook with the lab's own consumer groups names that notebook's group instead
    (tests/integration/test_reruns.py): beside nbval's run of it, the two would rebalance one group.
    """
    for item in items:
        if item.path.suffix == ".ipynb":
            # the folder too: notebooks/05_x.ipynb and notebooks/id/05_x.ipynb are two notebooks
            item.add_marker(pytest.mark.xdist_group(f"{item.path.parent.name}/{item.path.name}"))
        elif item.path.parent.name == "integration" and item.get_closest_marker("xdist_group") is None:
            item.add_marker(pytest.mark.xdist_group("integration"))


def pytest_xdist_node_collection_finished(node, ids: list[str]) -> None:
    """Stop at once if xdist did not group a notebook's cells: scattered cells fail by the hundred."""
    if node.config.getvalue("dist") != "loadgroup":
        return
    scattered = [nodeid for nodeid in ids if ".ipynb::" in nodeid and "@" not in nodeid]
    if scattered:
        pytest.exit(
            f"xdist did not keep {scattered[0]} with its notebook's other cells: "
            "install the pytest version pyproject.toml names (pip install -e '.[dev]')",
            returncode=3,
        )


def _runs_a_notebook(item: pytest.Item) -> bool:
    return item.path.suffix == ".ipynb" or item.get_closest_marker("notebook_run") is not None


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Before the first notebook cell: seed the topic as a class would and start the classroom neighbour."""
    if not _runs_a_notebook(item) or os.environ.get("LAB_CLASSROOM", "1") == "0":
        return
    if "error" in CLASSROOM:
        raise CLASSROOM["error"]  # type: ignore[misc]
    if "classroom" in CLASSROOM:
        return
    from lab_utils.config import load_config
    from lab_utils.errors import LabError
    from lab_utils.stack.classroom import Classroom

    try:
        classroom = Classroom(load_config())
        seeded = classroom.seed()
    except LabError as error:
        CLASSROOM["error"] = error
        raise
    classroom.start_neighbour()
    CLASSROOM.update(classroom=classroom, seeded=seeded)


def pytest_sessionfinish(session: pytest.Session) -> None:
    classroom = CLASSROOM.pop("classroom", None)
    if classroom is not None:
        classroom.stop()
        seeded = CLASSROOM["seeded"]
        CLASSROOM["report"] = (
            f"{classroom.config.topic}: {seeded} records seeded before the first notebook, "
            f"{classroom.total - seeded} sent by the neighbour while they ran ({classroom.kinds()})"
        )


def pytest_terminal_summary(terminalreporter) -> None:
    if "report" in CLASSROOM:
        terminalreporter.write_line(f"classroom topic: {CLASSROOM['report']}")
