-- Issue 17: attendance a provider confirmed (attendance-confirmed, or a follow-up saying the provider
-- confirmed it) weighs more than attendance that is only self-reported. An observation remembers which
-- it is; tallies carry weighted counts beside the plain ones (the plain ones are what reasons cite).
ALTER TABLE observations ADD COLUMN confirmed boolean NOT NULL DEFAULT false;
ALTER TABLE outcome_tallies ADD COLUMN weighted_outcomes double precision;
ALTER TABLE outcome_tallies ADD COLUMN weighted_attended double precision;
