"""linkwork referral service: the link worker's workflow, from referral to closure.

The only service holding patient-identifiable data.
"""
