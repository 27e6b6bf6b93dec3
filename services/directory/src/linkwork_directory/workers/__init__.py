"""The directory's periodic jobs: thin runners of service-layer use cases on linkwork_runtime.periodic.PeriodicTask."""
