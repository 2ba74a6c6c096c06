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


# ---- the terminal programs and the reasons a record is refused (LAB_LANG=id) ----------------------------
def _catalogue_examples() -> dict[str, str]:
    """English as the code prints it -> its Indonesian twin: one example (at least) per pattern."""
    from types import SimpleNamespace

    from lab_utils.reference import readings as rules
    from lab_utils.reference import warehouse
    from lab_utils.reference.alerts import episode_line
    from lab_utils.reference.consumer import Received, format_received
    from lab_utils.reference.producer import stored_problems

    def problem(key: bytes | None, value: bytes, sent: dict[str, object] | None = None) -> str:
        record = SimpleNamespace(partition=0, offset=5, key=key, value=value)
        return f"Look: {stored_problems(record, 'S1', sent)[0]}."

    episode = {"sensor_id": "S1", "seconds": 12.0, "start": "10:00", "end": "10:12", "max_suhu": 88.2}
    return {
        _not_done(): "Belum selesai: `metadata` masih kosong. Tulis kode Anda di sel latihan di atas (di "
        "bagian YOUR CODE HERE), jalankan sel itu, lalu jalankan pemeriksaan ini lagi.",
        "Spark cannot run this query: x": "Spark tidak dapat menjalankan query ini: x",
        "The streaming query failed: x": "Query streaming gagal: x",
        "That value is not JSON (x): print it to see what it really holds.": "Nilai itu bukan JSON (x): "
        "cetak nilainya untuk melihat isinya yang sebenarnya.",
        "Kafka did not find the topic in time (x): does it exist? Create it first (notebook 01, or "
        "`kafka-topics --create`), then run this cell again.": "Kafka tidak menemukan topic itu tepat waktu "
        "(x): apakah topic itu ada? Buat dulu (notebook 01, atau `kafka-topics --create`), lalu jalankan sel "
        "ini lagi.",
        "Kafka refused: x": "Kafka menolak: x",
        "Topic t does not exist yet: create it first (notebook 01, or start the producer).": "Topic t belum "
        "ada: buat dulu (notebook 01, atau jalankan producer).",
        "The topic a does not exist: create it with ensure_alerts_topic(config).": "Topic a tidak ada: buat "
        "dengan ensure_alerts_topic(config).",
        "The Spark job failed (x): see .lab/logs/spark.log for details.": "Job Spark gagal (x): lihat "
        "rinciannya di .lab/logs/spark.log.",
        # --help and argparse
        "usage: ": "penggunaan: ",
        "options": "opsi",
        "show this help message and exit": "tampilkan bantuan ini, lalu keluar",
        "sensor-producer: error: argument --count: invalid int value: 'x'": "sensor-producer: kesalahan: "
        "argumen --count: nilai int tidak valid: 'x'",
        "the following arguments are required: --sensor": "argumen ini wajib diisi: --sensor",
        "not allowed with argument --count": "tidak boleh dipakai bersama argumen --count",
        "invalid choice: 'x' (choose from 'suhu', 'kelembaban')": "pilihan tidak valid: 'x' (pilih salah "
        "satu: 'suhu', 'kelembaban')",
        "expected one argument": "perlu satu nilai",
        "unrecognized arguments: --bogus": "argumen tidak dikenal: --bogus",
        "--realtime watches live: it goes with neither --available-now nor --sustained": "--realtime "
        "memantau secara langsung: jangan pakai bersama --available-now atau --sustained",
        "stop after this many seconds (default: run until Ctrl-C)": "berhenti setelah sekian detik (bawaan: "
        "berjalan sampai Ctrl-C)",
        "stop after this many rounds (one reading per warehouse)": "berhenti setelah sekian putaran (satu "
        "data per gudang)",
        "Send simulated temperature readings to t.": "Kirim data suhu simulasi ke t.",
        "Print every reading of t.": "Tampilkan setiap data dari t.",
        "PySpark job: print readings of t above the threshold.": "Job PySpark: tampilkan data dari t yang di "
        "atas ambang batas.",
        "Store every valid reading of t as Parquet, exactly once.": "Simpan setiap data valid dari t sebagai "
        "Parquet, tepat satu kali.",
        "PySpark job: warnings and the combined status of each warehouse (suhu and kelembaban).": "Job "
        "PySpark: peringatan dan status gabungan setiap gudang (suhu dan kelembaban).",
        "number of warehouses (G1, G2, ...)": "jumlah gudang (G1, G2, ...)",
        "consumer group id (Kafka remembers where the group stopped)": "id consumer group (Kafka mengingat "
        "posisi terakhir group itu)",
        "at most N records of each topic per micro-batch (Spark's maxOffsetsPerTrigger)": "paling banyak N "
        "record dari setiap topic per micro-batch (maxOffsetsPerTrigger di Spark)",
        # printed lines
        "Interrupted.": "Dihentikan.",
        "Last error: KafkaTimeoutError: x": "Kesalahan terakhir: KafkaTimeoutError: x",
        "Producer started: 3 sensors, one reading each every 1 s.": "Producer berjalan: 3 sensor, "
        "masing-masing mengirim satu data setiap 1 s.",
        "Producer started: 3 warehouses send suhu to t every 1 s.": "Producer berjalan: 3 gudang mengirim "
        "suhu ke t setiap 1 s.",
        'Sent: {"sensor_id": "S1", "suhu": 70.4}': 'Terkirim: {"sensor_id": "S1", "suhu": 70.4}',
        "Producer stopped: sent 9, acknowledged 8, failed 1.": "Producer berhenti: 9 terkirim, 8 "
        "dikonfirmasi, 1 gagal.",
        "error: Topic t does not exist yet: create it first (notebook 01).": "kesalahan: Topic t belum ada: "
        "buat dulu (notebook 01).",
        format_received(Received(0, 7, None, rules.NOT_JSON), 80): "·     p0@7  dilewati: bukan JSON",
        format_received(Received(2, 9, rules.Reading("S1", 80.5)), 80): "      p2@9  S1     80.5 °C  -  "
        "⚠ DI ATAS 80 °C",
        episode_line(episode, 80): "🔥 S1   di atas 80 °C selama 12.0 s: 10:00 → 10:12, maks. 88.2 °C",
        "Watching t (threshold 80 °C)...": "Memantau t (ambang batas 80 °C)...",
        "Watching t in real-time mode (threshold 80 °C); the alerts also go to a...": "Memantau t dalam "
        "real-time mode (ambang batas 80 °C); peringatan juga dikirim ke a...",
        "Watching a and b...": "Memantau a dan b...",
        "2 records were not readings: sent to t-dlq.": "2 record bukan data sensor: dikirim ke t-dlq.",
        "2 records were not readings.": "2 record bukan data sensor.",
        f"· rejected t p1@22: {warehouse.missing('kelembaban')}": "· ditolak t p1@22: kelembaban tidak ada",
        f"3 readings came later than the watermark ({warehouse.WATERMARK}): not joined.": "3 data datang "
        "lebih lambat dari watermark (20 detik): tidak di-join.",
        "The real-time query stopped: see .lab/logs/spark.log.": "Query real-time berhenti: lihat "
        ".lab/logs/spark.log.",
        "Deleted the history and the checkpoints.": "Riwayat dan checkpoint sudah dihapus.",
        "Nothing to delete: no history yet.": "Tidak ada yang dihapus: belum ada riwayat.",
        "Writing the history to /h...": "Menulis riwayat ke /h...",
        "The history holds 12 readings.": "Riwayat berisi 12 data.",
        "There is no history at /h yet: run the history query first (notebook 06).": "Belum ada riwayat di "
        "/h: jalankan dulu query riwayat (notebook 06).",
        # why a record is not a reading, alone and inside a ✗ or ✓ line
        rules.EMPTY: "value kosong",
        rules.NOT_UTF8: "bukan teks UTF-8",
        rules.NOT_OBJECT: "bukan objek JSON",
        rules.NO_SENSOR_ID: "sensor_id tidak ada",
        rules.SUHU_NULL: "suhu bernilai null",
        rules.SUHU_NOT_FINITE: "suhu bernilai NaN atau tak hingga",
        rules.SUHU_OUT_OF_RANGE: "suhu di luar rentang -50..500 °C",
        rules.BAD_TS: "ts bukan waktu ISO-8601",
        warehouse.TS_AHEAD: "ts lebih dari 10 s melampaui waktu sekarang",
        f"Rejected ({rules.SUHU_NOT_NUMBER}).": "Rejected (suhu bukan angka).",
        problem(b"S1", b'{"sensor_id": "S1"}'): "Look: record di p0@5 berisi {'sensor_id': 'S1'}, bukan data "
        "sensor yang valid (suhu tidak ada).",
        problem(b"S1", b"oops"): "Look: record di p0@5 berisi b'oops', yang bukan JSON.",
        problem(None, b"{}"): "Look: record di p0@5 tidak punya key: kirim dengan key='S1'.",
        problem(
            b'"S1"', b"{}"
        ): "Look: record di p0@5 punya key b'\"S1\"', teks JSON dengan tanda kutip: key "
        "memerlukan DefaultSerializer().",
        problem(b"S2", b"{}"): "Look: record di p0@5 punya key b'S2', bukan b'S1'.",
        problem(
            b"S1", b'"{}"'
        ): "Look: record di p0@5 berisi string JSON, b'\"{}\"'...: value Anda di-encode "
        "ke JSON dua kali. JsonSerializer sudah memanggil json.dumps, jadi kirim dict itu sendiri.",
        problem(b"S1", b'{"sensor_id": "S1"}', {"a": 1}): "Look: record di p0@5 berisi {'sensor_id': 'S1'}, "
        "bukan data yang diminta untuk Anda kirim, {'a': 1}.",
        problem(b"S1", b'{"sensor_id": "S2", "suhu": 70}'): "Look: record di p0@5 berisi data sensor 'S2', "
        "tetapi key-nya 'S1'.",
        f"Look: {stored_problems(None, 'S1')[0]}.": "Look: Kafka tidak menyimpan record di partition dan "
        "offset itu.",
    }


PROGRAM_MODULES = ["sensor_producer", "sensor_consumer", "sensor_alerts", "sensor_history"]
PROGRAM_MODULES += ["warehouse_producer", "warehouse_alerts"]


def _help(name: str, language: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run a program with ``--help`` in ``language`` (capture its output with capsys)."""
    import importlib

    monkeypatch.setenv("LAB_LANG", language)
    with pytest.raises(SystemExit) as ended:
        importlib.import_module(f"lab_utils.programs.{name}").main(["--help"])
    assert ended.value.code == 0


def test_each_catalogue_pattern_has_an_example_that_round_trips(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from lab_utils.stack import messages

    used, fill = set(), messages._filled
    monkeypatch.setattr(messages, "_filled", lambda *a, **k: used.add(a[1].re.pattern) or fill(*a, **k))
    examples = _catalogue_examples() | {
        broker_down_message("b:9092"): in_language(broker_down_message("b:9092"), "id"),  # tested above
        error_sentence(NameError("name 'x' is not defined"), "b"): "Nama 'x' belum didefinisikan: jalankan "
        "dulu sel-sel di atas sel ini (Run ▸ Run All Above Selected Cell), atau periksa ejaannya.",
        "· `x` is not done yet, so the next cells use the reference answer instead.": "· `x` belum selesai, "
        "jadi sel-sel berikutnya memakai jawaban referensi.",
    }
    assert {english: in_language(english, "id") for english in examples} == examples
    assert all(in_language(english, "en") == english for english in examples)
    for name in PROGRAM_MODULES:  # each help text of each option is an example too
        _help(name, "id", monkeypatch)
    capsys.readouterr()
    catalogue = [pattern for pattern, _ in messages.INDONESIAN + messages.INDONESIAN_PARTS]
    assert [pattern for pattern in catalogue if pattern not in used] == [], "give each pattern an example"


@pytest.mark.parametrize("name", PROGRAM_MODULES)
def test_a_program_s_help_is_indonesian_under_lab_lang_id(
    name: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.unit.test_translation import english_sentences

    shown = {}
    for language in ("en", "id"):
        _help(name, language, monkeypatch)
        shown[language] = capsys.readouterr().out
    assert shown["en"].startswith("usage: ") and english_sentences(shown["en"]) != []
    assert shown["id"].startswith("penggunaan: ") and "\nopsi:\n" in shown["id"]
    assert english_sentences(shown["id"]) == [], shown["id"]


def test_a_program_s_errors_and_printed_lines_follow_the_language(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from lab_utils.errors import LabError
    from lab_utils.programs import cli, sensor_producer

    monkeypatch.setenv("LAB_LANG", "id")
    with pytest.raises(SystemExit):
        sensor_producer.main(["--count", "x"])
    assert capsys.readouterr().err.endswith("kesalahan: argumen --count: nilai int tidak valid: 'x'\n")

    def job() -> None:
        print("Producer stopped: sent 3, acknowledged 3, failed 0.", flush=True)
        print('{"sensor_id": "S1", "suhu": 85.0}')  # JSON for a machine stays as it is
        raise LabError("Topic t does not exist yet: create it first (notebook 01).")

    assert cli.run_cli(job, "id") == 1
    out, err = capsys.readouterr()
    assert (
        out == 'Producer berhenti: 3 terkirim, 3 dikonfirmasi, 0 gagal.\n{"sensor_id": "S1", "suhu": 85.0}\n'
    )
    assert err == "kesalahan: Topic t belum ada: buat dulu (notebook 01).\n"
    assert cli.run_cli(job, "en") == 1
    assert capsys.readouterr().out.startswith("Producer stopped: sent 3,")


def test_a_check_s_success_line_shows_a_reason_in_the_language(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from lab_utils import notebook

    monkeypatch.setitem(notebook._shown_in, "language", "id")
    notebook.check(True, "Record rusak ada di 'rejected' (suhu is not a number).", "-")
    assert capsys.readouterr().out == "✓ Record rusak ada di 'rejected' (suhu bukan angka).\n"
