"""What the live consumer prints for each record."""

from __future__ import annotations

from lab_utils.consumer import Received, format_received
from lab_utils.readings import Reading


def test_alert_lines_are_marked_and_others_are_not() -> None:
    hot = format_received(Received(0, 7, Reading("S1", 80.5, "2026-11-27T10:00:00.000Z")), 80.0)
    exact = format_received(Received(0, 8, Reading("S1", 80.0, None)), 80.0)
    assert "p0@7" in hot and "S1" in hot and "80.5 °C" in hot and "⚠ ABOVE 80 °C" in hot
    assert "⚠" not in exact


def test_invalid_records_show_their_reason() -> None:
    line = format_received(Received(2, 3, None, "not JSON"), 80.0)
    assert line.startswith("✗") and "p2@3" in line and "not JSON" in line
