"""Infrastructure: you need not read this to follow the lab.

The local stack that lets the notebooks run on any machine without Docker: the Kafka broker
started from Maven Central artifacts (``broker``), Java and Maven resolution (``jvm``), the
environment check (``doctor``), JupyterLab's server settings, Kafka's command-line tools and the
tool that writes the students' copies of the notebooks. The lesson code lives in the notebooks;
the helpers they import live one folder up, in ``lab_utils``.
"""
