-- Issue 17: a referral closed (or rejected, or entered in error) while a provider has not yet answered withdraws
-- that activity referral: no reminder, no automatic decline, nothing more for the provider to do.
ALTER TABLE activity_referrals DROP CONSTRAINT activity_referrals_state_check;
ALTER TABLE activity_referrals ADD CONSTRAINT activity_referrals_state_check
    CHECK (state IN ('awaiting-response', 'accepted', 'declined', 'completed', 'withdrawn'));
