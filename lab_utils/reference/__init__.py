"""The reference implementation: the finished code of the lessons, in one place.

The notebooks teach this code in their cells; here it is assembled for the terminal programs
(``lab_utils/programs``), the capstone, the self-checks and the benchmark. Read a module after its
notebook and compare it with what you wrote: the rules and constants are the same ones.

- ``readings``: what a reading is, and the reasons a record is refused (the one set of rules)
- ``topics``: notebook 01 (create and describe a topic)
- ``producer``, ``consumer``: notebooks 02 and 03
- ``parsing``: the same rules in Spark (notebook 04)
- ``pipeline``: notebook 04's production pattern (one query, bounded tables, a dead-letter topic)
- ``analytics``: notebook 05's windows and episodes
- ``alerts``, ``realtime_alerts``: the alert printers and notebook 07's real-time job
"""
