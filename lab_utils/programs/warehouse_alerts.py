"""``warehouse-alerts``: the reference answer to the 2025 assignment's PySpark consumer.

One job over both topics: ``[Peringatan Suhu Tinggi]`` above 80 °C, ``[Peringatan Kelembaban Tinggi]``
above 70 %, and ``[PERINGATAN KRITIS]`` with each warehouse's status, from a stream-stream join on
``gudang_id`` of readings at most 10 s apart, watermarks on both sides (notebook 09; the parse, join and
texts are in ``lab_utils.reference.warehouse_join``). Text: per micro-batch, the newest pair of each
warehouse; ``--json``: every warning and every joined pair. Records that are not readings, and readings
too late to join, are reported on stderr.

    warehouse-alerts                            # live, from now, until Ctrl-C
    warehouse-alerts --available-now --json     # what both topics hold, then exit
"""

from __future__ import annotations

import argparse
import sys

from lab_utils.config import LabConfig, load_config
from lab_utils.programs import cli
from lab_utils.reference import warehouse_join as gudang  # gudang: warehouse
from lab_utils.reference.topics import ensure_topic
from lab_utils.reference.warehouse import KELEMBABAN, MEASURES, SUHU, WATERMARK, topic_for
from lab_utils.spark import spark_job
from lab_utils.stack.account import spark_kafka_options


def run_alerts(config: LabConfig, args: argparse.Namespace) -> None:
    """Run the three queries until they end (``--available-now``), time out, or are interrupted."""
    for measure in MEASURES:  # one sentence when no broker answers
        ensure_topic(topic_for(measure, config), config=config)
    start = "earliest" if args.from_beginning or args.available_now else "latest"
    with spark_job(config) as spark:
        parsed = {}
        for measure in MEASURES:  # one stream per topic
            records = (
                spark.readStream.format("kafka")
                .option("kafka.bootstrap.servers", config.bootstrap_servers)
                .options(**spark_kafka_options(config))  # a class cluster's account, if any
                .option("subscribe", topic_for(measure, config))
                .option("startingOffsets", start)
                # a replay (--available-now) in steps, so that the watermark moves on as in a live run
                .option("maxOffsetsPerTrigger", args.max_offsets_per_trigger)
                .option("failOnDataLoss", "false")
                .load()
            )
            parsed[measure] = gudang.parse(records, measure)  # a reading, or the reason it is none
        suhu, kelembaban = (gudang.sensor_side(parsed[measure], measure) for measure in MEASURES)
        # withWatermark on both sides, gudang_id equal, event times at most 10 s apart, and the status
        joined = gudang.join_warehouses(suhu, kelembaban, config)
        refused = gudang.rejected(parsed[SUHU]).unionByName(gudang.rejected(parsed[KELEMBABAN]))
        show_rejected = gudang.RejectedPrinter()  # one line on stderr per record that is not a reading
        every = {"processingTime": f"{config.trigger_seconds} seconds"}  # a micro-batch every N s
        trigger = {"availableNow": True} if args.available_now else every  # or: what is there, then stop
        writers = [  # suhu > 80 and kelembaban > 70 (one row per reading), the joined pairs, the rejected
            gudang.warnings(suhu, kelembaban, config)
            .writeStream.queryName("warehouse_warnings")
            .foreachBatch(gudang.warning_printer(config, args.json)),
            joined.writeStream.queryName("warehouse_status").foreachBatch(
                gudang.status_printer(config, args.json)
            ),
            refused.writeStream.queryName("warehouse_rejected").foreachBatch(show_rejected),
        ]
        queries = [writer.trigger(**trigger).start() for writer in writers]
        print(f"Watching {' and '.join(topic_for(m, config) for m in MEASURES)}...", file=sys.stderr)
        cli.await_queries(queries, args.timeout)
        late = gudang.late_readings(queries[1])
    if show_rejected.count:
        print(f"{show_rejected.count} records were not readings.", file=sys.stderr)
    print(f"{late} readings came later than the watermark ({WATERMARK}): not joined.", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    config = load_config()
    parser = cli.parser(
        "warehouse-alerts",
        f"PySpark job: warnings and the combined status of each warehouse ({SUHU} and {KELEMBABAN}).",
        "--from-beginning",
        "--available-now",
        "--timeout",
        language=config.language,
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per warning or joined pair")
    parser.add_argument(
        "--max-offsets-per-trigger",
        type=int,
        default=1000,
        metavar="N",
        help="at most N records of each topic per micro-batch (Spark's maxOffsetsPerTrigger)",
    )
    args = parser.parse_args(argv)
    return cli.run_cli(lambda: run_alerts(config, args), config.language)


if __name__ == "__main__":
    sys.exit(main())
