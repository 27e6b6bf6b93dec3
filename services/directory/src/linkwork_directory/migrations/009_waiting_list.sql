-- Issue 17: a real waiting list per service. One row per person who queued for a service: an activity
-- referral sent through linkwork (id = the activity referral's id) or someone the provider added who
-- came another way (id chosen here). No person data: an id, when they joined and where they are now.
CREATE TABLE waiting_entry (
    id uuid PRIMARY KEY,
    service_id uuid NOT NULL REFERENCES service (id) ON DELETE CASCADE,
    source text NOT NULL CHECK (source IN ('activity-referral', 'provider')),
    joined_at timestamptz NOT NULL,
    status text NOT NULL DEFAULT 'waiting' CHECK (status IN ('waiting', 'started', 'left')),
    started_at timestamptz,
    left_at timestamptz,
    left_reason text,
    CHECK ((status = 'started') = (started_at IS NOT NULL)),
    CHECK ((status = 'left') = (left_at IS NOT NULL))
);
-- Positions: the people still waiting, first come first served.
CREATE INDEX waiting_entry_queue ON waiting_entry (service_id, joined_at, id) WHERE status = 'waiting';
-- Throughput: starts per service in the recent window.
CREATE INDEX waiting_entry_starts ON waiting_entry (service_id, started_at) WHERE status = 'started';
