"""The lab's one-line messages in the student's language: English as written in the code, or Indonesian.

Used by ``lab_utils.notebook`` (the ✓ and ✗ lines and the "not done yet" and fallback lines) and the
programs. The code keeps raising and printing its English sentence; :func:`in_language` turns a known
sentence into its Indonesian twin (``LAB_LANG=id``, or the Indonesian notebooks' folder), like a gettext
catalogue keyed by the English text. A sentence it does not know stays English, so nothing is ever lost
in translation. The values a pattern carries across are translated too, when they are known sentences
themselves (a reason inside a line, a LabError after ``error:``).

The terminal programs (``lab_utils/programs``) speak the language through two adapters: :class:`Parser`
(``--help``, usage and argparse's errors) and :func:`printed_in` (every line the program prints while it
runs). Neither changes a byte of the English output.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import re
import sys
import threading
from collections.abc import Iterator
from typing import IO, Any, NoReturn

LANGUAGES = ("en", "id")

# A BackgroundProducer's counters (ProducerStats), inside its stop() and start() lines.
STATS = (
    r"sent (?P<sent>\d+), acknowledged (?P<acked>\d+), pending (?P<pending>\d+), failed (?P<failed>\d+), "
    r"(?P<rate>\S+) readings/s(?P<error>; last error: .*)?"
)
STATS_ID = "{sent} terkirim, {acked} dikonfirmasi, {pending} tertunda, {failed} gagal, {rate} data/s{error}"
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
    (
        r"Kafka refused the commit because the group was being rebalanced; nothing is lost: "
        r"subscribe\(\) before partitions_for_topic\(\) \(notebook 03, section 1\) and run the cell again\.",
        "Kafka menolak commit karena partition group sedang dibagi ulang; tidak ada yang hilang: panggil "
        "subscribe() sebelum partitions_for_topic() (notebook 03, bagian 1), lalu jalankan sel ini lagi.",
    ),
    (r"Kafka refused: (?P<detail>.*)", "Kafka menolak: {detail}"),
    (
        r"Topic (?P<topic>\S+) does not exist yet: create it first \(notebook 01, or start the producer\)\.",
        "Topic {topic} belum ada: buat dulu (notebook 01, atau jalankan producer).",
    ),
    (
        r"The topic (?P<topic>\S+) does not exist: create it with ensure_alerts_topic\(config\)\.",
        "Topic {topic} tidak ada: buat dengan ensure_alerts_topic(config).",
    ),
    (
        r"The Spark job failed \((?P<detail>.*)\): see \.lab/logs/spark\.log for details\.",
        "Job Spark gagal ({detail}): lihat rinciannya di .lab/logs/spark.log.",
    ),
    # --- the terminal programs: --help, argparse's own words and errors -----------------------------
    ("usage: ", "penggunaan: "),
    ("options", "opsi"),
    ("show this help message and exit", "tampilkan bantuan ini, lalu keluar"),
    (r"(?P<prog>[\w-]+): error: (?P<detail>.+)", "{prog}: kesalahan: {detail}"),
    (r"the following arguments are required: (?P<names>.+)", "argumen ini wajib diisi: {names}"),
    (r"argument (?P<name>\S+): (?P<detail>.+)", "argumen {name}: {detail}"),
    (r"not allowed with argument (?P<other>\S+)", "tidak boleh dipakai bersama argumen {other}"),
    (r"invalid (?P<type>\w+) value: (?P<value>.+)", "nilai {type} tidak valid: {value}"),
    (
        r"invalid choice: (?P<value>.+?) \(choose from (?P<choices>.+)\)",
        "pilihan tidak valid: {value} (pilih salah satu: {choices})",
    ),
    ("expected one argument", "perlu satu nilai"),
    (r"unrecognized arguments: (?P<names>.+)", "argumen tidak dikenal: {names}"),
    ("read the topic from its oldest record", "baca topic mulai dari record tertua"),
    ("process what the topic holds now, then exit", "proses isi topic saat ini, lalu keluar"),
    (
        r"stop after this many seconds \(default: run until Ctrl-C\)",
        "berhenti setelah sekian detik (bawaan: berjalan sampai Ctrl-C)",
    ),
    ("stop after this many seconds", "berhenti setelah sekian detik"),
    (r"Send simulated temperature readings to (?P<topic>\S+)\.", "Kirim data suhu simulasi ke {topic}."),
    ("number of machines", "jumlah mesin"),
    ("seconds between rounds", "jeda antarputaran, dalam detik"),
    (
        r"stop after this many rounds \(one reading per (?P<who>sensor|warehouse)\)",
        "berhenti setelah sekian putaran (satu data per {who})",
    ),
    ("warehouse", "gudang"),
    ("make the simulation repeatable", "buat simulasi yang dapat diulang dengan hasil yang sama"),
    (r"Print every reading of (?P<topic>\S+)\.", "Tampilkan setiap data dari {topic}."),
    ("stop after this many records", "berhenti setelah sekian record"),
    (
        r"consumer group id \(Kafka remembers where the group stopped\)",
        "id consumer group (Kafka mengingat posisi terakhir group itu)",
    ),
    (
        r"PySpark job: print readings of (?P<topic>\S+) above the threshold\.",
        "Job PySpark: tampilkan data dari {topic} yang di atas ambang batas.",
    ),
    ("°C; alerts are above", "°C; data di atasnya menjadi peringatan"),
    ("one JSON object per alert line", "satu objek JSON per baris peringatan"),
    (
        "report only machines that stayed above the threshold this long: one line per episode",
        "laporkan hanya mesin yang bertahan di atas ambang batas selama ini: satu baris per episode",
    ),
    (
        "Spark's real-time mode: each alert within milliseconds",
        "real-time mode Spark: setiap peringatan dalam hitungan milidetik",
    ),
    (
        "--realtime watches live: it goes with neither --available-now nor --sustained",
        "--realtime memantau secara langsung: jangan pakai bersama --available-now atau --sustained",
    ),
    (
        r"Store every valid reading of (?P<topic>\S+) as Parquet, exactly once\.",
        "Simpan setiap data valid dari {topic} sebagai Parquet, tepat satu kali.",
    ),
    ("delete the history and checkpoints first", "hapus dulu riwayat dan checkpoint"),
    (
        "Send simulated warehouse readings, one sensor per program.",
        "Kirim data gudang simulasi, satu sensor per program.",
    ),
    ("which sensor this producer is", "sensor yang dikirim producer ini"),
    (r"number of warehouses \(G1, G2, \.\.\.\)", "jumlah gudang (G1, G2, ...)"),
    ("another plan of episodes", "rencana episode yang lain"),
    (
        r"PySpark job: warnings and the combined status of each warehouse \((?P<a>\w+) and (?P<b>\w+)\)\.",
        "Job PySpark: peringatan dan status gabungan setiap gudang ({a} dan {b}).",
    ),
    ("one JSON object per warning or joined pair", "satu objek JSON per peringatan atau pasangan hasil join"),
    (
        r"at most N records of each topic per micro-batch \(Spark's maxOffsetsPerTrigger\)",
        "paling banyak N record dari setiap topic per micro-batch (maxOffsetsPerTrigger di Spark)",
    ),
    # --- what the programs print while they run ----------------------------------------------------------
    (r"error: (?P<detail>.*)", "kesalahan: {detail}"),
    ("Interrupted.", "Dihentikan."),
    (r"Last error: (?P<detail>.*)", "Kesalahan terakhir: {detail}"),
    (
        r"Producer started: (?P<n>\d+) sensors, one reading each every (?P<s>\S+) s\.",
        "Producer berjalan: {n} sensor, masing-masing mengirim satu data setiap {s} s.",
    ),
    (
        r"Producer started: (?P<n>\d+) warehouses send (?P<sensor>\w+) to (?P<topic>\S+) "
        r"every (?P<s>\S+) s\.",
        "Producer berjalan: {n} gudang mengirim {sensor} ke {topic} setiap {s} s.",
    ),
    (r"Sent: (?P<value>.*)", "Terkirim: {value}"),
    (
        r"Producer stopped: sent (?P<sent>\d+), acknowledged (?P<acked>\d+), failed (?P<failed>\d+)\.",
        "Producer berhenti: {sent} terkirim, {acked} dikonfirmasi, {failed} gagal.",
    ),
    (
        r"Topic (?P<topic>\S+) does not exist yet: create it first \(notebook 01\)\.",
        "Topic {topic} belum ada: buat dulu (notebook 01).",
    ),
    (r"· (?P<where> *p\d+@\d+)  skipped: (?P<reason>.*)", "· {where}  dilewati: {reason}"),
    (r"(?P<reading>  .*)  ⚠ ABOVE (?P<threshold>\S+) °C", "{reading}  ⚠ DI ATAS {threshold} °C"),
    (
        r"Watching (?P<topic>\S+) \(threshold (?P<threshold>\S+) °C\)\.\.\.",
        "Memantau {topic} (ambang batas {threshold} °C)...",
    ),
    (
        r"Watching (?P<topic>\S+) in real-time mode \(threshold (?P<threshold>\S+) °C\); "
        r"the alerts also go to (?P<alerts>\S+)\.\.\.",
        "Memantau {topic} dalam real-time mode (ambang batas {threshold} °C); "
        "peringatan juga dikirim ke {alerts}...",
    ),
    (r"Watching (?P<a>\S+) and (?P<b>\S+)\.\.\.", "Memantau {a} dan {b}..."),
    (
        r"🔥 (?P<sensor>.+?) above (?P<threshold>\S+) °C for (?P<s>\S+) s: (?P<start>\S+) → (?P<end>\S+), "
        r"max (?P<max>\S+) °C",
        "🔥 {sensor} di atas {threshold} °C selama {s} s: {start} → {end}, maks. {max} °C",
    ),
    (
        r"(?P<n>\d+) records were not readings: sent to (?P<topic>\S+)\.",
        "{n} record bukan data sensor: dikirim ke {topic}.",
    ),
    (r"(?P<n>\d+) records were not readings\.", "{n} record bukan data sensor."),
    (r"· rejected (?P<where>\S+ p\d+@\d+): (?P<reason>.*)", "· ditolak {where}: {reason}"),
    (
        r"(?P<n>\d+) readings came later than the watermark \((?P<delay>[^)]*)\): not joined\.",
        "{n} data datang lebih lambat dari watermark ({delay}): tidak di-join.",
    ),
    (r"(?P<n>\d+) seconds", "{n} detik"),
    (
        "The real-time query stopped: see .lab/logs/spark.log.",
        "Query real-time berhenti: lihat .lab/logs/spark.log.",
    ),
    ("Deleted the history and the checkpoints.", "Riwayat dan checkpoint sudah dihapus."),
    ("Nothing to delete: no history yet.", "Tidak ada yang dihapus: belum ada riwayat."),
    (r"Writing the history to (?P<path>.+)\.\.\.", "Menulis riwayat ke {path}..."),
    (r"The history holds (?P<n>\d+) readings\.", "Riwayat berisi {n} data."),
    (
        r"There is no history at (?P<path>.+) yet: run the history query first \(notebook 06\)\.",
        "Belum ada riwayat di {path}: jalankan dulu query riwayat (notebook 06).",
    ),
    # --- what the helpers return for a cell to print (ensure_topic, BackgroundProducer, stop_spark...) ---
    (
        r"Created topic (?P<topic>\S+) with (?P<n>\d+) partitions?\.",
        "Topic {topic} dibuat dengan {n} partition.",
    ),
    (
        r"Topic (?P<topic>\S+) already exists \((?P<n>\d+) partitions?\): nothing to do\.",
        "Topic {topic} sudah ada ({n} partition): tidak ada yang perlu dilakukan.",
    ),
    (rf"Producer stopped: {STATS}\.", f"Producer berhenti: {STATS_ID}."),
    (rf"The producer is already running \(running: {STATS}\)\.", f"Producer sudah berjalan ({STATS_ID})."),
    (r"; last error: (?P<detail>.*)", "; kesalahan terakhir: {detail}"),
    ("The producer is not running.", "Producer tidak sedang berjalan."),
    (
        r"Streaming (?P<topic>\S+) into the tables (?P<tables>.+?) \(from (?P<start>\S+)\); "
        r"rejected records also go to (?P<dlq>\S+)\.",
        "Mengalirkan {topic} ke tabel {tables} (mulai dari {start}); record yang ditolak juga dikirim "
        "ke {dlq}.",
    ),
    (r"Stopped (?P<name>\S+)\.", "Dihentikan: {name}."),
    ("The pipeline was not running.", "Pipeline tidak sedang berjalan."),
    (r"Stopped (?P<n>\d+) queries: (?P<names>.+)\.", "{n} query dihentikan: {names}."),
    ("No query was running.", "Tidak ada query yang berjalan."),
    ("Spark stopped.", "Spark dihentikan."),
    ("No Spark session is running.", "Tidak ada sesi Spark yang berjalan."),
    # the charts' words (lab_utils.plotting, notebooks 04 and 05); "event time" stays, as the glossary says
    ("no readings yet", "belum ada data"),
    (r"Temperature per sensor \((?P<n>\d+) readings\)", "Suhu per sensor ({n} data)"),
    ("no window yet", "belum ada window"),
    (r"window start \((?P<zone>[^)]+)\)", "awal window ({zone})"),
    (
        r"Average and maximum per window \((?P<n>\d+) windows\)",
        "Rata-rata dan maksimum per window ({n} window)",
    ),
    # setup()'s lines under the versions (every notebook's first cell)
    (
        r"Kafka at (?P<servers>\S+), topic (?P<topic>\S+), profile (?P<profile>\S+)",
        "Kafka di {servers}, topic {topic}, profil {profile}",
    ),
    (
        r"Account (?P<user>\S+) \((?P<protocol>\w+)(?P<scope>, topics and groups \S+)?\)",
        "Akun {user} ({protocol}{scope})",
    ),
    (r", topics and groups (?P<prefix>\S+)", ", topic dan group {prefix}"),
    # --- the environment check (notebook 00, lab_utils.stack.doctor) and the JVM's errors ----------------
    (r"Kafka answers at (?P<servers>\S+)", "Kafka menjawab di {servers}"),
    (
        r"pyspark (?P<version>\S+) with (?P<jar>\S+\.jar) \((?P<n>\d+) jars\)",
        "pyspark {version} dengan {jar} ({n} jar)",
    ),
    (
        r"Python (?P<version>\S+) is not supported yet: use Python 3\.11 or 3\.12\.",
        "Python {version} belum didukung: pakai Python 3.11 atau 3.12.",
    ),
    (
        r"The Spark Kafka connector (?P<jar>\S+) is missing: run `make setup`\.",
        "Konektor Kafka untuk Spark, {jar}, tidak ada: jalankan `make setup`.",
    ),
    (
        r"Java is not installed: install a JDK (?P<min>\d+)\+ "
        r"\(apt-get install openjdk-17-jdk, or use the conda environment\.yml\)\.",
        "Java belum terpasang: pasang JDK {min}+ (apt-get install openjdk-17-jdk, atau pakai "
        "environment.yml untuk conda).",
    ),
    (
        r"Could not read the version of (?P<java>\S+): check that it is a working JDK\.",
        "Versi {java} tidak dapat dibaca: pastikan itu JDK yang berfungsi.",
    ),
    (
        r"Java (?P<major>\d+) is too old: Spark 4 and Kafka 4 need Java (?P<min>\d+)\+; "
        r"install openjdk-17 and point JAVA_HOME at it\.",
        "Java {major} terlalu lama: Spark 4 dan Kafka 4 memerlukan Java {min}+; pasang openjdk-17, lalu "
        "arahkan JAVA_HOME ke sana.",
    ),
    (
        r"Maven \(mvn\) is not installed, and the lab needs it once to fetch Kafka and the Spark connector: "
        r"install it \(apt-get install maven, or use the conda environment\.yml\)\.",
        "Maven (mvn) belum terpasang, padahal lab ini memerlukannya sekali untuk mengambil Kafka dan "
        "konektor Spark: pasang Maven (apt-get install maven, atau pakai environment.yml untuk conda).",
    ),
    (
        r"Maven could not fetch the jars of (?P<pom>\S+) from Maven Central \(details in (?P<log>\S+)\): "
        r"check the network connection, then run `make setup` again\.",
        "Maven tidak dapat mengambil jar untuk {pom} dari Maven Central (rinciannya di {log}): periksa "
        "koneksi jaringan, lalu jalankan `make setup` lagi.",
    ),
    # --- what the streaming helpers raise (one ✗ line: lab_utils.streaming, spark, realtime, pipeline) -----
    (
        r"The query (?P<name>\S+) stopped while starting: see \.lab/logs/spark\.log\.",
        "Query {name} berhenti saat dimulai: lihat .lab/logs/spark.log.",
    ),
    (
        r"The streaming queries did not start within (?P<s>\d+) s: see \.lab/logs/spark\.log\.",
        "Query streaming tidak mulai dalam {s} s: lihat .lab/logs/spark.log.",
    ),
    (
        r"The query (?P<name>\S+) stopped: see \.lab/logs/spark\.log, then run its start cell again\.",
        "Query {name} berhenti: lihat .lab/logs/spark.log, lalu jalankan lagi sel yang memulainya.",
    ),
    (
        r"The query (?P<name>\S+) has not finished a micro-batch yet: try again in a second\.",
        "Query {name} belum menyelesaikan satu micro-batch pun: coba lagi sedetik kemudian.",
    ),
    (
        r"The query (?P<name>\S+) reads (?P<n>\d+) topics; compare one topic at a time\.",
        "Query {name} membaca {n} topic; bandingkan satu topic saja setiap kali.",
    ),
    (
        "The pipeline is not running: run its start cell first.",
        "Pipeline tidak sedang berjalan: jalankan dulu sel yang memulainya.",
    ),
    (
        r"A SparkSession without the Kafka connector is already running in this kernel: restart the kernel "
        r"and create sessions only with lab_utils\.spark\.get_spark\(config\)\.",
        "SparkSession tanpa konektor Kafka sudah berjalan di kernel ini: mulai ulang kernel, lalu buat sesi "
        "hanya dengan lab_utils.spark.get_spark(config).",
    ),
    (
        r"The real-time query has (?P<n>\d+) of its (?P<tasks>\d+) tasks running after (?P<s>\d+) s: "
        r"is its trigger realTime=\.\.\.\? Has Spark a free task slot per partition\?",
        "Query real-time baru menjalankan {n} dari {tasks} task-nya setelah {s} s: apakah trigger-nya "
        "realTime=...? Apakah Spark punya satu slot task kosong per partition?",
    ),
    (
        r"Real-time mode needs a task slot for each of the (?P<n>\d+) partitions of (?P<topic>\S+), and this "
        r"Spark has (?P<slots>\d+): create the session with lab_utils\.realtime\.realtime_config\(config\)\.",
        "Real-time mode memerlukan satu slot task untuk setiap partition {topic} ({n} partition), dan Spark "
        "ini punya {slots}: buat sesi dengan lab_utils.realtime.realtime_config(config).",
    ),
    (r", e\.g\. (?P<at>p\d+@\d+)", ", misalnya {at}"),  # inside a check's sentence (poll loop)
    # --- why a record is not a reading (lab_utils.reference.readings and warehouse) ------------------
    ("empty value", "value kosong"),
    ("not UTF-8 text", "bukan teks UTF-8"),
    ("not JSON", "bukan JSON"),
    ("not a JSON object", "bukan objek JSON"),
    (r"missing (?P<field>\w+)", "{field} tidak ada"),
    (r"(?P<field>\w+) is null", "{field} bernilai null"),
    (r"(?P<field>\w+) is not a number", "{field} bukan angka"),
    (r"(?P<field>\w+) is NaN or infinite", "{field} bernilai NaN atau tak hingga"),
    (r"(?P<field>\w+) outside (?P<range>\S+) (?P<unit>\S+)", "{field} di luar rentang {range} {unit}"),
    ("ts is not an ISO-8601 time", "ts bukan waktu ISO-8601"),
    (r"ts is more than (?P<s>\S+) s ahead of the clock", "ts lebih dari {s} s melampaui waktu sekarang"),
]
# Sentences that the reference's checks put inside a ✗ line whose frame the notebook already translated
# ("Periksa pengiriman Anda: the record at p0@5 holds ..."): translated wherever they stand.
AT = r"the record at (?P<at>p\d+@\d+)"
QUOTED = r"'[^']*'|\"[^\"]*\""
INDONESIAN_PARTS: list[tuple[str, str]] = [
    (
        "Kafka holds no record at that partition and offset",
        "Kafka tidak menyimpan record di partition dan offset itu",
    ),
    (
        rf"{AT} has no key: send it with key=(?P<key>{QUOTED})",
        "record di {at} tidak punya key: kirim dengan key={key}",
    ),
    (
        rf"{AT} has the key (?P<got>b(?:{QUOTED})), JSON text with quotes: "
        r"the key needs DefaultSerializer\(\)",
        "record di {at} punya key {got}, teks JSON dengan tanda kutip: key memerlukan DefaultSerializer()",
    ),
    (
        rf"{AT} has the key (?P<got>b(?:{QUOTED})), not (?P<want>b(?:{QUOTED}))",
        "record di {at} punya key {got}, bukan {want}",
    ),
    (
        rf"{AT} holds (?P<value>b(?:{QUOTED})), which is not JSON",
        "record di {at} berisi {value}, yang bukan JSON",
    ),
    (
        rf"{AT} holds a JSON string, (?P<value>.+?)\.\.\.: your value was JSON encoded twice\. "
        r"The JsonSerializer already calls json\.dumps, so send the dict itself",
        "record di {at} berisi string JSON, {value}...: value Anda di-encode ke JSON dua kali. "
        "JsonSerializer sudah memanggil json.dumps, jadi kirim dict itu sendiri",
    ),
    (
        rf"{AT} holds (?P<body>.+?), not the reading you were asked to send, (?P<value>\{{[^{{}}]*\}})",
        "record di {at} berisi {body}, bukan data yang diminta untuk Anda kirim, {value}",
    ),
    (
        rf"{AT} holds (?P<body>.+?), not a valid reading \((?P<reason>[^()]*)\)",
        "record di {at} berisi {body}, bukan data sensor yang valid ({reason})",
    ),
    (
        rf"{AT} holds a reading of (?P<sensor>{QUOTED}), but its key is (?P<key>{QUOTED})",
        "record di {at} berisi data sensor {sensor}, tetapi key-nya {key}",
    ),
    # notebook 02: how the student's producer departs from the reference (reference_differences)
    (
        r"acks is (?P<acks>\S+), the reference waits for all replicas \(acks=\"all\"\)",
        'acks bernilai {acks}, referensi menunggu semua replica (acks="all")',
    ),
    (
        "enable_idempotence is off: a retried send could be stored twice",
        "enable_idempotence mati: pengiriman yang diulang bisa tersimpan dua kali",
    ),
    (
        rf"the (?P<name>key|value) (?P<data>.+?) becomes (?P<made>.+?), the reference sends "
        rf"(?P<expected>b(?:{QUOTED})) \(set (?P<setting>(?:key|value)_serializer=\w+\(\))\)",
        "{name} {data} menjadi {made}, sedangkan referensi mengirim {expected} (atur {setting})",
    ),
    # notebook 02: the student's send loop (try_send_loop)
    (r"it stopped with (?P<error>\w+: .*)", "loop berhenti karena {error}"),
    (
        r"it sent (?P<n>\d+) readings at once, without waiting between rounds: "
        r"end each round with stop\.wait\(config\.interval_s\)",
        "loop mengirim {n} data sekaligus, tanpa jeda antarputaran: akhiri setiap putaran dengan "
        "stop.wait(config.interval_s)",
    ),
    (
        r"it still ran (?P<s>\S+) s after a (?P<run>\S+)-second run began: "
        r"loop only while time\.monotonic\(\) < deadline",
        "loop masih berjalan {s} s setelah percobaan {run} detik dimulai: ulangi hanya selama "
        "time.monotonic() < deadline",
    ),
    (
        r"a (?P<run>\S+)-second run sent (?P<rounds>\S+) round\(s\) of readings, not about 4: "
        r"keep sending, one round per interval, until the deadline",
        "percobaan {run} detik mengirim {rounds} putaran data, bukan sekitar 4: terus kirim, satu putaran "
        "per interval, sampai batas waktu",
    ),
    (
        r"it went on after stop was set: loop only while not stop\.is_set\(\), and wait with stop\.wait\(\)",
        "loop terus berjalan setelah stop di-set: ulangi hanya selama not stop.is_set(), dan tunggu "
        "dengan stop.wait()",
    ),
    (
        "`sent` is still empty: append each reading to it after you send it",
        "`sent` masih kosong: tambahkan setiap data ke dalamnya setelah Anda mengirimnya",
    ),
    (
        r"(?P<n>\d+) of (?P<m>\d+) sends failed, the first with (?P<error>.+)",
        "{n} dari {m} pengiriman gagal, yang pertama karena {error}",
    ),
    (
        r"on_delivered heard of (?P<n>\d+) of (?P<m>\d+) readings: attach the callbacks to each future, "
        r"(?P<code>future\.add_callback\(on_delivered, reading\)\.add_errback\(on_failed, reading\))",
        "on_delivered hanya mendengar {n} dari {m} data: pasang callback di setiap future, {code}",
    ),
    # notebook 03: the student's poll loop (poll_loop_problems) and consumer group (group_read_problems)
    (
        r"`live` holds (?P<type>\w+) objects, not records: poll\(\) returns \{TopicPartition: \[records\]\}, "
        r"so loop over the lists in batches\.values\(\)",
        "`live` berisi objek {type}, bukan record: poll() mengembalikan {{TopicPartition: [records]}}, "
        "jadi ulangi setiap list di batches.values()",
    ),
    (
        r"the group committed nothing: call consumer\.commit\(\) after you handled each batch",
        "group belum melakukan commit sama sekali: panggil consumer.commit() setelah Anda menangani "
        "setiap batch",
    ),
    (
        r"in partition (?P<p>\d+) the group committed (?P<offset>\d+), past the last record you kept "
        r"\(offset (?P<last>\d+)\): commit\(\) saves the position after every record poll\(\) returned, "
        r"so keep them all",
        "di partition {p}, group melakukan commit di {offset}, melewati record terakhir yang Anda simpan "
        "(offset {last}): commit() menyimpan posisi sesudah setiap record yang dikembalikan poll(), jadi "
        "simpan semuanya",
    ),
    (
        r"in partition (?P<p>\d+) the group committed (?P<offset>\S+), but the last record you kept is at "
        r"offset (?P<last>\d+): commit\(\) right after you handled each batch",
        "di partition {p}, group melakukan commit di {offset}, padahal record terakhir yang Anda simpan ada "
        "di offset {last}: panggil commit() tepat setelah Anda menangani setiap batch",
    ),
    (
        r"the consumer read on after its last commit\(\): commit after every batch, the last one too",
        "consumer terus membaca setelah commit() terakhirnya: lakukan commit setelah setiap batch, "
        "termasuk batch terakhir",
    ),
    (
        r"you kept (?P<got>\d+) records, but Kafka holds (?P<expected>\d+) between the first and last "
        r"offsets you read(?P<example>, e\.g\. p\d+@\d+)?: keep every record of every batch, once",
        "Anda menyimpan {got} record, padahal Kafka menyimpan {expected} di antara offset pertama dan "
        "terakhir yang Anda baca{example}: simpan setiap record dari setiap batch, tepat satu kali",
    ),
    (
        r"you read none of the (?P<n>\d+) readings the cell put in `(?P<topic>[^`]+)` before your consumer "
        r"started\. A new group with auto_offset_reset=\"latest\" starts at the end: \"earliest\" starts at "
        r"the oldest record",
        "Anda tidak membaca satu pun dari {n} data yang dikirim sel ke `{topic}` sebelum consumer Anda "
        'mulai. Group baru dengan auto_offset_reset="latest" mulai dari akhir: "earliest" mulai dari '
        "record tertua",
    ),
    (
        r"you read records that the cell did not put in `(?P<topic>[^`]+)`: subscribe to `(?P=topic)`",
        "Anda membaca record yang tidak dikirim sel ke `{topic}`: lakukan subscribe ke `{topic}`",
    ),
    (
        r"the group committed nothing: call commit\(\) after the loop",
        "group belum melakukan commit sama sekali: panggil commit() setelah loop",
    ),
    (
        r"the broker holds (?P<held>\{[^{}]*\}) for the group, but you kept records up to "
        r"(?P<kept>\{[^{}]*\})\. commit\(\) saves the position after everything poll\(\) returned, not after "
        r"what you kept: ask poll\(\) for no more than you still need, "
        r"(?P<code>max_records=\d+ - len\(\.\.\.\))",
        "broker mencatat {held} untuk group itu, padahal Anda menyimpan record sampai {kept}. commit() "
        "menyimpan posisi sesudah semua yang dikembalikan poll(), bukan sesudah yang Anda simpan: minta "
        "poll() tidak lebih dari yang masih Anda perlukan, {code}",
    ),
    (
        r"you kept (?P<n>\d+) records, not (?P<wanted>\d+): ask poll\(\) for at most the number you still "
        r"need, (?P<code>max_records=\d+ - len\(\.\.\.\))",
        "Anda menyimpan {n} record, bukan {wanted}: minta poll() paling banyak sejumlah yang masih Anda "
        "perlukan, {code}",
    ),
    (r"\((?P<inside>[^()]+)\)", "({inside})"),  # a known sentence in brackets: "(suhu is not a number)"
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
            return _filled(twin, match, language)
    for pattern, twin in INDONESIAN_PARTS:
        sentence = re.sub(pattern, functools.partial(_filled, twin, language=language), sentence)
    return sentence


def _filled(twin: str, match: re.Match[str], language: str) -> str:
    """The twin with the match's values, each itself in ``language`` when it is a known sentence."""
    values = {name: in_language(value or "", language) for name, value in match.groupdict().items()}
    return twin.format(**values)


# The language of the lab's own lines in this kernel: lab_utils.notebook.setup() sets it from the settings
# (LAB_LANG, or the Indonesian notebooks' folder). English until then, and in the terminal programs.
SHOWN_IN = {"language": "en"}


def shown(sentence: str) -> str:
    """``sentence`` in this kernel's language: for a line a helper without a config returns (stop_spark())."""
    return in_language(sentence, SHOWN_IN["language"])


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's formatter with each text it shows in ``language``: usage, headings, description, helps."""

    def __init__(self, prog: str, language: str = "en") -> None:
        super().__init__(prog)
        self.language = language

    def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, prefix or in_language("usage: ", self.language))

    def start_section(self, heading: str | None) -> None:
        super().start_section(heading and in_language(heading, self.language))

    def add_text(self, text: str | None) -> None:
        super().add_text(text and in_language(text, self.language))

    def _get_help_string(self, action: argparse.Action) -> str | None:  # argparse's hook for help texts
        help_text = super()._get_help_string(action)
        return help_text and in_language(help_text, self.language)


class Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose ``--help``, usage line and errors are in ``language``."""

    def __init__(self, prog: str, description: str, language: str = "en") -> None:
        self.language = language
        formatter = functools.partial(_HelpFormatter, language=language)  # argparse calls it with prog
        super().__init__(prog=prog, description=description, formatter_class=formatter)

    def error(self, message: str) -> NoReturn:
        if self.language != "id":
            super().error(message)
        self.print_usage(sys.stderr)
        self.exit(2, in_language(f"{self.prog}: error: {message}", self.language) + "\n")


class _LinesIn:
    """A text stream that passes each whole line through :func:`in_language` before the real stream."""

    def __init__(self, stream: IO[str], language: str) -> None:
        self.stream, self.language, self.pending, self.lock = stream, language, "", threading.Lock()

    def write(self, text: str) -> int:
        with self.lock:  # foreachBatch prints from Spark's callback threads
            *lines, self.pending = (self.pending + text).split("\n")
            for line in lines:
                self.stream.write(in_language(line, self.language) + "\n")
        return len(text)

    def flush(self) -> None:
        with self.lock:
            self.stream.write(self.pending)
            self.pending = ""
            self.stream.flush()

    def __getattr__(self, name: str) -> Any:  # fileno, isatty, encoding...: the real stream's
        return getattr(self.stream, name)


@contextlib.contextmanager
def printed_in(language: str) -> Iterator[None]:
    """While it lasts, each line printed on stdout or stderr is shown in ``language`` (English: as it is)."""
    if language != "id":
        yield
        return
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _LinesIn(sys.stdout, language), _LinesIn(sys.stderr, language)
    try:
        yield
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        sys.stdout, sys.stderr = saved
