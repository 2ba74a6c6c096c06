"""What a sensor reading is, and the rules a valid one follows, in one place.

A reading on the topic is JSON: ``{"sensor_id": "S1", "suhu": 71.3, "ts": "2026-11-27T10:00:00.000Z"}``.
``ts`` is optional (the classic assignment sends ``{"sensor_id": "S1", "suhu": 70}``): the Kafka
record's timestamp stands in. The producer validates before sending, the live consumer validates
what it reads, and ``lab_utils.reference.parsing`` applies the same rules (and reasons) in Spark SQL.

JSON means RFC 8259 JSON, read the way Spark's parser (Jackson, under ``try_parse_json``) reads it, so
that Python and Spark give every record the same reason (tests/integration/test_parsing_parity.py):
``NaN`` and ``Infinity`` are not JSON, nor are duplicate names, lone UTF-16 surrogates (``"\\ud800"``),
or anything after the value; and the limits Jackson sets by default apply here too.
"""

from __future__ import annotations

import json
import math
import re
import sys
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import NoReturn

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

# Limits of Spark's JSON parser (Jackson's StreamReadConstraints defaults), kept by readings.parse too.
MAX_NESTING = 1000  # levels of objects and arrays, one inside the other
MAX_NUMBER_DIGITS = 1000  # digits of one number, sign, point and "e" not counted
MAX_NAME_LENGTH = 50_000  # characters of one field name, counted in UTF-16 units as Java does

# A blank sensor_id holds only these: what str.strip() removes (parse_readings uses the same set).
BLANK = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)

# ts: an ISO-8601 date, or date and time with seconds (2026-11-27T10:00:00.250Z, 2026-11-27 10:00:00,
# 2026-11-27T17:00:00+07:00), up to nanoseconds, offsets within Java's +-18:00. What Python's
# datetime.fromisoformat and Spark's to_timestamp both read, and read alike.
TS_PATTERN = (
    r"(?!0000)[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"([T ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?(Z|[+-](0[0-9]|1[0-7]):[0-5][0-9]|[+-]18:00)?)?"
)
_TS = re.compile(TS_PATTERN)


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
    """Check the fields of a reading; raise :class:`InvalidReading` with the reason otherwise.

    ``SUHU_NOT_FINITE`` is for Python values (``float("nan")``): JSON has no NaN, so a record with
    one is not JSON at all.
    """
    if not isinstance(sensor_id, str) or not sensor_id.strip(BLANK):
        raise InvalidReading(NO_SENSOR_ID)
    if suhu is None:
        raise InvalidReading(SUHU_NULL)
    if isinstance(suhu, bool) or not isinstance(suhu, int | float):
        raise InvalidReading(SUHU_NOT_NUMBER)
    if isinstance(suhu, float) and not math.isfinite(suhu):  # an int is finite, however large
        raise InvalidReading(SUHU_NOT_FINITE)
    if not MIN_SUHU <= suhu <= MAX_SUHU:
        raise InvalidReading(SUHU_OUT_OF_RANGE)
    if ts is not None:
        if not isinstance(ts, str) or not _TS.fullmatch(ts):
            raise InvalidReading(BAD_TS)
        try:
            datetime.fromisoformat(ts.replace("Z", "+00:00"))
        except ValueError:  # a date that does not exist: 2026-02-30, 25:00
            raise InvalidReading(BAD_TS) from None
    return Reading(sensor_id=sensor_id, suhu=float(suhu), ts=ts)


def _refuse_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not JSON")


def _integer(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_NUMBER_DIGITS:
        raise ValueError("number too long")
    return int(digits)


def _number(text: str) -> float:
    if len(text) - sum(map(text.count, "+-.eE")) > MAX_NUMBER_DIGITS:
        raise ValueError("number too long")
    number = float(text)
    # 1e400 is a JSON number too large for a double, not an infinity: out of every range (as in Spark).
    return number if math.isfinite(number) else math.copysign(sys.float_info.max, number)


def _object(pairs: list[tuple[str, object]]) -> dict[str, object]:
    body = dict(pairs)
    if len(body) < len(pairs):
        raise ValueError("duplicate name")
    for name, _ in pairs:  # Java counts an emoji as two characters
        if (
            len(name) > MAX_NAME_LENGTH // 2
            and len(name.encode("utf-16-le", "surrogatepass")) // 2 > MAX_NAME_LENGTH
        ):
            raise ValueError("name too long")
    return body


_DECODER = json.JSONDecoder(
    parse_constant=_refuse_constant, parse_int=_integer, parse_float=_number, object_pairs_hook=_object
)
_ESCAPE, _STRING, _BRACKET = re.compile(r"\\."), re.compile(r'"[^"]*"'), re.compile(r"[\[\]{}]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_DEEP = 50  # texts with more opening brackets than this get their nesting measured first
_RECURSION = threading.Lock()


def _nesting(text: str) -> int:
    """How deep objects and arrays nest in ``text`` (brackets inside strings do not count)."""
    depth = deepest = 0
    for bracket in _BRACKET.findall(_STRING.sub("", _ESCAPE.sub("", text))):
        depth += 1 if bracket in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def _has_lone_surrogate(value: object) -> bool:
    """A string holding half of a UTF-16 pair (an escape such as ``"\\ud800"``), which UTF-8 cannot encode."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str) and _SURROGATE.search(item):
            return True
        if isinstance(item, dict):
            pending.extend(item)
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


def _load_json(text: str) -> object:
    """``json.loads`` by the lab's JSON rules (module docstring); ``ValueError`` when ``text`` breaks one."""
    depth = _nesting(text) if text.count("[") + text.count("{") > _DEEP else 0
    if depth > MAX_NESTING:
        raise ValueError("nested too deep")
    try:
        if depth <= _DEEP:
            body = _DECODER.decode(text)
        else:  # json recurses once per level: make room for this text's levels, whatever the caller's depth
            with _RECURSION:
                limit = sys.getrecursionlimit()
                sys.setrecursionlimit(limit + depth)
                try:
                    body = _DECODER.decode(text)
                finally:
                    sys.setrecursionlimit(limit)
    except RecursionError:
        raise ValueError("nested too deep") from None
    if "\\u" in text and _has_lone_surrogate(body):
        raise ValueError("lone surrogate")
    return body


def parse(value: bytes | None) -> Reading:
    """Decode one Kafka record value into a :class:`Reading`, or say why it is not one."""
    if not value:
        raise InvalidReading(EMPTY)
    try:
        text = value.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidReading(NOT_UTF8) from None
    try:
        body = _load_json(text)
    except ValueError:
        raise InvalidReading(NOT_JSON) from None
    if not isinstance(body, dict):
        raise InvalidReading(NOT_OBJECT)
    if "sensor_id" not in body:
        raise InvalidReading(NO_SENSOR_ID)
    if "suhu" not in body:
        raise InvalidReading(NO_SUHU)
    return validate(body["sensor_id"], body["suhu"], body.get("ts"))
