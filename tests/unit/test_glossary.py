"""The glossary (notebooks/GLOSSARY.md) explains the words the notebooks use, and notebook 00 links to it.

Each term is a `### ` heading. A heading may name variants in parentheses ("window (tumbling, sliding,
session)") or a pair ("event time vs processing time"): each of those words must appear too.
"""

from __future__ import annotations

import json
import re

from lab_utils.config import PROJECT_ROOT

NOTEBOOKS = sorted((PROJECT_ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
GLOSSARY = PROJECT_ROOT / "notebooks" / "GLOSSARY.md"
# The new terms the lab must explain (issue 18): each has its own entry.
REQUIRED = ["driver", "micro-batch", "shuffle", "stateful operator", "write-ahead log", "watermark"]


def headings() -> list[str]:
    return re.findall(r"^### (.+?)\s*$", GLOSSARY.read_text(), flags=re.M)


def words_of(heading: str) -> list[str]:
    """The words a heading names: "window (tumbling, sliding)" -> window, tumbling, sliding."""
    main, _, variants = heading.partition(" (")
    words = [part.strip() for part in main.split(" vs ")]
    return words + [part.strip() for part in variants.rstrip(")").split(",") if part.strip()]


def notebook_text() -> str:
    """Every cell of every notebook, lower case."""
    cells = [cell for path in NOTEBOOKS for cell in json.loads(path.read_text())["cells"]]
    return "\n".join("".join(cell["source"]) for cell in cells).lower()


def test_a_heading_names_its_variants() -> None:
    assert words_of("window (tumbling, sliding, session)") == ["window", "tumbling", "sliding", "session"]
    assert words_of("event time vs processing time") == ["event time", "processing time"]


def test_the_glossary_explains_the_new_terms() -> None:
    assert set(REQUIRED) <= set(headings()), f"missing: {sorted(set(REQUIRED) - set(headings()))}"


def test_every_glossary_term_appears_in_a_notebook() -> None:
    text = notebook_text()
    unused = [word for heading in headings() for word in words_of(heading) if word.lower() not in text]
    assert unused == [], f"the glossary explains words no notebook uses: {unused}"


def test_every_term_has_a_short_entry() -> None:
    entries = re.split(r"^### .+$", GLOSSARY.read_text(), flags=re.M)[1:]
    long = [heading for heading, entry in zip(headings(), entries, strict=True) if len(entry.split()) > 60]
    assert long == [], f"entries over 60 words (one or two plain lines each): {long}"


def test_notebook_00_links_the_glossary() -> None:
    (first,) = [path for path in NOTEBOOKS if path.name.startswith("00")]
    markdown = [cell for cell in json.loads(first.read_text())["cells"] if cell["cell_type"] == "markdown"]
    assert any("](GLOSSARY.md" in "".join(cell["source"]) for cell in markdown)
