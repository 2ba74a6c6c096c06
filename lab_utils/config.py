"""Every setting of the lab in one place, overridable by environment variables.

The same notebooks run against the local broker, a Docker broker or a real cluster: only the
environment changes. ``LAB_PROFILE=fast`` (set by ``make test``) shortens every bounded run for CI.
Used by every other module; the README lists every variable.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from lab_utils.errors import LabError

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# How long the bounded demo steps run, per profile: class runs are long enough to watch,
# CI runs are long enough to prove the behaviour and no longer.
_PROFILES: dict[str, dict[str, float]] = {
    # CI also compresses time: sensors send four times a second, so heating episodes pass 80 °C sooner.
    "normal": {"stream_seconds": 60.0, "consume_seconds": 15.0, "produce_seconds": 10.0, "interval_s": 1.0},
    "fast": {"stream_seconds": 20.0, "consume_seconds": 5.0, "produce_seconds": 4.0, "interval_s": 0.25},
}


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip() or _settings_file().get(name, "")
    return value or default


def _settings_file() -> dict[str, str]:
    """The ``LAB_NAME=value`` lines of the file LAB_SETTINGS_FILE names (a class account, written by
    ``make classroom``); a variable set in the environment wins over the file."""
    name = os.environ.get("LAB_SETTINGS_FILE", "").strip()
    if not name:
        return {}
    path = Path(name).expanduser()
    try:
        lines, mode = path.read_text().splitlines(), path.stat().st_mode
    except OSError as error:
        raise LabError(
            f"LAB_SETTINGS_FILE={name!r} cannot be read ({error.strerror}): check the path."
        ) from None
    values = {}
    for number, line in enumerate(lines, 1):
        key, equals, value = line.strip().partition("=")
        if line.strip() and not line.strip().startswith("#"):
            if not equals or not key.strip().startswith("LAB_"):
                raise LabError(f"Line {number} of {path} is not a LAB_NAME=value line: fix or delete it.")
            values[key.strip()] = value.strip().strip("'\"")
    if values.get("LAB_SASL_PASSWORD") and os.name == "posix" and mode & 0o077:
        raise LabError(f"{path} holds a password that other users can read: run `chmod 600 {path}`.")
    return values


def _env_float(name: str, default: float) -> float:
    raw = _env(name, str(default))
    try:
        return float(raw)
    except ValueError:
        raise LabError(f"{name}={raw!r} is not a number: set it to a number or unset it.") from None


def _env_int(name: str, default: int) -> int:
    value = _env_float(name, default)
    if value != int(value) or value < 1:
        raise LabError(f"{name}={value!r} must be a whole number of at least 1.")
    return int(value)


LANGUAGE_MARK = ".lab-language"  # a file holding "id" in notebooks/id/ (and its student copies)


def _language() -> str:
    """LAB_LANG, else the notebook folder's mark (a kernel starts in its notebook's folder), else English."""
    mark = Path.cwd() / LANGUAGE_MARK
    default = mark.read_text().strip() if mark.is_file() else "en"
    language = _env("LAB_LANG", default).lower()
    if language not in ("en", "id"):
        raise LabError(f"LAB_LANG={language!r} is unknown: use 'en' (English) or 'id' (Bahasa Indonesia).")
    return language


def _timezone(name: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise LabError(
            f"LAB_TIMEZONE={name!r} is not a time zone name: use one like 'Asia/Jakarta' (WIB) or 'UTC'."
        ) from None
    return name


@dataclass(frozen=True)
class LabConfig:
    """A snapshot of the lab's settings; build one with :func:`load_config`."""

    profile: str
    bootstrap_servers: str
    topic: str
    dlq_topic: str
    partitions: int
    replication_factor: int
    threshold: float
    sensor_count: int
    interval_s: float
    stream_seconds: float
    consume_seconds: float
    produce_seconds: float
    trigger_seconds: float
    spark_master: str
    spark_ui: bool
    connect_timeout_s: float
    seed: int | None
    table_rows: int
    language: str  # "en" or "id": the language of the lab's own messages (lab_utils.stack.messages)
    timezone: str  # an IANA name: the students' local time, shown beside UTC (WIB, Asia/Jakarta, is UTC+7)
    # The course's second assignment (notebook 09): one warehouse's two sensors, joined in a stream.
    warehouse_temperature_topic: str
    warehouse_humidity_topic: str
    humidity_threshold: float
    join_window_s: float
    lab_home: Path = field(default=PROJECT_ROOT / ".lab")
    # An account on a class's secured cluster (`make classroom` writes one settings file per student).
    # Unset: PLAINTEXT, no user, no prefix, and every client is built as before.
    security_protocol: str = "PLAINTEXT"  # or SASL_PLAINTEXT, SASL_SSL
    sasl_mechanism: str = "SCRAM-SHA-256"
    sasl_username: str = ""
    sasl_password: str = field(default="", repr=False)
    name_prefix: str = ""  # every topic and consumer group of this account starts with it, e.g. "s01."
    # A shared Spark Connect server (lab_utils.stack.spark_connect), e.g. "sc://127.0.0.1:15002": the kernel
    # then starts no JVM of its own. Unset: Spark runs in the kernel (spark_master), as before.
    spark_remote: str = field(default="", repr=False)  # it may hold the server's token

    @property
    def bootstrap_list(self) -> list[str]:
        """The bootstrap servers as a list, as kafka-python wants them."""
        return [server.strip() for server in self.bootstrap_servers.split(",") if server.strip()]

    def topic_name(self, name: str) -> str:
        """A topic name this account may use: ``name`` with the account's prefix (``s01.name``), if any."""
        return name if name.startswith(self.name_prefix) else self.name_prefix + name

    def group_name(self, name: str) -> str:
        """A consumer group name this account may use: the same prefix rule as topics."""
        return self.topic_name(name)


def load_config() -> LabConfig:
    """Read the settings from the environment (defaults suit a laptop broker on 127.0.0.1:9092)."""
    profile = _env("LAB_PROFILE", "normal").lower()
    if profile not in _PROFILES:
        raise LabError(f"LAB_PROFILE={profile!r} is unknown: use 'normal' or 'fast'.")
    runs = _PROFILES[profile]
    prefix = _env("LAB_PREFIX", "")
    named = lambda name: name if name.startswith(prefix) else prefix + name  # noqa: E731 - as topic_name
    topic = named(_env("LAB_TOPIC", "sensor-suhu"))
    return LabConfig(
        profile=profile,
        bootstrap_servers=_env("LAB_BOOTSTRAP_SERVERS", "127.0.0.1:9092"),
        topic=topic,
        dlq_topic=named(_env("LAB_DLQ_TOPIC", f"{topic}-dlq")),
        partitions=_env_int("LAB_PARTITIONS", 3),
        replication_factor=_env_int("LAB_REPLICATION_FACTOR", 1),
        threshold=_env_float("LAB_THRESHOLD", 80.0),
        sensor_count=_env_int("LAB_SENSORS", 3),
        interval_s=_env_float("LAB_INTERVAL_S", runs["interval_s"]),
        stream_seconds=_env_float("LAB_STREAM_SECONDS", runs["stream_seconds"]),
        consume_seconds=_env_float("LAB_CONSUME_SECONDS", runs["consume_seconds"]),
        produce_seconds=_env_float("LAB_PRODUCE_SECONDS", runs["produce_seconds"]),
        trigger_seconds=_env_float("LAB_TRIGGER_SECONDS", 1.0),
        spark_master=_env("LAB_SPARK_MASTER", "local[2]"),
        spark_ui=_env("LAB_SPARK_UI", "0") in {"1", "true", "yes"},
        connect_timeout_s=_env_float("LAB_CONNECT_TIMEOUT_S", 3.0),
        seed=_env_int("LAB_SEED", 1) if _env("LAB_SEED", "") else None,
        table_rows=_env_int("LAB_TABLE_ROWS", 10_000),
        language=_language(),
        timezone=_timezone(_env("LAB_TIMEZONE", "Asia/Jakarta")),
        warehouse_temperature_topic=named(_env("LAB_WAREHOUSE_TEMPERATURE_TOPIC", "sensor-suhu-gudang")),
        warehouse_humidity_topic=named(_env("LAB_WAREHOUSE_HUMIDITY_TOPIC", "sensor-kelembaban-gudang")),
        humidity_threshold=_env_float("LAB_HUMIDITY_THRESHOLD", 70.0),
        join_window_s=_env_float("LAB_JOIN_WINDOW_S", 10.0),
        lab_home=Path(_env("LAB_HOME", str(PROJECT_ROOT / ".lab"))),
        spark_remote=_env("LAB_SPARK_REMOTE", ""),
        **_account(prefix),
    )


def _account(prefix: str) -> dict[str, str]:
    """The security settings: LAB_SECURITY_PROTOCOL, LAB_SASL_MECHANISM/USERNAME/PASSWORD, LAB_PREFIX."""
    protocol = _env("LAB_SECURITY_PROTOCOL", "PLAINTEXT").upper()
    mechanism = _env("LAB_SASL_MECHANISM", "SCRAM-SHA-256").upper()
    if protocol not in ("PLAINTEXT", "SASL_PLAINTEXT", "SASL_SSL"):
        raise LabError(
            f"LAB_SECURITY_PROTOCOL={protocol!r} is unknown: use PLAINTEXT, SASL_PLAINTEXT or SASL_SSL."
        )
    if mechanism not in ("SCRAM-SHA-256", "SCRAM-SHA-512", "PLAIN"):
        raise LabError(
            f"LAB_SASL_MECHANISM={mechanism!r} is unknown: use SCRAM-SHA-256, SCRAM-SHA-512 or PLAIN."
        )
    user, password = _env("LAB_SASL_USERNAME", ""), _env("LAB_SASL_PASSWORD", "")
    if protocol != "PLAINTEXT" and not (user and password):
        raise LabError(
            f"LAB_SECURITY_PROTOCOL={protocol} needs LAB_SASL_USERNAME and LAB_SASL_PASSWORD: "
            "set LAB_SETTINGS_FILE to the settings file your instructor gave you."
        )
    return {
        "security_protocol": protocol,
        "sasl_mechanism": mechanism,
        "sasl_username": user,
        "sasl_password": password,
        "name_prefix": prefix,
    }
