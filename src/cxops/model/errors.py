"""Typed errors of the portable model. ``model/`` imports nothing of cxops, so these stand alone.

The tree is shallow::

    ModelError              any refusal by the model layer
    ├── ParseError          untrusted bytes refused by the bounded parser (carries the byte offset)
    ├── CanonicalError      a value RFC 8785 cannot represent (NaN, integers beyond 2**53)
    └── ConvertError        a vendor document does not have the shape its converter expects

The CLI maps them to ``cxops.errors.InputError`` (exit 1) or, in ``validate``, to a ``CX100``
finding.
"""

from __future__ import annotations

__all__ = ["CanonicalError", "ConvertError", "ModelError", "ParseError"]


class ModelError(ValueError):
    """Base of every deliberate refusal in ``cxops.model``; ``hint`` says what to do."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class ParseError(ModelError):
    """Input that is not acceptable JSON; ``offset`` is the byte offset of the problem."""

    def __init__(self, message: str, *, offset: int, reason: str, hint: str | None = None) -> None:
        super().__init__(f"{message} at byte {offset}", hint=hint)
        self.offset = offset
        self.reason = reason


class CanonicalError(ModelError):
    """The document holds a value that RFC 8785 canonical JSON cannot represent."""


class ConvertError(ModelError):
    """A vendor document lacks what its converter needs; ``pointer`` says where."""

    def __init__(self, message: str, *, pointer: str = "", hint: str | None = None) -> None:
        super().__init__(f"{message} (at {pointer or '/'})", hint=hint)
        self.pointer = pointer
