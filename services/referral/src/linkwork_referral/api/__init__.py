"""The referral service's HTTP API."""
