"""Every notebook is committed clean and follows the lab's teaching structure."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from lab_utils.config import PROJECT_ROOT

NOTEBOOKS = sorted((PROJECT_ROOT / "notebooks").glob("*.ipynb"))


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text())["cells"]


def _text(cell: dict) -> str:
    return "".join(cell["source"])


def test_notebooks_are_numbered_from_00_without_gaps() -> None:
    numbers = [int(path.name[:2]) for path in NOTEBOOKS]
    assert numbers == list(range(len(NOTEBOOKS))) and len(NOTEBOOKS) >= 5


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
    assert re.match(rf"# {path.name[:2]} · ", first), "opens with '# NN · title'"
    assert "What you will learn" in first
    assert "from lab_utils.notebook import" in _text(cells[2]) and "setup(" in _text(cells[2])
    markdown = "\n".join(_text(c) for c in cells if c["cell_type"] == "markdown")
    for heading in ("## Key points", "## Exercises", "<details>", "## Cleanup"):
        assert heading in markdown, f"missing {heading}"
    assert cells[0]["cell_type"] == "markdown"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_code_cells_stay_short_and_bounded(path: Path) -> None:
    for cell in (c for c in _cells(path) if c["cell_type"] == "code"):
        source = _text(cell)
        assert len(source.splitlines()) <= 20, source[:80]
        assert "while True" not in source
        assert not re.search(r"awaitTermination\(\s*\)", source)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_stops_what_it_starts(path: Path) -> None:
    code = "\n".join(_text(c) for c in _cells(path) if c["cell_type"] == "code")
    last = _text([c for c in _cells(path) if c["cell_type"] == "code"][-1])
    starts = {
        "get_spark(": "stop_spark()",
        "producer.start()": "producer.stop()",
        "pipeline.start()": "pipeline.stop()",
    }
    for start, stop in starts.items():
        if start in code:
            assert stop in last, f"{path.name} starts {start} but its last cell does not call {stop}"
