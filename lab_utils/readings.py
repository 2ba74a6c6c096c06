"""What a sensor reading is, and the rules a valid one follows, in one place.

A reading on the topic is JSON: ``{"sensor_id": "S1", "suhu": 71.3, "ts": "2026-11-27T10:00:00.000Z"}``.
``ts`` is optional (the classic assignment sends ``{"sensor_id": "S1", "suhu": 70}``): the Kafka
record's timestamp stands in. The producer validates before sending, the live consumer validates
what it reads, and ``lab_utils.streaming`` applies the same rules (and reasons) in Spark SQL.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import UTC, datetime

# Physically possible readings of a machine temperature sensor; anything else is a broken sensor.
MIN_SUHU = -50.0
MAX_SUHU = 500.0

# The reasons a record is rejected: shared by Python and Spark so students see one vocabulary.
EMPTY = "empty value"
NOT_UTF8 = "not UTF-8 text"
NOT_JSON = "not JSON"
NOT_OBJECT = "not a JSON object"
NO_SENSOR_ID = "missing sensor_id"
NO_SUHU = "missing suhu"
SUHU_NULL = "suhu is null"
SUHU_NOT_NUMBER = "suhu is not a number"
SUHU_NOT_FINITE = "suhu is NaN or infinite"
SUHU_OUT_OF_RANGE = f"suhu outside {MIN_SUHU:g}..{MAX_SUHU:g} °C"
BAD_TS = "ts is not an ISO-8601 time"


class InvalidReading(ValueError):
    """A record that is not a valid reading; ``reason`` is one of the constants above."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Reading:
    """One temperature reading of one machine."""

    sensor_id: str
    suhu: float
    ts: str | None = None

    def to_dict(self) -> dict[str, object]:
        """The fields a producer sends (notebook 02's ``value``); ``ts`` is left out when unknown."""
        body: dict[str, object] = {"sensor_id": self.sensor_id, "suhu": self.suhu}
        if self.ts is not None:
            body["ts"] = self.ts
        return body

    def to_json(self) -> bytes:
        """The wire format: :meth:`to_dict` as UTF-8 JSON, byte for byte what kafka-python's
        ``JsonSerializer`` (the lab's ``value_serializer``) makes of it."""
        return json.dumps(self.to_dict()).encode("utf-8")

    def is_alert(self, threshold: float) -> bool:
        """Strictly above the threshold: exactly 80.0 °C is not an alert."""
        return self.suhu > threshold


def iso_utc(moment: datetime) -> str:
    """``2026-11-27T10:00:00.123Z``: ISO-8601 in UTC with milliseconds, as Spark parses it."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def validate(sensor_id: object, suhu: object, ts: object = None) -> Reading:
    """Check the fields of a reading; raise :class:`InvalidReading` with the reason otherwise."""
    if not isinstance(sensor_id, str) or not sensor_id.strip():
        raise InvalidReading(NO_SENSOR_ID)
    if suhu is None:
        raise InvalidReading(SUHU_NULL)
    if isinstance(suhu, bool) or not isinstance(suhu, int | float):
        raise InvalidReading(SUHU_NOT_NUMBER)
    if not math.isfinite(suhu):
        raise InvalidReading(SUHU_NOT_FINITE)
    if not MIN_SUHU <= suhu <= MAX_SUHU:
        raise InvalidReading(SUHU_OUT_OF_RANGE)
    if ts is not None:
        if not isinstance(ts, str):
            raise InvalidReading(BAD_TS)
        try:
            datetime.fromisoformat(ts.replace("Z", "+00:00"))
        except ValueError:
            raise InvalidReading(BAD_TS) from None
    return Reading(sensor_id=sensor_id, suhu=float(suhu), ts=ts)


def parse(value: bytes | None) -> Reading:
    """Decode one Kafka record value into a :class:`Reading`, or say why it is not one."""
    if not value:
        raise InvalidReading(EMPTY)
    try:
        text = value.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidReading(NOT_UTF8) from None
    try:
        body = json.loads(text)  # accepts NaN, so that it can be rejected with its own reason
    except ValueError:
        raise InvalidReading(NOT_JSON) from None
    if not isinstance(body, dict):
        raise InvalidReading(NOT_OBJECT)
    if "sensor_id" not in body:
        raise InvalidReading(NO_SENSOR_ID)
    if "suhu" not in body:
        raise InvalidReading(NO_SUHU)
    return validate(body["sensor_id"], body["suhu"], body.get("ts"))
