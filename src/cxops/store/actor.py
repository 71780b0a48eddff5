"""Who is acting: the name audit entries record for what cxops does on someone's behalf.

Read from the environment of the process that writes the entry (issue #16), first match wins:

========================================  ==============================================
``CXOPS_ACTOR``                            verbatim (a service account, a release bot)
``GITHUB_ACTIONS=true`` + ``GITHUB_ACTOR``  ``github:<actor> (run <GITHUB_RUN_ID>; os user U)``
``GITLAB_CI=true`` + ``GITLAB_USER_LOGIN``  ``gitlab:<login> (job <CI_JOB_ID>; os user U)``
``CI`` true (any other CI)                 ``ci (os user U)``
otherwise                                  the OS user ``U``
========================================  ==============================================

The OS user is ``getpass.getuser()`` (``LOGNAME``, ``USER``, ``LNAME``, ``USERNAME``, then the
password database); ``unknown`` when none says. A value is cut to 200 characters and loses
control characters: it is shown in tables and hashed into the chain.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Mapping

__all__ = ["TOOL_ACTORS", "current_actor"]

#: What callers pass when cxops itself acts for whoever runs it (``audit.append`` replaces it).
TOOL_ACTORS = frozenset({"cxops", "cli"})

_MAX = 200


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no variable and no password entry (a bare container)
        return "unknown"


def _clean(text: str) -> str:
    return "".join(c for c in text if c.isprintable()).strip()[:_MAX]


def _true(value: str | None) -> bool:
    return (value or "").strip().lower() in ("true", "1", "yes")


def current_actor(env: Mapping[str, str] | None = None) -> str:
    """The acting person or CI identity (see the module doc).

    >>> current_actor({"CXOPS_ACTOR": "release-bot"})
    'release-bot'
    """
    env = os.environ if env is None else env
    if env.get("CXOPS_ACTOR", "").strip():
        return _clean(env["CXOPS_ACTOR"])
    user = _os_user()
    if _true(env.get("GITHUB_ACTIONS")) and env.get("GITHUB_ACTOR"):
        run = env.get("GITHUB_RUN_ID") or "?"
        return _clean(f"github:{env['GITHUB_ACTOR']} (run {run}; os user {user})")
    if _true(env.get("GITLAB_CI")) and env.get("GITLAB_USER_LOGIN"):
        job = env.get("CI_JOB_ID") or "?"
        return _clean(f"gitlab:{env['GITLAB_USER_LOGIN']} (job {job}; os user {user})")
    if _true(env.get("CI")):
        return _clean(f"ci (os user {user})")
    return _clean(user) or "unknown"
