"""Grading for instructors (``make grade``): infrastructure, you need not read this.

A folder of handed-in notebooks becomes a gradebook (``grades.csv``), a summary per student and a feedback
page per student and notebook. Each handed-in notebook is rebuilt from the instructor's copy with only the
student's answer cells taken over, run in a fresh kernel of its own (its own work folder, ``LAB_HOME`` and
topics, time and resource limits) on the lab's broker, and each exercise is judged by its self-checks.
Modules: ``kernel`` (run cells), ``limits`` (time, memory and process limits), ``submissions`` (find and
rebuild), ``run`` (grade one notebook, in a process of its own), ``report`` (CSV, HTML, terminal) and
``cli`` (``lab-grade``).
"""
