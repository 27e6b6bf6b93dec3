-- Uptake is counted per plan rather than per week: plan-agreed carries the whole current plan, and a
-- revision that drops an activity gives its place back, which a bare counter cannot do.
DROP TABLE IF EXISTS service_uptake;

CREATE TABLE plan_version (
    referral_id uuid PRIMARY KEY,
    version int NOT NULL
);

-- One row per activity in the latest version of each plan: the week its place is taken in.
CREATE TABLE plan_activity (
    referral_id uuid NOT NULL,
    service_id uuid NOT NULL REFERENCES service (id) ON DELETE CASCADE,
    week_starting date NOT NULL,
    PRIMARY KEY (referral_id, service_id)
);
CREATE INDEX plan_activity_service_week ON plan_activity (service_id, week_starting);

-- Bulk imports started over HTTP, with their progress and, once finished, their report.
CREATE TABLE import_job (
    id uuid PRIMARY KEY,
    status text NOT NULL CHECK (status IN ('running', 'finished', 'failed')),
    source text NOT NULL,
    requested_by text NOT NULL,
    total int NOT NULL,
    done int NOT NULL DEFAULT 0,
    report jsonb,
    error text,
    created_at timestamptz NOT NULL,
    finished_at timestamptz
);
