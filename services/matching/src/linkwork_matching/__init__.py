"""linkwork matching service: Suggests activities for each referral, explains why, and finds gaps in provision."""
