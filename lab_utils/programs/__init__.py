"""The terminal programs: reference answers to the classic assignment, one short file each.

The assignment (``producer_dummy.py``, ``consumer_realtime.py``, ``consumer_analisis.py``) asks a
student to write three scripts; read these files as worked answers, top to bottom:

- ``sensor_producer.py`` (``sensor-producer``): producer_dummy.py; KafkaProducer.send for each sensor
- ``sensor_consumer.py`` (``sensor-consumer``): consumer_realtime.py; KafkaConsumer.poll, print each reading
- ``sensor_alerts.py`` (``sensor-alerts``): consumer_analisis.py; readStream, parse, suhu > 80, print
- ``sensor_history.py`` (``sensor-history``): new; every valid reading stored as Parquet, exactly once

The rules they follow (what a valid reading is, the alert rule, the sensor model) come from the
reference next door (``lab_utils.reference``: ``readings``, ``parsing``, ``analytics``) and the helper
(``storage``, ``sensors``), the same code the notebooks and self-checks use. ``cli.py`` holds the
few flags they share.
"""
