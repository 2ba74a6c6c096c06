"""Kafka's own command-line tools, as `make setup` installs them, on the real broker: the assignment's
commands work verbatim from any folder; a missing topic is one sentence with the command that fixes it."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from lab_utils.clients import admin_client
from lab_utils.config import LabConfig
from lab_utils.stack.kafka_tools import TOOLS
from lab_utils.topics import delete_topic

pytestmark = pytest.mark.integration

BIN = Path(sys.executable).parent


def _tool(name: str, *args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run an installed tool the way a student types it, and record how long it took."""
    started = time.monotonic()
    result = subprocess.run(
        [str(BIN / name), *args], input=stdin, capture_output=True, text=True, cwd=cwd, timeout=120
    )
    print(f"{name}: {time.monotonic() - started:.1f} s")
    return result


@pytest.fixture
def elsewhere(tmp_path: Path) -> Path:
    """A student's folder: not the project, and holding a kafka.py that must not be imported."""
    (tmp_path / "kafka.py").write_text("raise SystemExit('the tools imported the kafka.py of this folder')\n")
    return tmp_path


def test_make_setup_installed_every_tool() -> None:
    missing = [name for name in TOOLS if not (BIN / name).is_file()]
    assert missing == [], f"run `make setup`: {missing} are not in {BIN}"


def test_the_assignment_commands_work_verbatim(broker: LabConfig, elsewhere: Path) -> None:
    """kafka-topics --create, then a record through kafka-console-producer (stdin) read back by
    kafka-console-consumer --from-beginning --max-messages 1, and the consumer's group listed."""
    address = broker.bootstrap_list[0].replace("127.0.0.1:", "localhost:")  # the assignment says localhost
    topic, group = f"test-cli-{uuid.uuid4().hex[:10]}", f"test-cli-group-{uuid.uuid4().hex[:10]}"
    reading = f'{{"sensor_id": "S1", "suhu": 81.5, "run": "{topic}"}}'
    try:
        created = _tool(
            "kafka-topics", "--create", "--bootstrap-server", address, "--replication-factor", "1",
            "--partitions", "1", "--topic", topic, cwd=elsewhere,
        )  # fmt: skip
        assert (created.returncode, created.stdout, created.stderr) == (0, f"Created topic {topic}.\n", "")

        produced = _tool(
            "kafka-console-producer", "--bootstrap-server", address, "--topic", topic,
            cwd=elsewhere, stdin=reading + "\n",
        )  # fmt: skip
        assert (produced.returncode, produced.stdout, produced.stderr) == (0, "", "")

        consumed = _tool(
            "kafka-console-consumer", "--bootstrap-server", address, "--topic", topic, "--from-beginning",
            "--max-messages", "1", "--group", group, "--timeout-ms", "30000", cwd=elsewhere,
        )  # fmt: skip
        assert consumed.returncode == 0, consumed.stderr
        assert consumed.stdout == reading + "\n"
        assert consumed.stderr == "Processed a total of 1 messages\n"

        groups = _tool("kafka-consumer-groups", "--bootstrap-server", address, "--list", cwd=elsewhere)
        assert groups.returncode == 0, groups.stderr
        assert group in groups.stdout.split()
    finally:
        with admin_client(broker) as admin:
            if group in {listed["group_id"] for listed in admin.list_groups()}:
                admin.delete_groups([group])
        delete_topic(topic, broker)


@pytest.mark.parametrize("tool", ["kafka-console-producer", "kafka-console-consumer"])
def test_a_missing_topic_is_one_sentence_with_the_create_command(
    broker: LabConfig, elsewhere: Path, tool: str
) -> None:
    """The lab's broker does not create topics on first use: the tool says so at once instead of
    waiting 60 s (producer) or forever (consumer) in silence, and creates nothing."""
    topic = f"test-missing-{uuid.uuid4().hex[:10]}"
    started = time.monotonic()
    result = _tool(
        tool, "--bootstrap-server", broker.bootstrap_servers, "--topic", topic, cwd=elsewhere, stdin="x\n"
    )
    assert time.monotonic() - started < 15
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"error: Topic '{topic}' does not exist")
    assert (
        f"create it first with `kafka-topics --bootstrap-server {broker.bootstrap_servers} --create "
        f"--topic {topic} --partitions 1 --replication-factor 1`" in result.stderr
    )
    with admin_client(broker) as admin:
        assert topic not in admin.list_topics()
