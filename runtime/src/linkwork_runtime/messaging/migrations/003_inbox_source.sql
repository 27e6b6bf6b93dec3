-- CloudEvents ids are unique per `source` only: two sending systems may both use id "1". The inbox key is
-- (consumer, source, id), so that one system's event never makes a consumer skip another's as a duplicate.
-- Rows recorded before this migration keep source '' (an event replayed from before it is applied again once;
-- handlers are idempotent in their effects).
ALTER TABLE inbox ADD COLUMN source text NOT NULL DEFAULT '';
ALTER TABLE inbox DROP CONSTRAINT inbox_pkey;
ALTER TABLE inbox ADD PRIMARY KEY (consumer, source, event_id);
