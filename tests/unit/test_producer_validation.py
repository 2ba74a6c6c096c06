"""The producer refuses to send what is not a valid reading (no broker needed: it checks first)."""

from __future__ import annotations

import pytest

from lab_utils.config import load_config
from lab_utils.reference import readings as rules
from lab_utils.reference.producer import BackgroundProducer
from lab_utils.reference.readings import InvalidReading, Reading


@pytest.mark.parametrize(
    ("reading", "reason"),
    [
        (Reading("S1", float("nan")), rules.SUHU_NOT_FINITE),
        (Reading("S1", 900.0), rules.SUHU_OUT_OF_RANGE),
        (Reading("", 70.0), rules.NO_SENSOR_ID),
        (Reading("S1", 70.0, "not a time"), rules.BAD_TS),
    ],
)
def test_invalid_readings_are_refused_before_sending(reading: Reading, reason: str) -> None:
    with pytest.raises(InvalidReading) as caught:
        BackgroundProducer(config=load_config()).send(reading)
    assert caught.value.reason == reason
