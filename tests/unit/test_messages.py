"""The lab's own one-line messages have Indonesian twins that keep every value; unknown ones stay English."""

from __future__ import annotations

import pytest

from lab_utils.clients import broker_down_message
from lab_utils.notebook import NotDoneYet, answered, error_sentence
from lab_utils.stack.messages import in_language


def _not_done() -> str:
    with pytest.raises(NotDoneYet) as caught:
        answered(metadata=None)
    return str(caught.value)


@pytest.mark.parametrize(
    ("english", "kept"),
    [
        (_not_done(), "`metadata`"),
        (error_sentence(NameError("name 'batch' is not defined"), "x:1"), "'batch'"),
        (broker_down_message("127.0.0.1:9092"), "127.0.0.1:9092"),
        (error_sentence(ValueError("bad\nmore"), "x:1"), "ValueError: bad"),
        ("· `batch` is not done yet, so the next cells use the reference answer instead.", "`batch`"),
    ],
)
def test_each_message_has_an_indonesian_twin_with_its_values(english: str, kept: str) -> None:
    indonesian = in_language(english, "id")
    assert indonesian != english and kept in indonesian
    assert in_language(english, "en") == english
    assert "Run %tb" not in indonesian  # the traceback hint is translated wherever it stands


def test_an_unknown_sentence_stays_english() -> None:
    assert (
        in_language("Something the catalogue does not know.", "id")
        == "Something the catalogue does not know."
    )


def test_the_language_comes_from_lab_lang_or_the_folder_mark(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lab_utils.config import LANGUAGE_MARK, load_config
    from lab_utils.errors import LabError

    monkeypatch.delenv("LAB_LANG", raising=False)
    monkeypatch.chdir(tmp_path)
    assert load_config().language == "en"
    (tmp_path / LANGUAGE_MARK).write_text("id\n")
    assert load_config().language == "id"
    monkeypatch.setenv("LAB_LANG", "en")
    assert load_config().language == "en"
    monkeypatch.setenv("LAB_LANG", "jv")
    with pytest.raises(LabError, match="LAB_LANG"):
        load_config()
