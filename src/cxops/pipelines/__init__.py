"""Seed workflows as ordered, recorded, resumable steps (export, compile, resolve, promote)."""
