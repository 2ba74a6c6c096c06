"""Kafka Sensor Lab helpers: the notebooks and terminal programs import from the modules here.

One module per concept (config, sensors, topics, producer, consumer, spark, streaming, plotting,
broker). Import names explicitly, e.g. ``from lab_utils.producer import BackgroundProducer``.
"""

__version__ = "0.1.0"
