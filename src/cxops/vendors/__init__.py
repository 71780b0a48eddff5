"""Vendor adapters (Cognigy, CXone, Genesys): one module each, listed in one dict."""
