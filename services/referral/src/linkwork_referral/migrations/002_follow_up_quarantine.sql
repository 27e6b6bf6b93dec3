-- A follow-up whose event can never be built (bad data in its row) is set aside, kept with its reason,
-- instead of failing the scheduler's whole batch round after round.
ALTER TABLE follow_ups DROP CONSTRAINT follow_ups_state_check;
ALTER TABLE follow_ups ADD CONSTRAINT follow_ups_state_check
    CHECK (state IN ('pending', 'due', 'done', 'cancelled', 'quarantined'));
ALTER TABLE follow_ups ADD COLUMN quarantine_reason text;
