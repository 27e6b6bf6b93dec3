"""The notifications service's processes: the service, and a local stand-in for GOV.UK Notify for tests and make run."""
