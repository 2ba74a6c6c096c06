"""README.id.md is README.md in Indonesian: linked at the top, same commands and headings, no English."""

from __future__ import annotations

import re

from lab_utils.config import PROJECT_ROOT
from tests.unit.test_translation import FORBIDDEN, english_sentences

ENGLISH = (PROJECT_ROOT / "README.md").read_text()
TWIN = (PROJECT_ROOT / "README.id.md").read_text()
FENCED = re.compile(r"^```.*?^```", flags=re.S | re.M)


def _headings(text: str) -> list[str]:
    return [line for line in FENCED.sub("", text).splitlines() if line.startswith("#")]


def test_the_english_readme_links_its_twin_at_the_top() -> None:
    assert "[README.id.md](README.id.md)" in "\n".join(ENGLISH.splitlines()[:5])


def test_the_twin_has_the_same_code_blocks_and_headings() -> None:
    # a command that opens the English notebooks may open notebooks/id/ in the twin
    assert [block.replace("notebooks/id/", "notebooks/") for block in FENCED.findall(TWIN)] == FENCED.findall(
        ENGLISH
    )
    assert len(_headings(TWIN)) == len(_headings(ENGLISH))


def test_the_twin_reads_as_indonesian_with_the_glossary_s_terms() -> None:
    assert english_sentences(TWIN) == []
    prose = FENCED.sub("", TWIN).lower()
    assert [word for word in FORBIDDEN if re.search(rf"\b{word}\b", prose)] == []
