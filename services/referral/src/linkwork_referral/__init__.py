"""linkwork referral service: The link worker's workflow: intake, triage, what-matters conversation, plan, follow-ups, closure. The only service holding patient-identifiable data."""
