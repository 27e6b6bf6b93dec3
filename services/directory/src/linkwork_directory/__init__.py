"""linkwork directory service: Community services directory in the Open Referral UK (ORUK v3) model, kept fresh."""
