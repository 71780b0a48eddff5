"""The only place HTTP happens: auth, retry, rate limits, paging, job polling, redaction."""
