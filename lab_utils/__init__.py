"""Kafka Sensor Lab: the helper the notebooks call, one idea per module.

Here: settings (``config``), the sensor model (``sensors``), Kafka clients that fail in one sentence
(``clients``), topic facts (``topics``), the Spark session (``spark``), query plumbing and bounded
watch loops (``streaming``), real-time slots (``realtime``), storage paths (``storage``), charts
(``plotting``), the setup cell and self-checks (``notebook``). The lessons' own code, finished, is in
``reference/``; the terminal programs in ``programs/``; the local Kafka and JVM in ``stack/`` (you
need not read that). Import names explicitly, e.g. ``from lab_utils.streaming import watch_queries``.
"""

__version__ = "0.1.0"
