"""Pure analysis over the portable model: graph, checks, findings, diff, lock. No I/O."""
