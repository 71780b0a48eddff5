"""Contract tests: the official Genesys Cloud Python SDK judges what the emulator serves."""
