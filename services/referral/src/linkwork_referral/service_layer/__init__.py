"""Use cases: load a referral, check access, apply the domain, save, audit and record events."""
