"""The outcomes service's periodic jobs: each a PeriodicTask running one round of a use case."""
