"""Event handlers: each runs inside the consumer runner's transaction, with its inbox row."""
