"""JupyterLab settings for ``make lab`` (and the security and browser tests): loopback only, token auth kept.

Jupyter reads this file because the Makefile passes ``--config``; nothing here is imported by the lab.
"""

from pathlib import Path

HERE = Path(__file__).resolve().parent

c = get_config()  # type: ignore[name-defined]  # noqa: F821 - Jupyter provides it when it loads this file
c.ServerApp.ip = "127.0.0.1"  # never reachable from another machine
c.ServerApp.root_dir = str(HERE.parent.parent / "notebooks")
# Token authentication stays on (Jupyter's default): the URL with the token is printed at start.
c.ServerApp.disable_check_xsrf = False

# No "Would you like to get notified about official Jupyter news?" pop-up over a student's first notebook,
# and no calls to the internet for news or new versions (a classroom may be offline). JupyterLab documents
# both server options (user/announcements); the pop-up itself is asked for by the frontend setting
# `fetchNews`, whose default this folder's overrides.json changes ({app_settings_dir}/overrides.json, see
# JupyterLab's "Advanced usage"). A student can still turn news on in Settings > Notifications.
c.LabApp.news_url = None
c.LabApp.check_for_updates_class = "jupyterlab.NeverCheckForUpdate"
c.LabApp.app_settings_dir = str(HERE / "jupyterlab-settings")
