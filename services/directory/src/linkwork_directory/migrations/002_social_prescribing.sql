-- Social prescribing extensions to ORUK: capacity, routes in, delivery, accessibility codes,
-- verification (freshness) and withdrawal. Need categories are ORUK attributes pointing at the
-- linkwork-needs taxonomy terms, so they live in `attribute`, not here.

CREATE TABLE service_extension (
    service_id uuid PRIMARY KEY REFERENCES service (id) ON DELETE CASCADE,
    places_per_week int CHECK (places_per_week >= 0),
    waiting_list boolean NOT NULL DEFAULT false,
    referral_routes text[] NOT NULL DEFAULT '{}',
    delivery_modes text[] NOT NULL DEFAULT '{}',
    accessibility text[] NOT NULL DEFAULT '{}',
    last_verified_at timestamptz,
    verified_by text,
    withdrawn_at timestamptz,
    withdrawal_reason text,
    -- Bumped on every change that emits service-changed, so consumers can order snapshots.
    revision bigint NOT NULL DEFAULT 0
);
-- The review queue reads the least recently verified services first.
CREATE INDEX service_extension_last_verified ON service_extension (last_verified_at NULLS FIRST);

-- What a cost is charged per (session, week, month, course, one-off); ORUK only has free text.
ALTER TABLE cost_option ADD COLUMN unit text;

-- Plans agreed that include a service, counted per ISO week (Monday) for places remaining.
CREATE TABLE service_uptake (
    service_id uuid NOT NULL REFERENCES service (id) ON DELETE CASCADE,
    week_starting date NOT NULL,
    plans int NOT NULL DEFAULT 0,
    PRIMARY KEY (service_id, week_starting)
);
