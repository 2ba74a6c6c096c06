"""Plain English for second-language readers: the notebooks' markdown keeps sentences short.

Measured as the lab's before-stop hook measures it: code spans, code blocks and link targets are left out;
a sentence ends at . ! or ?, at a list item, a heading, a table row or a blank line (the hook has no table
rule: it reads a whole table as one sentence); fragments under 3 words don't count.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from lab_utils.config import PROJECT_ROOT

NOTEBOOKS = sorted((PROJECT_ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
AVERAGE_WORDS, MOST_WORDS = 15, 30


def sentences(markdown: str) -> list[str]:
    text = re.sub(r"```.*?```|`[^`]*`|\(https?://[^)]*\)", " ", markdown, flags=re.S)
    parts = re.split(r"(?<=[.!?])\s+|\n\s*[-*]\s+|\n#+\s+|\n\n|\n\s*\|", text)
    return [part for part in parts if len(part.split()) >= 3]


def markdown_of(path: Path) -> str:
    cells = json.loads(path.read_text())["cells"]
    return " ".join("".join(cell["source"]) for cell in cells if cell["cell_type"] == "markdown")


def test_the_measure_splits_as_a_reader_would() -> None:
    markdown = "## Setup\n\nRun the cell. It prints `a. b. c.` versions!\n- one two\n- four\n| a | b c |"
    found = sentences(markdown)
    assert found == ["Run the cell.", "It prints   versions!", "- one two", " a | b c |"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_sentences_are_short(path: Path) -> None:
    found = sentences(markdown_of(path))
    average = sum(len(s.split()) for s in found) / max(1, len(found))
    too_long = [" ".join(s.split()) for s in found if len(s.split()) > MOST_WORDS]
    assert average <= AVERAGE_WORDS and too_long == [], (
        f"{path.name}: {average:.1f} words a sentence on average (aim: {AVERAGE_WORDS} or fewer); "
        f"over {MOST_WORDS} words: {too_long}"
    )
