"""Background components: the read model consumer, and the periodic jobs (each a PeriodicTask running one round of
a use case): the index follower and the gap reporter."""
