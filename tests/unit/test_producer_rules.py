"""The reference producer's rules, which notebook 02's cell writes out: key, value, delivery settings."""

from __future__ import annotations

from types import SimpleNamespace

from kafka.serializer import DefaultSerializer, JsonSerializer

from lab_utils.reference.producer import DELIVERY, producer_settings, reference_differences
from lab_utils.reference.readings import Reading

READING = Reading("S2", 81.5, "2026-11-27T10:00:00.000Z")


def _producer(**overrides: object) -> SimpleNamespace:
    """Stands in for a KafkaProducer: reference_differences only reads its ``config``."""
    return SimpleNamespace(config={**producer_settings(), "acks": -1, **overrides})


def test_the_reference_sends_the_sensor_id_as_key_and_the_reading_as_json() -> None:
    settings = producer_settings()
    assert settings["key_serializer"].serialize("t", [], READING.sensor_id) == b"S2"
    assert settings["value_serializer"].serialize("t", [], READING.to_dict()) == READING.to_json()
    assert settings["acks"] == "all" and settings["enable_idempotence"] is True
    assert DELIVERY.items() <= settings.items()


def test_a_producer_built_like_the_notebook_cell_matches_the_reference() -> None:
    cell = _producer(key_serializer=DefaultSerializer(), value_serializer=JsonSerializer())
    assert reference_differences(cell) == []
    assert reference_differences(cell, READING) == []


def test_each_departure_from_the_reference_is_named() -> None:
    assert "acks" in reference_differences(_producer(acks=1))[0]
    assert "idempotence" in reference_differences(_producer(enable_idempotence=False))[0]
    no_serializers = reference_differences(_producer(key_serializer=None, value_serializer=None))
    assert len(no_serializers) == 2 and "key" in no_serializers[0] and "value" in no_serializers[1]


def test_a_serializer_that_fails_is_a_difference_not_a_crash() -> None:
    class Broken(JsonSerializer):
        def serialize(self, topic, headers, data):  # noqa: ANN001, ANN201 - kafka-python's signature
            raise TypeError("no")

    (problem,) = reference_differences(_producer(value_serializer=Broken()))
    assert "TypeError" in problem
