-- Curation (issue 18; numbered after the issue so parallel work on the directory cannot take the same
-- version): who changed each service and how, which directory a service was imported from, and merges of
-- services that several directories listed.

-- One row per change a person (or an import they started) made to a service. `changes` lists the fields
-- that differ ({field, before, after}); verifying or withdrawing says so in `action`.
CREATE TABLE service_history (
    id bigserial PRIMARY KEY,
    service_id uuid NOT NULL REFERENCES service (id) ON DELETE CASCADE,
    at timestamptz NOT NULL,
    actor text NOT NULL,
    action text NOT NULL CHECK (action IN ('created', 'updated', 'verified', 'withdrawn', 'imported', 'merged')),
    changes jsonb NOT NULL DEFAULT '[]',
    note text
);
CREATE INDEX service_history_service ON service_history (service_id, at);

-- The directory (council, charity network...) a service was first imported from; NULL when a curator
-- created it here. Duplicate detection pairs services from different directories.
ALTER TABLE service_extension ADD COLUMN source_directory text;
ALTER TABLE import_job ADD COLUMN directory text;

-- A service merged into another: withdrawn, and its readers sent to the one that stays. Both histories
-- are kept; the history of the one that stays includes the merged one's.
CREATE TABLE service_merge (
    merged_id uuid PRIMARY KEY REFERENCES service (id) ON DELETE CASCADE,
    into_id uuid NOT NULL REFERENCES service (id) ON DELETE CASCADE,
    at timestamptz NOT NULL,
    merged_by text NOT NULL,
    score double precision
);
CREATE INDEX service_merge_into ON service_merge (into_id);

-- Pairs a curator looked at and said are not the same service: not offered again.
CREATE TABLE duplicate_dismissal (
    first_id uuid NOT NULL REFERENCES service (id) ON DELETE CASCADE,
    second_id uuid NOT NULL REFERENCES service (id) ON DELETE CASCADE,
    at timestamptz NOT NULL,
    dismissed_by text NOT NULL,
    PRIMARY KEY (first_id, second_id),
    CHECK (first_id < second_id)
);
