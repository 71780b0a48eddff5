"""``cxops promote``: move a project between environments behind gates, roll back on failure.

Modules: ``workflow`` (the DBOS workflow, rollback, artifact, finish), ``steps`` (plan, gates,
snapshot, package, upload, merge, verify), ``gates``, ``plan`` (diff and version check),
``parity``, ``state`` (per-run clients), ``runner`` (start and wait). See docs/promote.md.
"""
