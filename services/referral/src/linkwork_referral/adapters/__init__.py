"""I/O at the edges of the referral service: SQL, reference tables, event mapping."""
