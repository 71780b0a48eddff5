"""Structured logging shared by every room: text or JSON lines on stderr, secrets scrubbed.

Modules log through ``logging.getLogger(__name__)`` with ``extra={...}`` for fields; this module
decides how that looks. ``configure()`` is called once by the CLI (``--log-level``,
``--log-format``). The :class:`RedactFilter` sits on the handler, so nothing printed by any logger
(httpx and httpcore included) escapes it: values registered with :func:`register_secret`, the
password of any URL (``https://user:pass@host``) and well-known credential shapes are replaced
with ``***``.

Two strengths, on purpose (issue #15): :func:`redact_secrets` hides registered values and URL
userinfo and is safe on any text, cxops' own messages included; :func:`redact` adds the
credential *patterns* (``client_secret = …``), which belong on text cxops did not write (log
lines of libraries, vendor bodies) and would garble cxops' own hints such as ``write
client_secret = "env:NAME"``. :func:`terminal_safe` escapes control characters, so a vendor name
holding an escape sequence cannot drive the terminal.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import threading
from datetime import UTC, datetime
from typing import Any, TextIO

__all__ = [
    "RedactFilter",
    "configure",
    "one_line",
    "redact",
    "redact_secrets",
    "register_secret",
    "terminal_safe",
]

_SECRETS: set[str] = set()
_LOCK = threading.Lock()
_MIN_SECRET_LEN = 4

# Credential shapes that may reach a log line even when nobody registered the value.
_PATTERNS = [
    re.compile(r"(?i)(authorization\s*[:=]\s*['\"]?)(bearer|basic)\s+[A-Za-z0-9._~+/=-]+"),
    re.compile(
        r"(?i)((?:access_token|refresh_token|client_secret|password|api[_-]?key)"
        r"['\"]?\s*[:=]\s*['\"]?)[^'\"&\s,}]+"
    ),
    re.compile(r"(?i)(x-api-key['\"]?\s*[:=]\s*['\"]?)[^'\"&\s,}]+"),
]

# ``scheme://user:password@`` (RFC 3986 §3.2.1 deprecates it; people still paste such URLs).
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^/?#@\s:'\"]*:)[^/?#@\s'\"]*@")
# C0 controls but tab and newline, DEL and C1 controls: what a terminal may act on; and the
# bidirectional marks, overrides and isolates, which reorder what it shows (Trojan Source,
# CVE-2021-42574).
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f" + _BIDI + "]")
_CONTROL_LINE = re.compile("[\x00-\x1f\x7f-\x9f" + _BIDI + "]")  # tab and newline too

# LogRecord attributes that are not user fields.
_RESERVED = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


def register_secret(value: str | None) -> None:
    """Remember a secret so that every later log line and error text hides it."""
    if value and len(value) >= _MIN_SECRET_LEN:
        with _LOCK:
            _SECRETS.add(value)


def redact_secrets(text: str) -> str:
    """Return ``text`` with registered secrets and URL userinfo replaced (no patterns).

    >>> redact_secrets("GET https://bob:hunter22@api.example/x")
    'GET https://bob:***@api.example/x'
    """
    with _LOCK:
        secrets = sorted(_SECRETS, key=len, reverse=True)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, "***")
    return _USERINFO.sub(lambda m: m.group(1) + "***@", text)  # the user name stays


def redact(text: str) -> str:
    """Return ``text`` with registered secrets, URL userinfo and credential shapes replaced."""
    text = redact_secrets(text)
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + "***", text)
    return text


def terminal_safe(text: str) -> str:
    r"""``text`` with control characters (ESC, CR, NUL, C1...) and bidirectional overrides
    shown as escapes; tab and newline kept.

    >>> terminal_safe("name\x1b[31m")
    'name\\x1b[31m'
    """
    return _CONTROL.sub(_escaped, text)


def one_line(text: str) -> str:
    r"""``text`` as one line of plain text: :func:`terminal_safe`, and tab and newline escaped
        too, for a vendor's name in a table cell or a commit message (a newline there could fake
        a row or a trailer).

        >>> one_line("a
    b‮")
        'a\x0ab\u202e'
    """
    return _CONTROL_LINE.sub(_escaped, text)


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


class RedactFilter(logging.Filter):
    """Rewrite each record's message and arguments so that no secret survives formatting."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        for key, value in list(vars(record).items()):
            if key not in _RESERVED and isinstance(value, str):
                setattr(record, key, redact(value))
        return True


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in vars(record).items() if k not in _RESERVED}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and the record's extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        doc: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        doc.update(_fields(record))
        if record.exc_info:
            doc["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(doc, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """``HH:MM:SS level logger: message key=value ...`` for people."""

    def format(self, record: logging.LogRecord) -> str:
        stamp = datetime.fromtimestamp(record.created).strftime("%H:%M:%S")
        extra = " ".join(f"{k}={v}" for k, v in sorted(_fields(record).items()))
        line = f"{stamp} {record.levelname.lower():7} {record.name}: {record.getMessage()}"
        if extra:
            line = f"{line} {extra}"
        if record.exc_info:
            line = f"{line}\n{redact(self.formatException(record.exc_info))}"
        return terminal_safe(line)


def configure(level: str = "warning", fmt: str = "text", stream: TextIO | None = None) -> None:
    """Install one stderr handler on the root logger; idempotent, last call wins."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_cxops", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler._cxops = True  # type: ignore[attr-defined]
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    handler.addFilter(RedactFilter())
    root.addHandler(handler)
    root.setLevel(level.upper())
