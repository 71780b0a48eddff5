"""The emulator's CXone tenant helper, shared with the emulator tests."""

from tests.emulator.cxone.conftest import cx

__all__ = ["cx"]
