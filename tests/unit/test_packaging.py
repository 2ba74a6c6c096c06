"""The version files agree with each other, and the Docker path is as safe as the local one."""

from __future__ import annotations

import re
import tomllib

import yaml

from lab_utils.config import PROJECT_ROOT
from lab_utils.stack.jvm import kafka_version


def _pyproject_requirements() -> dict[str, str]:
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    requirements = project["dependencies"] + project["optional-dependencies"]["dev"]
    return dict(_split(requirement) for requirement in requirements)


def _split(requirement: str) -> tuple[str, str]:
    match = re.fullmatch(r"([A-Za-z0-9_.\-]+)\s*(.*)", requirement.strip())
    assert match, requirement
    return match.group(1).lower(), match.group(2).replace(" ", "")


def _environment_requirements() -> dict[str, str]:
    entries = yaml.safe_load((PROJECT_ROOT / "environment.yml").read_text())["dependencies"]
    flat: list[str] = []
    for entry in entries:
        flat.extend(entry["pip"] if isinstance(entry, dict) else [entry])
    return dict(_split(entry) for entry in flat if not entry.startswith("-"))


def test_environment_yml_pins_every_python_dependency_like_pyproject() -> None:
    pyproject = _pyproject_requirements()
    environment = _environment_requirements()
    mismatched = {
        name: (spec, environment.get(name))
        for name, spec in pyproject.items()
        if environment.get(name) != spec
    }
    assert mismatched == {}


def test_environment_yml_brings_java_17_and_maven() -> None:
    environment = _environment_requirements()
    assert environment["openjdk"] == "=17"
    assert "maven" in environment


def test_compose_publishes_the_broker_on_loopback_only() -> None:
    compose = yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text())
    for service in compose["services"].values():
        for port in service.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), port


def test_compose_runs_the_same_kafka_version_as_the_local_broker() -> None:
    compose = yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text())
    image = compose["services"]["kafka"]["image"]
    assert image == f"apache/kafka:{kafka_version()}"
    environment = compose["services"]["kafka"]["environment"]
    assert (
        "broker" in environment["KAFKA_PROCESS_ROLES"] and "controller" in environment["KAFKA_PROCESS_ROLES"]
    )
    assert not any("ZOOKEEPER" in key for key in environment)
