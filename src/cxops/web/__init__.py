"""HTTP API, dashboard and /metrics (FastAPI)."""
