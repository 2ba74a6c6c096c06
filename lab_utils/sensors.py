"""A seedable simulation of machines with temperature sensors, realistic enough to analyse.

Each machine idles around its own base temperature with a little noise. Now and then it runs a
heating episode: the temperature climbs past 80 °C to a peak, then cools back to idle. The first
episode of every machine starts within its first ``first_episode_within`` readings, so a short
class demo or CI run always shows alerts; later episodes come about once every
``mean_gap_readings`` readings. Used by notebook 02's producer cell, ``BackgroundProducer`` and
``sensor-producer``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime

from lab_utils.reference.readings import Reading, iso_utc


@dataclass
class Machine:
    """One machine's state: where it idles, and the heating episode it may be in."""

    sensor_id: str
    base: float
    next_episode: int
    peak: float = 0.0
    phase: str = "idle"  # idle -> heating -> cooling -> idle
    level: float = field(init=False)

    def __post_init__(self) -> None:
        self.level = self.base


# Scripted machines for notebook 05, one value per reading, repeating: S8 has a single-reading spike,
# S9 stays above 80 °C for 12 readings, 11 intervals (a sustained overheat: 10 intervals or more). Their
# fate is known in advance, so the notebook can show a spike and a sustained episode in a short run.
# Notebook 05 counts episode durations in reading intervals (config.interval_s: 1 s in class, 0.25 s in
# the fast profile), so these stories mean the same in both profiles.
DEMO_STORIES: dict[str, list[float]] = {
    "S8": [70.0, 70.5, 71.0, 86.0, 71.0, 70.5, 70.0, 70.2, 70.4, 70.1] * 3,
    "S9": [72.0, 76.0, 79.0, 81.5, 83.0, 84.5, 85.5, 86.0, 86.0, 85.0, 84.0, 83.0, 82.0, 81.0, 80.5, 78.0]
    + [75.0, 73.0, 72.0]
    + [71.5] * 11,
}


def sensor_ids(count: int) -> list[str]:
    """``['S1', 'S2', ...]``: the course's sensor names."""
    return [f"S{number}" for number in range(1, count + 1)]


class SensorSimulator:
    """Produces one reading per machine per call to :meth:`tick`; ``stories`` add scripted machines."""

    def __init__(
        self,
        count: int,  # config.sensor_count: 3 by default (LAB_SENSORS)
        seed: int | None = None,
        first_episode_within: int = 6,
        mean_gap_readings: int = 45,
        stories: dict[str, list[float]] | None = None,
    ) -> None:
        if count < 1:
            raise ValueError("count must be at least 1")
        self._random = random.Random(seed)
        self._mean_gap = mean_gap_readings
        self._tick = 0
        self.stories = dict(stories or {})
        self.machines = [
            Machine(
                sensor_id=sensor_id,
                base=round(self._random.uniform(62.0, 72.0), 1),
                next_episode=self._random.randint(0, first_episode_within),
            )
            for sensor_id in sensor_ids(count)
        ]

    def _step(self, machine: Machine) -> float:
        """Advance one machine by one reading and return its true temperature."""
        draw = self._random
        if machine.phase == "idle" and self._tick >= machine.next_episode:
            machine.phase, machine.peak = "heating", draw.uniform(83.0, 92.0)
        if machine.phase == "heating":
            machine.level += draw.uniform(1.5, 3.0)
            if machine.level >= machine.peak:
                machine.phase = "cooling"
        elif machine.phase == "cooling":
            machine.level -= draw.uniform(1.0, 2.0)
            if machine.level <= machine.base:
                machine.phase, machine.level = "idle", machine.base
                machine.next_episode = self._tick + 1 + int(draw.expovariate(1 / self._mean_gap))
        else:
            machine.level += (machine.base - machine.level) * 0.3
        return machine.level

    def tick(self, now: datetime | None = None) -> list[Reading]:
        """One reading per machine (then one per scripted story), stamped ``now`` (UTC)."""
        stamp = iso_utc(now or datetime.now(UTC))
        readings = [
            Reading(m.sensor_id, round(self._step(m) + self._random.gauss(0.0, 0.4), 1), stamp)
            for m in self.machines
        ]
        readings += [
            Reading(sensor_id, story[self._tick % len(story)], stamp)
            for sensor_id, story in self.stories.items()
        ]
        self._tick += 1
        return readings
