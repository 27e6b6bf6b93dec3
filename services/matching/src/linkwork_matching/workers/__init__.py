"""Background components: the read model consumer, the index follower and the gap reporter."""
