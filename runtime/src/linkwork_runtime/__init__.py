"""Shared runtime for linkwork services: settings, database, messaging, metrics, auth, HTTP app factory."""
