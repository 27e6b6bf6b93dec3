"""The referral workflow in plain Python: states, the referral aggregate, access rules. No I/O."""
