"""The git sink: export bundles written as canonical files, committed with the run id and a
diff summary, versions as annotated tags. Real git through ``subprocess``; see docs/git-sink.md.

>>> repo = GitRepo.open_or_init(tmp_path)                   # doctest: +SKIP
>>> changes = repo.write_bundle(bundle)                     # doctest: +SKIP
>>> repo.write_lock()                                       # doctest: +SKIP
>>> repo.commit(commit_message("export", run_id=run, changes=changes))  # doctest: +SKIP
"""

from __future__ import annotations

from cxops.sinks.git.files import atomic_write, safe_path
from cxops.sinks.git.repo import DEFAULT_IDENTITY, GitError, GitIdentity, GitRepo
from cxops.sinks.git.summary import FlowChanges, commit_message, semantic_summary

__all__ = [
    "DEFAULT_IDENTITY",
    "FlowChanges",
    "GitError",
    "GitIdentity",
    "GitRepo",
    "atomic_write",
    "commit_message",
    "safe_path",
    "semantic_summary",
]
