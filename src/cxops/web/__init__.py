"""``cxops serve``: the release dashboard, its JSON API and ``/metrics`` (one FastAPI app).

``queries/`` reads the store, the export repositories and the metrics into typed answers that
both the API (``api.py``, JSON under ``/api/v1``) and the pages (``pages.py``, Jinja templates
with no logic) serve; ``auth.py`` decides who may read and act; ``svg.py`` draws flow graphs and
charts on the server. Nothing here calls a vendor: rendering a page never leaves the machine.
"""
