"""Event handlers the consumer runners call, each inside the runner's transaction."""
