"""JupyterLab settings for ``make lab`` (and the security test): loopback only, token auth kept.

Jupyter reads this file because the Makefile passes ``--config``; nothing here is imported by the lab.
"""

from pathlib import Path

c = get_config()  # noqa: F821 - provided by Jupyter when it loads this file
c.ServerApp.ip = "127.0.0.1"  # never reachable from another machine
c.ServerApp.root_dir = str(Path(__file__).resolve().parent.parent.parent / "notebooks")
# Token authentication stays on (Jupyter's default): the URL with the token is printed at start.
c.ServerApp.disable_check_xsrf = False
