"""Where results go: git repositories, signed webhooks (outbox relay), metrics."""
