"""The lab's own one-line messages have Indonesian twins that keep every value; unknown ones stay English."""

from __future__ import annotations

import re
from typing import Any

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
        "Kafka refused the commit because the group was being rebalanced; nothing is lost: "
        "subscribe() before partitions_for_topic() (notebook 03, section 1) and run the cell again.": "Kafka "
        "menolak commit karena partition group sedang dibagi ulang; tidak ada yang hilang: panggil "
        "subscribe() sebelum partitions_for_topic() (notebook 03, bagian 1), lalu jalankan sel ini lagi.",
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
    examples |= _check_examples(monkeypatch) | _helper_examples()  # the helpers' lines and checks' sentences
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


# ---- the helpers' own lines and the checks' sentences, as an Indonesian notebook shows them -------------
TOPIC = "sensor-suhu"


def _record(partition: int, offset: int, topic: str = TOPIC) -> Any:
    from kafka.consumer.fetcher import ConsumerRecord

    return ConsumerRecord(topic, partition, -1, offset, 0, 0, b"S1", b"{}", [], None, 2, 2, -1)


class _Group:
    """Stands in for a KafkaConsumer: what poll_loop_problems asks it (its partitions, commits, positions)."""

    def __init__(self, committed: dict[Any, int | None], position: dict[Any, int] | None = None) -> None:
        self._committed, self._position = committed, position or committed

    def assignment(self) -> set[Any]:
        return set(self._committed)

    def committed(self, tp: Any) -> int | None:
        return self._committed[tp]

    def position(self, tp: Any) -> int | None:
        return self._position[tp]


def _check_examples(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The checks' sentences in the ✗ frames of the Indonesian notebooks 02 and 03, made by the code."""
    import dataclasses
    from types import SimpleNamespace

    from kafka import TopicPartition
    from kafka.serializer import JsonSerializer

    from lab_utils.config import load_config
    from lab_utils.reference import consumer
    from lab_utils.reference.producer import producer_settings, reference_differences

    config = dataclasses.replace(load_config(), topic=TOPIC, language="en")
    settings = producer_settings() | {"acks": 0, "enable_idempotence": False}
    settings |= {"key_serializer": JsonSerializer(), "value_serializer": None}
    tp, five = TopicPartition(TOPIC, 0), [_record(0, 5)]

    def poll_loop(kept: list[Any], committed: int | None, position: int | None = None) -> str:
        group = _Group({tp: committed}, {tp: committed if position is None else position})
        return "Loop poll Anda: " + "; ".join(consumer.poll_loop_problems(kept, group, config=config)) + "."

    def group_read(kept: list[Any], on_broker: dict[int, int]) -> str:
        placed = {(0, 0), (0, 1), (1, 0)}
        return (
            "Consumer Anda: "
            + "; ".join(consumer.group_read_problems(kept, on_broker, placed, "t", 10))
            + "."
        )

    monkeypatch.setattr(consumer, "read_range", lambda *_, **__: [_record(0, n) for n in (4, 5, 6)])
    value = "{'sensor_id': 'S1', 'suhu': 70.4, 'ts': '2026-11-27T10:00:00.000Z'}"
    return {
        "Producer Anda berbeda dari referensi: "
        + "; ".join(reference_differences(SimpleNamespace(config=settings)))
        + ".": "Producer Anda berbeda dari referensi: acks bernilai 0, referensi menunggu semua replica "
        '(acks="all"); enable_idempotence mati: pengiriman yang diulang bisa tersimpan dua kali; key '
        "'S1' menjadi "
        "b'\"S1\"', sedangkan referensi mengirim b'S1' (atur key_serializer=DefaultSerializer()); value "
        f"{value} menjadi {value}, sedangkan referensi mengirim "
        'b\'{"sensor_id": "S1", "suhu": 70.4, "ts": "2026-11-27T10:00:00.000Z"}\' '
        "(atur value_serializer=JsonSerializer()).",
        poll_loop(["not a record"], 3): "Loop poll Anda: `live` berisi objek str, bukan record: poll() "
        "mengembalikan {TopicPartition: [records]}, jadi ulangi setiap list di batches.values().",
        poll_loop(five, None): "Loop poll Anda: group belum melakukan commit sama sekali: panggil "
        "consumer.commit() setelah Anda menangani setiap batch.",
        poll_loop(five, 9): "Loop poll Anda: di partition 0, group melakukan commit di 9, melewati record "
        "terakhir yang Anda simpan (offset 5): commit() menyimpan posisi sesudah setiap record yang "
        "dikembalikan poll(), jadi simpan semuanya.",
        poll_loop(five, 3): "Loop poll Anda: di partition 0, group melakukan commit di 3, padahal record "
        "terakhir yang Anda simpan ada di offset 5: panggil commit() tepat setelah Anda menangani setiap "
        "batch.",
        poll_loop(five, 6, 8): "Loop poll Anda: consumer terus membaca setelah commit() terakhirnya: lakukan "
        "commit setelah setiap batch, termasuk batch terakhir.",
        poll_loop(
            [_record(0, 4), _record(0, 6)], 7
        ): "Loop poll Anda: Anda menyimpan 2 record, padahal Kafka "
        "menyimpan 3 di antara offset pertama dan terakhir yang Anda baca, misalnya p0@5: simpan setiap "
        "record dari setiap batch, tepat satu kali.",
        group_read([], {}): "Consumer Anda: Anda tidak membaca satu pun dari 3 data yang dikirim sel ke `t` "
        'sebelum consumer Anda mulai. Group baru dengan auto_offset_reset="latest" mulai dari akhir: '
        '"earliest" mulai dari record tertua.',
        group_read([_record(0, 0, "u")], {}): "Consumer Anda: Anda membaca record yang tidak dikirim sel ke "
        "`t`: lakukan subscribe ke `t`.",
        group_read([_record(0, 0, "t")], {}): "Consumer Anda: group belum melakukan commit sama sekali: "
        "panggil commit() setelah loop.",
        group_read([_record(0, 0, "t")], {0: 2}): "Consumer Anda: broker mencatat {0: 2} untuk group itu, "
        "padahal Anda menyimpan record sampai {0: 1}. commit() menyimpan posisi sesudah semua yang "
        "dikembalikan poll(), bukan sesudah yang Anda simpan: minta poll() tidak lebih dari yang masih Anda "
        "perlukan, max_records=10 - len(...).",
        group_read([_record(0, 0, "t")], {0: 1}): "Consumer Anda: Anda menyimpan 1 record, bukan 10: minta "
        "poll() paling banyak sejumlah yang masih Anda perlukan, max_records=10 - len(...).",
        # notebook 02's send loop (try_send_loop runs it in threads: its sentences as it writes them)
        "Loop Anda: it stopped with KeyError: 'suhu'.": "Loop Anda: loop berhenti karena KeyError: 'suhu'.",
        "Loop Anda: it sent 120 readings at once, without waiting between rounds: end each round with "
        "stop.wait(config.interval_s).": "Loop Anda: loop mengirim 120 data sekaligus, tanpa jeda "
        "antarputaran: akhiri setiap putaran dengan stop.wait(config.interval_s).",
        "Loop Anda: it still ran 8 s after a 4-second run began: loop only while time.monotonic() < "
        "deadline.": "Loop Anda: loop masih berjalan 8 s setelah percobaan 4 detik dimulai: ulangi hanya "
        "selama time.monotonic() < deadline.",
        "Loop Anda: a 4-second run sent 1 round(s) of readings, not about 4: keep sending, one round per "
        "interval, until the deadline.": "Loop Anda: percobaan 4 detik mengirim 1 putaran data, bukan "
        "sekitar 4: terus kirim, satu putaran per interval, sampai batas waktu.",
        "Loop Anda: it went on after stop was set: loop only while not stop.is_set(), and wait with "
        "stop.wait().": "Loop Anda: loop terus berjalan setelah stop di-set: ulangi hanya selama not "
        "stop.is_set(), dan tunggu dengan stop.wait().",
        "Loop Anda: `sent` is still empty: append each reading to it after you send it.": "Loop Anda: `sent` "
        "masih kosong: tambahkan setiap data ke dalamnya setelah Anda mengirimnya.",
        "Loop Anda: 2 of 8 sends failed, the first with KafkaTimeoutError('expired').": "Loop Anda: 2 dari 8 "
        "pengiriman gagal, yang pertama karena KafkaTimeoutError('expired').",
        "Loop Anda: on_delivered heard of 0 of 8 readings: attach the callbacks to each future, "
        "future.add_callback(on_delivered, reading).add_errback(on_failed, reading).": "Loop Anda: "
        "on_delivered hanya mendengar 0 dari 8 data: pasang callback di setiap future, "
        "future.add_callback(on_delivered, reading).add_errback(on_failed, reading).",
    }


def _helper_examples() -> dict[str, str]:
    """What the helpers return for a cell to print, and raise into a ✗ line, as they write it."""
    import dataclasses
    from types import SimpleNamespace

    from lab_utils.config import load_config
    from lab_utils.reference.producer import BackgroundProducer

    producer = BackgroundProducer(config=dataclasses.replace(load_config(), language="en"))
    closed = SimpleNamespace(flush=lambda timeout: None, close=lambda timeout: None)  # a KafkaProducer's
    producer._producer = closed
    producer._sent, producer._acked, producer._failed = 9, 8, 1
    stopped = producer.stop()  # stats without an error: a rate of 0.0 (never started)
    producer._producer, producer._last_error = closed, "KafkaTimeoutError: x"
    failing = producer.stop()
    producer.is_running = lambda: True  # type: ignore[method-assign]
    return {
        "Created topic sensor-suhu with 3 partitions.": "Topic sensor-suhu dibuat dengan 3 partition.",
        "Topic t already exists (1 partition): nothing to do.": "Topic t sudah ada (1 partition): tidak ada "
        "yang perlu dilakukan.",
        stopped: "Producer berhenti: 9 terkirim, 8 dikonfirmasi, 0 tertunda, 1 gagal, 0.0 data/s.",
        failing: "Producer berhenti: 9 terkirim, 8 dikonfirmasi, 0 tertunda, 1 gagal, 0.0 data/s; kesalahan "
        "terakhir: KafkaTimeoutError: x.",
        producer.start(): "Producer sudah berjalan (9 terkirim, 8 dikonfirmasi, 0 tertunda, 1 gagal, 0.0 "
        "data/s; kesalahan terakhir: KafkaTimeoutError: x).",
        "The producer is not running.": "Producer tidak sedang berjalan.",
        "Streaming sensor-suhu into the tables readings, alerts, rejected (from latest); rejected records "
        "also go to sensor-suhu-dlq.": "Mengalirkan sensor-suhu ke tabel readings, alerts, rejected (mulai "
        "dari latest); record yang ditolak juga dikirim ke sensor-suhu-dlq.",
        "Stopped sensor_pipeline.": "Dihentikan: sensor_pipeline.",
        "The pipeline was not running.": "Pipeline tidak sedang berjalan.",
        "Stopped 2 queries: alerts, readings.": "2 query dihentikan: alerts, readings.",
        "No query was running.": "Tidak ada query yang berjalan.",
        "Spark stopped.": "Spark dihentikan.",
        "no readings yet": "belum ada data",
        "no window yet": "belum ada window",
        "Temperature per sensor (120 readings)": "Suhu per sensor (120 data)",
        "window start (UTC)": "awal window (UTC)",
        "Average and maximum per window (12 windows)": "Rata-rata dan maksimum per window (12 window)",
        "Kafka at 127.0.0.1:9092, topic 'sensor-suhu', profile 'normal'": "Kafka di 127.0.0.1:9092, topic "
        "'sensor-suhu', profil 'normal'",
        "Account s07 (SASL_PLAINTEXT, topics and groups s07.*)": "Akun s07 (SASL_PLAINTEXT, topic dan group "
        "s07.*)",
        "Account (none) (SASL_SSL)": "Akun (none) (SASL_SSL)",
        "No Spark session is running.": "Tidak ada sesi Spark yang berjalan.",
        # the environment check (notebook 00) and the JVM's errors
        "Kafka answers at 127.0.0.1:9092": "Kafka menjawab di 127.0.0.1:9092",
        "pyspark 4.1.1 with spark-sql-kafka-0-10_2.13-4.1.1.jar (12 jars)": "pyspark 4.1.1 dengan "
        "spark-sql-kafka-0-10_2.13-4.1.1.jar (12 jar)",
        "Python 3.13.1 is not supported yet: use Python 3.11 or 3.12.": "Python 3.13.1 belum didukung: pakai "
        "Python 3.11 atau 3.12.",
        "The Spark Kafka connector k.jar is missing: run `make setup`.": "Konektor Kafka untuk Spark, k.jar, "
        "tidak ada: jalankan `make setup`.",
        "Java is not installed: install a JDK 17+ (apt-get install openjdk-17-jdk, or use the conda "
        "environment.yml).": "Java belum terpasang: pasang JDK 17+ (apt-get install openjdk-17-jdk, atau "
        "pakai environment.yml untuk conda).",
        "Could not read the version of /usr/bin/java: check that it is a working JDK.": "Versi /usr/bin/java "
        "tidak dapat dibaca: pastikan itu JDK yang berfungsi.",
        "Java 11 is too old: Spark 4 and Kafka 4 need Java 17+; install openjdk-17 and point JAVA_HOME at "
        "it.": "Java 11 terlalu lama: Spark 4 dan Kafka 4 memerlukan Java 17+; pasang openjdk-17, lalu "
        "arahkan JAVA_HOME ke sana.",
        "Maven (mvn) is not installed, and the lab needs it once to fetch Kafka and the Spark connector: "
        "install it (apt-get install maven, or use the conda environment.yml).": "Maven (mvn) belum "
        "terpasang, padahal lab ini memerlukannya sekali untuk mengambil Kafka dan konektor Spark: pasang "
        "Maven (apt-get install maven, atau pakai environment.yml untuk conda).",
        "Maven could not fetch the jars of spark.xml from Maven Central (details in /l/mvn.log): check the "
        "network connection, then run `make setup` again.": "Maven tidak dapat mengambil jar untuk spark.xml "
        "dari Maven Central (rinciannya di /l/mvn.log): periksa koneksi jaringan, lalu jalankan `make setup` "
        "lagi.",
        # what the streaming helpers raise
        "The query alerts stopped while starting: see .lab/logs/spark.log.": "Query alerts berhenti saat "
        "dimulai: lihat .lab/logs/spark.log.",
        "The streaming queries did not start within 60 s: see .lab/logs/spark.log.": "Query streaming tidak "
        "mulai dalam 60 s: lihat .lab/logs/spark.log.",
        "The query history stopped: see .lab/logs/spark.log, then run its start cell again.": "Query history "
        "berhenti: lihat .lab/logs/spark.log, lalu jalankan lagi sel yang memulainya.",
        "The query alerts has not finished a micro-batch yet: try again in a second.": "Query alerts belum "
        "menyelesaikan satu micro-batch pun: coba lagi sedetik kemudian.",
        "The query both reads 2 topics; compare one topic at a time.": "Query both membaca 2 topic; "
        "bandingkan satu topic saja setiap kali.",
        "The pipeline is not running: run its start cell first.": "Pipeline tidak sedang berjalan: jalankan "
        "dulu sel yang memulainya.",
        "A SparkSession without the Kafka connector is already running in this kernel: restart the kernel "
        "and create sessions only with lab_utils.spark.get_spark(config).": "SparkSession tanpa konektor "
        "Kafka sudah berjalan di kernel ini: mulai ulang kernel, lalu buat sesi hanya dengan "
        "lab_utils.spark.get_spark(config).",
        "The real-time query has 1 of its 3 tasks running after 120 s: is its trigger realTime=...? Has "
        "Spark a free task slot per partition?": "Query real-time baru menjalankan 1 dari 3 task-nya setelah "
        "120 s: apakah trigger-nya realTime=...? Apakah Spark punya satu slot task kosong per partition?",
        "Real-time mode needs a task slot for each of the 3 partitions of sensor-suhu, and this Spark has 2: "
        "create the session with lab_utils.realtime.realtime_config(config).": "Real-time mode memerlukan "
        "satu slot task untuk setiap partition sensor-suhu (3 partition), dan Spark ini punya 2: buat sesi "
        "dengan lab_utils.realtime.realtime_config(config).",
    }


def test_the_helpers_twins_read_as_indonesian(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.unit.test_translation import FORBIDDEN, english_sentences

    for indonesian in (_check_examples(monkeypatch) | _helper_examples()).values():
        prose = re.sub(r"\S*[._=(){}\[\]]\S*", " ", indonesian)  # code: stop.wait(...), max_records=...
        assert english_sentences(prose) == [], indonesian
        assert not [word for word in FORBIDDEN if re.search(rf"\b{word}\b", indonesian.lower())], indonesian


JAVA_TOO_OLD = (
    "Java 11 is too old: Spark 4 and Kafka 4 need Java 17+; install openjdk-17 and point JAVA_HOME at it."
)


def test_the_helpers_lines_follow_the_language_and_stay_english_byte_for_byte(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import contextlib
    import dataclasses
    from types import SimpleNamespace

    from lab_utils import spark, storage, streaming
    from lab_utils.config import load_config
    from lab_utils.errors import LabError
    from lab_utils.reference import topics
    from lab_utils.reference.consumer import format_record
    from lab_utils.reference.pipeline import SensorPipeline
    from lab_utils.reference.producer import BackgroundProducer
    from lab_utils.stack import doctor
    from lab_utils.stack.messages import SHOWN_IN
    from tests.unit.test_topic_rules import _Admin

    admins = iter([_Admin(set()), _Admin({"t"})] * 2)  # the topic is created, then it exists
    monkeypatch.setattr(topics, "admin_client", lambda _: contextlib.nullcontext(next(admins)))

    def too_old() -> str:
        raise LabError(JAVA_TOO_OLD)

    monkeypatch.setattr(doctor, "_python", lambda: "Python 3.11.7")
    monkeypatch.setattr(doctor, "_java", too_old)
    monkeypatch.setattr(doctor, "_connector", lambda _: "pyspark 4.1.1 with k.jar (12 jars)")
    monkeypatch.setattr(doctor, "_broker", lambda config: f"Kafka answers at {config.bootstrap_servers}")
    no_spark = SimpleNamespace(streams=SimpleNamespace(active=[]))  # no SparkContext: no query runs
    # whatever an earlier test in this process left, stop_spark() meets no session here
    monkeypatch.setattr(spark.SparkContext, "_gateway", None)
    monkeypatch.setattr(spark.SparkSession, "getActiveSession", staticmethod(lambda: None))

    def lines(language: str) -> list[str]:
        config = dataclasses.replace(
            load_config(), topic="t", partitions=3, lab_home=tmp_path, language=language
        )
        monkeypatch.setitem(SHOWN_IN, "language", language)  # what setup() does in a notebook's kernel
        (tmp_path / "checkpoints").mkdir(exist_ok=True)
        record = _record(1, 42)._replace(value=b"oops")
        return [
            topics.ensure_topic(config=config),
            topics.ensure_topic(config=config),
            BackgroundProducer(config=config).stop(),
            storage.reset_storage(config),
            storage.reset_storage(config),
            SensorPipeline(no_spark, config).stop(),  # type: ignore[arg-type]
            streaming.stop_all_queries(no_spark),  # type: ignore[arg-type]
            spark.stop_spark(),
            format_record(record, 80.0),
            *(str(result).replace(config.bootstrap_servers, "b") for result in doctor.run_checks(config)),
        ]

    assert lines("en") == [
        "Created topic t with 3 partitions.",
        "Topic t already exists (3 partitions): nothing to do.",
        "The producer is not running.",
        "Deleted the history and the checkpoints.",
        "Nothing to delete: no history yet.",
        "The pipeline was not running.",
        "No query was running.",
        "No Spark session is running.",
        "·    p1@42  skipped: not JSON",
        "✓ Python: Python 3.11.7",
        f"✗ Java: {JAVA_TOO_OLD}",
        "✓ Spark + Kafka connector: pyspark 4.1.1 with k.jar (12 jars)",
        "✓ Kafka broker: Kafka answers at b",
    ]
    assert lines("id") == [
        "Topic t dibuat dengan 3 partition.",
        "Topic t sudah ada (3 partition): tidak ada yang perlu dilakukan.",
        "Producer tidak sedang berjalan.",
        "Riwayat dan checkpoint sudah dihapus.",
        "Tidak ada yang dihapus: belum ada riwayat.",
        "Pipeline tidak sedang berjalan.",
        "Tidak ada query yang berjalan.",
        "Tidak ada sesi Spark yang berjalan.",
        "·    p1@42  dilewati: bukan JSON",
        "✓ Python: Python 3.11.7",
        "✗ Java: Java 11 terlalu lama: Spark 4 dan Kafka 4 memerlukan Java 17+; pasang openjdk-17, lalu "
        "arahkan JAVA_HOME ke sana.",
        "✓ Spark + Kafka connector: pyspark 4.1.1 dengan k.jar (12 jar)",
        "✓ Kafka broker: Kafka menjawab di b",
    ]


def test_a_helper_s_error_reads_indonesian_in_the_one_line_display() -> None:
    from types import SimpleNamespace

    from lab_utils.config import load_config
    from lab_utils.errors import LabError
    from lab_utils.reference.pipeline import SensorPipeline

    pipeline = SensorPipeline(SimpleNamespace(streams=SimpleNamespace(active=[])), load_config())  # type: ignore[arg-type]
    with pytest.raises(LabError) as raised:
        pipeline.watch(seconds=1)
    shown = {language: in_language(error_sentence(raised.value, "b"), language) for language in ("en", "id")}
    assert shown == {
        "en": "The pipeline is not running: run its start cell first.",
        "id": "Pipeline tidak sedang berjalan: jalankan dulu sel yang memulainya.",
    }


def test_an_indonesian_kernel_shows_setup_s_and_the_stop_lines_in_indonesian(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests.unit.test_notebook_errors import _run

    monkeypatch.setenv("LAB_LANG", "id")
    monkeypatch.setenv("LAB_BOOTSTRAP_SERVERS", "b:9092")
    book = _run(
        "from lab_utils.notebook import setup\nconfig = setup()",
        "from lab_utils.spark import stop_spark\nfrom lab_utils.streaming import stop_all_queries\n"
        "print(stop_all_queries(None))\nprint(stop_spark())",
    )
    kafka_line = book.cells[0].outputs[0].text.splitlines()[1]
    assert kafka_line.startswith("Kafka di b:9092, topic ") and ", profil " in kafka_line
    assert (
        book.cells[1].outputs[0].text
        == "Tidak ada query yang berjalan.\nTidak ada sesi Spark yang berjalan.\n"
    )


def test_the_charts_words_follow_the_kernel_s_language(monkeypatch: pytest.MonkeyPatch) -> None:
    import pandas as pd

    from lab_utils.plotting import readings_figure, windows_figure
    from lab_utils.stack.messages import SHOWN_IN

    def words(language: str) -> list[str]:
        monkeypatch.setitem(SHOWN_IN, "language", language)
        (readings,), (windows,) = (
            readings_figure(pd.DataFrame(), 80.0).axes,
            windows_figure(pd.DataFrame(), 80.0).axes,
        )
        return [readings.get_title(), readings.texts[0].get_text(), windows.texts[0].get_text()]

    assert words("en") == ["Temperature per sensor (0 readings)", "no readings yet", "no window yet"]
    assert words("id") == ["Suhu per sensor (0 data)", "belum ada data", "belum ada window"]
