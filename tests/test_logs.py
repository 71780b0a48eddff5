"""Structured logging: text or JSON lines, and no registered secret ever printed."""

from __future__ import annotations

import io
import json
import logging

from cxops import logs


def test_json_lines_carry_fields_and_hide_secrets() -> None:
    """JSON format gives one object per line with extra fields; secrets become ***."""
    stream = io.StringIO()
    logs.configure("debug", "json", stream=stream)
    logs.register_secret("s3cr3t-canary-value")
    logging.getLogger("cxops.test").info(
        "token %s used",
        "s3cr3t-canary-value",
        extra={"vendor": "genesys", "note": "s3cr3t-canary-value"},
    )
    line = json.loads(stream.getvalue().strip().splitlines()[-1])
    assert line["level"] == "info"
    assert line["logger"] == "cxops.test"
    assert line["vendor"] == "genesys"
    assert "s3cr3t-canary-value" not in stream.getvalue()
    assert line["message"] == "token *** used"


def test_credential_shapes_are_redacted_even_unregistered() -> None:
    """Authorization headers, access_token fields and API keys are masked by pattern."""
    text = logs.redact(
        "Authorization: Bearer abc.def.ghi x-api-key: k123456 "
        '{"access_token": "tok-9999", "client_secret": "cs-1111"}'
    )
    for leaked in ("abc.def.ghi", "k123456", "tok-9999", "cs-1111"):
        assert leaked not in text


def test_text_format_is_readable() -> None:
    """Text format shows time, level, logger, message and key=value fields."""
    stream = io.StringIO()
    logs.configure("info", "text", stream=stream)
    logging.getLogger("cxops.x").warning("hello", extra={"run": "r1"})
    out = stream.getvalue()
    assert "warning" in out
    assert "cxops.x: hello run=r1" in out
