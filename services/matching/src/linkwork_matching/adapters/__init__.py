"""Adapters: contract events to and from the domain, and the PostgreSQL stores."""
