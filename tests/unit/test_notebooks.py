"""Every notebook is committed clean, follows the lab's teaching structure, and teaches the real API."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from lab_utils.config import PROJECT_ROOT
from lab_utils.stack.student import BEGIN, END, has_solution

NOTEBOOKS = sorted((PROJECT_ROOT / "notebooks").glob("*.ipynb"))
# What a student must see, and learn to write, in the cells (the issues' "grep finds in cells" lists).
API_IN_CELLS = {
    "01": ["KafkaAdminClient"],
    "02": ["KafkaProducer", ".send("],
    "03": ["KafkaConsumer", ".poll("],
    "04": [
        "readStream",
        'format("kafka")',
        "from_json",
        "writeStream",
        'format("memory")',
        "spark.sql(",
        ".stop()",
    ],
    "05": ["withWatermark", "window(", "writeStream"],
    "06": ["writeStream", "checkpointLocation", "availableNow"],
    "07": ['format("kafka")', 'outputMode("update")', "trigger(realTime=", "KafkaConsumer", ".poll("],
    "08": ["%%writefile", "KafkaProducer", ".send(", "KafkaConsumer", "readStream", "where("],
    "09": ["withWatermark", ".join(", "F.expr(", "BETWEEN", "F.when(", "recentProgress", "numRowsTotal"],
}


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text())["cells"]


def _text(cell: dict) -> str:
    return "".join(cell["source"])


def _code(path: Path) -> list[str]:
    return [_text(c) for c in _cells(path) if c["cell_type"] == "code"]


def test_notebooks_are_numbered_from_00_without_gaps() -> None:
    numbers = [int(path.name[:2]) for path in NOTEBOOKS]
    assert numbers == list(range(len(NOTEBOOKS))) and len(NOTEBOOKS) >= 7


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_without_outputs(path: Path) -> None:
    dirty = [
        i
        for i, c in enumerate(_cells(path))
        if c["cell_type"] == "code" and (c["outputs"] or c["execution_count"])
    ]
    assert dirty == [], f"{path.name}: cells {dirty} carry outputs; run `nbstripout {path}`"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_teaches_in_the_lab_order(path: Path) -> None:
    cells = _cells(path)
    first = _text(cells[0])
    assert cells[0]["cell_type"] == "markdown"
    assert re.match(rf"# {path.name[:2]} · ", first), "opens with '# NN · title'"
    assert "What you will learn" in first
    assert "from lab_utils.notebook import" in _text(cells[2]) and "setup(" in _text(cells[2])
    markdown = "\n".join(_text(c) for c in cells if c["cell_type"] == "markdown")
    for heading in ("## Key points", "## Exercises", "## Cleanup"):
        assert heading in markdown, f"missing {heading}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_code_cells_stay_short_and_bounded(path: Path) -> None:
    for source in _code(path):
        body = [line for line in source.splitlines() if line.strip() not in (BEGIN, END)]
        assert len(body) <= 20, source[:80]
        assert "while True" not in source
        assert not re.search(r"awaitTermination\(\s*\)", source)


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if p.name[:2] != "00"], ids=lambda p: p.name)
def test_exercises_are_code_followed_by_a_self_check(path: Path) -> None:
    code = _code(path)
    exercises = [i for i, source in enumerate(code) if has_solution(source)]
    assert len(exercises) >= 2, (
        f"{path.name} has {len(exercises)} 'your turn' code cells; at least 2 expected"
    )
    for i in exercises:
        following = code[i + 1] if i + 1 < len(code) else ""
        assert "check(" in code[i] or "check(" in following, f"exercise without a self-check: {code[i][:80]}"


@pytest.mark.parametrize("number, calls", API_IN_CELLS.items())
def test_the_real_api_is_in_the_cells(number: str, calls: list[str]) -> None:
    (path,) = [p for p in NOTEBOOKS if p.name.startswith(number)]
    code = "\n".join(_code(path))
    missing = [call for call in calls if call not in code]
    assert missing == [], f"{path.name}: no cell shows {missing}"
