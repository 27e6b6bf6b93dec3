-- Issue 17: a provider that never answered an activity referral raises a task for the PCN's link workers.
ALTER TABLE tasks DROP CONSTRAINT tasks_kind_check;
ALTER TABLE tasks ADD CONSTRAINT tasks_kind_check
    CHECK (kind IN ('follow-up-due', 'undeliverable', 'provider-no-response'));
