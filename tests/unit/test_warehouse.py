"""The 2025 assignment's pure rules: the status (strictly greater), what a valid warehouse reading is, the
model's promises (seedable, driven by the clock, every status within one period) and the printed lines."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from lab_utils.config import load_config
from lab_utils.reference import readings as rules
from lab_utils.reference import warehouse as gudang

CONFIG = dataclasses.replace(load_config(), timezone="Asia/Jakarta")
START = datetime(2026, 12, 5, 10, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("suhu", "kelembaban", "expected"),
    [
        (80.1, 70.1, "Bahaya tinggi! Barang berisiko rusak"),
        (84, 73, "Bahaya tinggi! Barang berisiko rusak"),
        (85, 65, "Suhu tinggi, kelembaban normal"),
        (80.1, 70.0, "Suhu tinggi, kelembaban normal"),
        (79, 75, "Kelembaban tinggi, suhu aman"),
        (80.0, 70.1, "Kelembaban tinggi, suhu aman"),
        (80.0, 70.0, "Aman"),
        (78, 68, "Aman"),
    ],
)
def test_the_status_is_strictly_greater_on_both_sides(suhu: float, kelembaban: float, expected: str) -> None:
    assert gudang.status(suhu, kelembaban, CONFIG) == expected


def test_the_course_texts_are_exact() -> None:
    assert gudang.LABELS == {
        "suhu": "[Peringatan Suhu Tinggi]",
        "kelembaban": "[Peringatan Kelembaban Tinggi]",
    }
    assert gudang.CRITICAL == "[PERINGATAN KRITIS]"
    assert gudang.STATUSES == (
        "Bahaya tinggi! Barang berisiko rusak",
        "Suhu tinggi, kelembaban normal",
        "Kelembaban tinggi, suhu aman",
        "Aman",
    )
    assert (gudang.topic_for("suhu", CONFIG), gudang.topic_for("kelembaban", CONFIG)) == (
        CONFIG.warehouse_temperature_topic,
        CONFIG.warehouse_humidity_topic,
    )


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        (("", "suhu", 80), "missing gudang_id"),
        ((None, "kelembaban", 70), "missing gudang_id"),
        (("G1", "suhu", None), "suhu is null"),
        (("G1", "kelembaban", "basah"), "kelembaban is not a number"),
        (("G1", "kelembaban", True), "kelembaban is not a number"),
        (("G1", "kelembaban", 100.5), "kelembaban outside 0..100 %"),
        (("G1", "suhu", float("nan")), "suhu outside -50..500 °C"),
        (("G1", "suhu", 80, "yesterday"), rules.BAD_TS),
    ],
)
def test_a_reading_that_breaks_a_rule_says_which(fields: tuple, reason: str) -> None:
    with pytest.raises(rules.InvalidReading) as refused:
        gudang.validate(*fields)
    assert refused.value.reason == reason


def test_a_valid_reading_is_sent_as_the_assignment_writes_it() -> None:
    reading = gudang.validate("G1", "kelembaban", 75, "2026-12-05T10:00:00.000Z")
    assert reading.to_dict() == {"gudang_id": "G1", "kelembaban": 75.0, "ts": "2026-12-05T10:00:00.000Z"}
    assert gudang.validate("G1", "suhu", 82).to_dict() == {"gudang_id": "G1", "suhu": 82.0}


def _statuses(model: gudang.WarehouseModel, seconds: int) -> Counter[str]:
    found: Counter[str] = Counter()
    for step in range(seconds):
        at = START + timedelta(seconds=step)
        for g in model.ids:
            found[gudang.status(model.value(g, "suhu", at), model.value(g, "kelembaban", at), CONFIG)] += 1
    return found


@pytest.mark.parametrize("seed", [None, 0, 1, 7, 2025])
def test_every_status_occurs_within_one_period(seed: int | None) -> None:
    model = gudang.WarehouseModel(3, 1.0, seed)
    assert set(_statuses(model, gudang.PERIOD)) == set(gudang.STATUSES)


def test_the_model_follows_the_clock_and_its_seed() -> None:
    first, second = gudang.WarehouseModel(3, 1.0, 5), gudang.WarehouseModel(3, 1.0, 5)
    moments = [START + timedelta(seconds=step) for step in range(40)]
    # two producers started apart agree on every reading of the same moment
    assert [second.value("G2", "suhu", at) for at in moments] == [
        first.value("G2", "suhu", at) for at in moments
    ]
    other = gudang.WarehouseModel(3, 1.0, 6)
    assert [other.value("G2", "suhu", at) for at in moments] != [
        first.value("G2", "suhu", at) for at in moments
    ]
    # unseeded producers still share the plan of episodes (which sensor is high), only the noise differs
    plain = [gudang.WarehouseModel(3, 1.0), gudang.WarehouseModel(3, 1.0)]
    assert [plain[0].kind("G3", at) for at in moments] == [plain[1].kind("G3", at) for at in moments]
    readings = first.readings("kelembaban", START)
    assert [r.gudang_id for r in readings] == ["G1", "G2", "G3"] and {r.ts for r in readings} == {
        "2026-12-05T10:00:00.000Z"
    }


def test_lines_show_local_time_beside_utc() -> None:
    assert gudang.local_and_utc(START, "Asia/Jakarta") == "17:00:00 WIB (10:00:00 UTC)"
    warning = {"measure": "suhu", "gudang_id": "G2", "value": 85.0, "event_time": "2026-12-05T10:00:01.000Z"}
    assert gudang.warning_line(warning, "Asia/Jakarta") == (
        "[Peringatan Suhu Tinggi] Gudang G2: Suhu 85°C · 17:00:01 WIB (10:00:01 UTC)"
    )
    pair = {
        "gudang_id": "G1",
        "suhu": 84.0,
        "kelembaban": 73.5,
        "status": gudang.BOTH_HIGH,
        "suhu_time": "2026-12-05T10:00:01.000Z",
        "kelembaban_time": "2026-12-05T10:00:03.000Z",
    }
    assert gudang.status_block(pair, "Asia/Jakarta") == [
        "Gudang G1:",
        "- Suhu: 84°C",
        "- Kelembaban: 73.5%",
        "- Status: Bahaya tinggi! Barang berisiko rusak",
        "- Waktu: 17:00:03 WIB (10:00:03 UTC)",
    ]


class FakeBatch:
    """Stands in for a micro-batch DataFrame: the printers only collect() it."""

    def __init__(self, rows: list[dict]) -> None:
        from pyspark.sql import Row

        self.rows = [Row(**row) for row in rows]

    def collect(self) -> list:
        return list(self.rows)


def _pair(gudang_id: str, suhu: float, kelembaban: float, seconds: int, offset: int) -> dict:
    at = (START + timedelta(seconds=seconds)).replace(tzinfo=None)  # Spark hands out naive UTC times
    return {
        "gudang_id": gudang_id,
        "suhu": suhu,
        "kelembaban": kelembaban,
        "suhu_time": at,
        "kelembaban_time": at,
        "suhu_partition": 0,
        "suhu_offset": offset,
        "kelembaban_partition": 0,
        "kelembaban_offset": offset,
        "status": gudang.status(suhu, kelembaban, CONFIG),
    }


def test_the_text_output_is_the_assignments_with_the_newest_pair_of_each_warehouse() -> None:
    from lab_utils.reference.warehouse_join import status_printer, warning_printer

    lines: list[str] = []
    batch = [_pair("G2", 78, 68, 1, 0), _pair("G1", 79, 75, 2, 1), _pair("G1", 84, 73, 3, 2)]
    status_printer(CONFIG, as_json=False, out=lines.append)(FakeBatch(batch), 0)  # type: ignore[arg-type]
    assert "\n".join(lines).splitlines() == [
        "[PERINGATAN KRITIS]",
        "Gudang G1:",
        "- Suhu: 84°C",
        "- Kelembaban: 73%",
        "- Status: Bahaya tinggi! Barang berisiko rusak",
        "- Waktu: 17:00:03 WIB (10:00:03 UTC)",
        "",
        "Gudang G2:",
        "- Suhu: 78°C",
        "- Kelembaban: 68%",
        "- Status: Aman",
        "- Waktu: 17:00:01 WIB (10:00:01 UTC)",
    ]
    every: list[str] = []
    status_printer(CONFIG, as_json=True, out=every.append)(FakeBatch(batch), 0)  # type: ignore[arg-type]
    assert [json.loads(line)["suhu_offset"] for line in every] == [0, 1, 2]  # JSON: every pair
    assert json.loads(every[2])["suhu_time"] == "2026-12-05T10:00:03.000Z"
    quiet: list[str] = []
    status_printer(CONFIG, as_json=False, out=quiet.append)(FakeBatch([]), 1)  # type: ignore[arg-type]
    assert quiet == []  # no pair, no header
    warning = {"label": "[Peringatan Kelembaban Tinggi]", "gudang_id": "G3", "measure": "kelembaban"}
    warning |= {"value": 74.0, "event_time": START.replace(tzinfo=None), "partition": 1, "offset": 7}
    shown: list[str] = []
    warning_printer(CONFIG, as_json=False, out=shown.append)(FakeBatch([warning]), 0)  # type: ignore[arg-type]
    assert shown == ["[Peringatan Kelembaban Tinggi] Gudang G3: Kelembaban 74% · 17:00:00 WIB (10:00:00 UTC)"]
