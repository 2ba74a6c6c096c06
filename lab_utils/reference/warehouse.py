"""The 2025 assignment's rules, in one place: two sensors per warehouse, one status (notebook 09's reference).

A warehouse (``gudang``) has a temperature sensor and a humidity sensor. Each sends one reading a second to
its own topic, keyed by ``gudang_id``: ``{"gudang_id": "G1", "suhu": 82}`` to ``sensor-suhu-gudang`` and
``{"gudang_id": "G1", "kelembaban": 75}`` to ``sensor-kelembaban-gudang`` (``ts`` is optional, as in the
first assignment). The labels and status texts below are the course's own, to the letter; both rules
are strictly greater: 80.0 °C and 70.0 % are not high.

Here: the names, the rules (:func:`status`, :func:`validate`), the humidity and temperature model the
producers send (:class:`WarehouseModel`), and the lines ``warehouse-alerts`` prints. Pure Python; the same
rules in Spark (parse, warnings, the join) are in ``lab_utils.reference.warehouse_join``.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from lab_utils.config import LabConfig
from lab_utils.reference import readings as rules

SUHU, KELEMBABAN = "suhu", "kelembaban"  # the two sensors, as the payloads name their values
MEASURES = (SUHU, KELEMBABAN)
UNITS = {SUHU: "°C", KELEMBABAN: "%"}
RANGES = {SUHU: (rules.MIN_SUHU, rules.MAX_SUHU), KELEMBABAN: (0.0, 100.0)}  # what a sensor can measure

LABELS = {SUHU: "[Peringatan Suhu Tinggi]", KELEMBABAN: "[Peringatan Kelembaban Tinggi]"}
CRITICAL = "[PERINGATAN KRITIS]"
BOTH_HIGH = "Bahaya tinggi! Barang berisiko rusak"
SUHU_HIGH = "Suhu tinggi, kelembaban normal"
KELEMBABAN_HIGH = "Kelembaban tinggi, suhu aman"
SAFE = "Aman"
STATUSES = (BOTH_HIGH, SUHU_HIGH, KELEMBABAN_HIGH, SAFE)

# How late a reading may arrive and still be joined: the watermark's delay on both sides of the join.
# Readings reach Kafka within a second; 20 s leaves room for a slow network and for clocks a little apart.
WATERMARK = "20 seconds"
# Readings stamped further ahead of the clock than this are refused: one reading stamped in local time
# but marked UTC (7 hours ahead in WIB) would move the watermark on, and every other reading would be late.
MAX_AHEAD_S = 10

NO_GUDANG_ID = "missing gudang_id"
TS_AHEAD = f"ts is more than {MAX_AHEAD_S} s ahead of the clock"


def missing(measure: str) -> str:
    return f"missing {measure}"


def is_null(measure: str) -> str:
    return f"{measure} is null"


def not_number(measure: str) -> str:
    return f"{measure} is not a number"


def out_of_range(measure: str) -> str:
    low, high = RANGES[measure]
    return f"{measure} outside {low:g}..{high:g} {UNITS[measure]}"


def topic_for(measure: str, config: LabConfig) -> str:
    """The topic a sensor sends to: ``sensor-suhu-gudang`` or ``sensor-kelembaban-gudang``."""
    topics = {SUHU: config.warehouse_temperature_topic, KELEMBABAN: config.warehouse_humidity_topic}
    return topics[measure]


def threshold_for(measure: str, config: LabConfig) -> float:
    """80 °C for suhu (``config.threshold``), 70 % for kelembaban (``config.humidity_threshold``)."""
    return config.threshold if measure == SUHU else config.humidity_threshold


def status(suhu: float, kelembaban: float, config: LabConfig) -> str:
    """The combined status of one temperature and one humidity reading (strictly above each threshold)."""
    suhu_high, kelembaban_high = suhu > config.threshold, kelembaban > config.humidity_threshold
    if suhu_high and kelembaban_high:
        return BOTH_HIGH
    if suhu_high:
        return SUHU_HIGH
    return KELEMBABAN_HIGH if kelembaban_high else SAFE


@dataclass(frozen=True)
class WarehouseReading:
    """One reading of one warehouse sensor: ``measure`` is ``"suhu"`` or ``"kelembaban"``."""

    gudang_id: str
    measure: str
    value: float
    ts: str | None = None

    def to_dict(self) -> dict[str, object]:
        """What a producer sends: ``{"gudang_id": "G1", "suhu": 82.0, "ts": "..."}``."""
        body: dict[str, object] = {"gudang_id": self.gudang_id, self.measure: self.value}
        return body | ({"ts": self.ts} if self.ts is not None else {})


def validate(gudang_id: object, measure: str, value: object, ts: object = None) -> WarehouseReading:
    """Check a reading's fields (the producers do, before sending); :class:`InvalidReading` says why not."""
    if not isinstance(gudang_id, str) or not gudang_id.strip(rules.BLANK):
        raise rules.InvalidReading(NO_GUDANG_ID)
    if value is None:
        raise rules.InvalidReading(is_null(measure))
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise rules.InvalidReading(not_number(measure))
    low, high = RANGES[measure]
    if not (math.isfinite(value) and low <= value <= high):
        raise rules.InvalidReading(out_of_range(measure))
    checked = rules.validate("-", 0.0, ts)  # only for its ts rules: those of the first assignment
    return WarehouseReading(gudang_id, measure, float(value), checked.ts)


# The model: each warehouse idles, then runs an episode in which one sensor, the other, or both read high.
# Episodes follow the clock (slot = time / interval), so two producers started apart, as the assignment's
# two programs are, agree on what each warehouse is doing; and at any moment G1, G2 and G3 are in
# episodes of three different kinds, so every status shows within one period.
KINDS = ((SUHU,), (KELEMBABAN,), (SUHU, KELEMBABAN))
PERIOD = 16  # readings from the start of one episode to the next
SHAPE = (0.45, 0.8, 1, 1, 1, 1, 1, 1, 0.8, 0.45)  # how close to its peak a reading of the episode is
CALM_FIRST = 3  # calm readings at the start of each period (and PERIOD - CALM_FIRST - len(SHAPE) at its end)
_UNSEEDED = random.Random()
BASES = {SUHU: (68.0, 76.0), KELEMBABAN: (55.0, 64.0)}
PEAKS = {SUHU: (83.0, 90.0), KELEMBABAN: (74.0, 85.0)}


class WarehouseModel:
    """Temperature and humidity of warehouses G1, G2, ...: seedable, and a pure function of the clock."""

    def __init__(self, warehouses: int, interval_s: float, seed: int | None = None) -> None:
        if warehouses < 1 or interval_s <= 0:
            raise ValueError("at least one warehouse, and a positive interval")
        self.ids = [f"G{number}" for number in range(1, warehouses + 1)]
        self.interval_s, self.seed = interval_s, seed
        plan = random.Random(f"warehouses:{seed}")  # no seed: the same plan for every producer
        self._turn = plan.randrange(len(KINDS))
        self._bases = {g: {m: round(plan.uniform(*BASES[m]), 1) for m in MEASURES} for g in self.ids}

    def slot(self, at: datetime) -> int:
        """The reading slot a moment falls in (both producers stamp the same slot alike)."""
        return round(at.timestamp() / self.interval_s)

    def kind(self, gudang_id: str, at: datetime) -> tuple[str, ...]:
        """Which sensors read high at ``at`` (empty while the warehouse is calm)."""
        episode, position = divmod(self.slot(at), PERIOD)
        if not CALM_FIRST <= position < CALM_FIRST + len(SHAPE):
            return ()
        return KINDS[(episode + self.ids.index(gudang_id) + self._turn) % len(KINDS)]

    def value(self, gudang_id: str, measure: str, at: datetime) -> float:
        """One sensor's reading at ``at``, to one decimal."""
        episode, position = divmod(self.slot(at), PERIOD)
        base, key = self._bases[gudang_id][measure], f"{self.seed}:{gudang_id}:{measure}"
        peak = random.Random(f"{key}:{episode}").uniform(*PEAKS[measure])
        level = SHAPE[position - CALM_FIRST] if measure in self.kind(gudang_id, at) else 0.0
        noise = _UNSEEDED if self.seed is None else random.Random(f"{key}:{self.slot(at)}")
        return round(base + level * (peak - base) + noise.gauss(0.0, 0.3), 1)

    def readings(self, measure: str, at: datetime) -> list[WarehouseReading]:
        """One reading of ``measure`` per warehouse, stamped ``at`` (UTC)."""
        stamp = rules.iso_utc(at)
        return [WarehouseReading(g, measure, self.value(g, measure, at), stamp) for g in self.ids]


# What warehouse-alerts prints. Times read as the students' clock shows them, with UTC beside.
def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def local_and_utc(moment: datetime, timezone: str) -> str:
    """``17:00:01 WIB (10:00:01 UTC)``: local time first (``config.timezone``), then UTC."""
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    local = moment.astimezone(ZoneInfo(timezone))
    return f"{local:%H:%M:%S} {local.tzname()} ({moment.astimezone(UTC):%H:%M:%S} UTC)"


def amount(value: float, measure: str) -> str:
    """``84°C``, ``73.5%``: as the assignment writes them."""
    return f"{value:g}{UNITS[measure]}"


def warning_line(record: dict[str, Any], timezone: str) -> str:
    """``[Peringatan Suhu Tinggi] Gudang G2: Suhu 85°C · 17:00:01 WIB (10:00:01 UTC)``."""
    measure = str(record["measure"])
    when = local_and_utc(parse_time(str(record["event_time"])), timezone)
    return (
        f"{LABELS[measure]} Gudang {record['gudang_id']}: {measure.capitalize()} "
        f"{amount(record['value'], measure)} · {when}"
    )


def status_block(record: dict[str, Any], timezone: str) -> list[str]:
    """One warehouse under ``[PERINGATAN KRITIS]``, as the assignment shows it, and when."""
    latest = max(parse_time(str(record["suhu_time"])), parse_time(str(record["kelembaban_time"])))
    return [
        f"Gudang {record['gudang_id']}:",
        f"- Suhu: {amount(record['suhu'], SUHU)}",
        f"- Kelembaban: {amount(record['kelembaban'], KELEMBABAN)}",
        f"- Status: {record['status']}",
        f"- Waktu: {local_and_utc(latest, timezone)}",
    ]
