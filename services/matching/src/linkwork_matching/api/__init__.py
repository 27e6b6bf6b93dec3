"""HTTP API: a referral's suggestions, and exploring options with a link worker's own filters."""
