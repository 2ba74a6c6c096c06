"""The lab's one-line messages in the student's language: English as written in the code, or Indonesian.

Used by ``lab_utils.notebook`` (the ✗ lines and the "not done yet" and fallback lines) and the programs.
The code keeps raising and printing its English sentence; :func:`in_language` turns a known sentence into
its Indonesian twin (``LAB_LANG=id``, or the Indonesian notebooks' folder), like a gettext catalogue keyed
by the English text. A sentence it does not know stays English, so nothing is ever lost in translation.
"""

from __future__ import annotations

import re

LANGUAGES = ("en", "id")

# (English sentence as a pattern, its Indonesian twin): named groups carry the values across.
INDONESIAN: list[tuple[str, str]] = [
    (
        r"Not done yet: (?P<names>.+) is still empty\. Write your code in the exercise cell above "
        r"\(where it says YOUR CODE HERE\), run it, then run this check again\.",
        "Belum selesai: {names} masih kosong. Tulis kode Anda di sel latihan di atas (di bagian "
        "YOUR CODE HERE), jalankan sel itu, lalu jalankan pemeriksaan ini lagi.",
    ),
    (
        r"· (?P<name>`[^`]+`) is not done yet, so the next cells use the reference answer instead\.",
        "· {name} belum selesai, jadi sel-sel berikutnya memakai jawaban referensi.",
    ),
    (
        r"name '(?P<name>[^']+)' is not defined: run the cells above this one first "
        r"\(Run ▸ Run All Above Selected Cell\), or check the spelling\.",
        "Nama '{name}' belum didefinisikan: jalankan dulu sel-sel di atas sel ini "
        "(Run ▸ Run All Above Selected Cell), atau periksa ejaannya.",
    ),
    (r"Spark cannot run this query: (?P<detail>.*)", "Spark tidak dapat menjalankan query ini: {detail}"),
    (r"The streaming query failed: (?P<detail>.*)", "Query streaming gagal: {detail}"),
    (
        r"That value is not JSON \((?P<detail>.*)\): print it to see what it really holds\.",
        "Nilai itu bukan JSON ({detail}): cetak nilainya untuk melihat isinya yang sebenarnya.",
    ),
    (
        r"No Kafka broker answers at (?P<servers>\S+): start one with `make broker` "
        r"\(or `docker compose up -d`\), or set LAB_BOOTSTRAP_SERVERS to your cluster\.",
        "Tidak ada broker Kafka yang menjawab di {servers}: jalankan broker dengan `make broker` "
        "(atau `docker compose up -d`), atau atur LAB_BOOTSTRAP_SERVERS ke cluster Anda.",
    ),
    (
        r"Kafka did not find the topic in time \((?P<detail>.*)\): does it exist\? Create it first "
        r"\(notebook 01, or `kafka-topics --create`\), then run this cell again\.",
        "Kafka tidak menemukan topic itu tepat waktu ({detail}): apakah topic itu ada? Buat dulu "
        "(notebook 01, atau `kafka-topics --create`), lalu jalankan sel ini lagi.",
    ),
    (r"Kafka refused: (?P<detail>.*)", "Kafka menolak: {detail}"),
]
# Sentences that end other messages; translated wherever they stand.
INDONESIAN_TAILS = {
    "Run %tb in a new cell to see the full traceback.": (
        "Jalankan %tb di sel baru untuk melihat traceback lengkap."
    ),
}


def in_language(sentence: str, language: str) -> str:
    """The sentence in ``language`` ("en" or "id"); unknown sentences are returned as they are."""
    if language != "id":
        return sentence
    for english, indonesian in INDONESIAN_TAILS.items():
        sentence = sentence.replace(english, indonesian)
    for pattern, twin in INDONESIAN:
        match = re.fullmatch(pattern, sentence, flags=re.DOTALL)
        if match:
            return twin.format(**match.groupdict())
    return sentence
