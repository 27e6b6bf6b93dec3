-- The read model of the directory, what matching has said, and what it has learned.

-- One row: the identity of this read model. A fresh database gets a new generation, and the
-- service-changed consumer group is named after it, so an empty read model always replays the
-- compacted topic from its beginning instead of resuming a previous database's offsets.
CREATE TABLE read_model (
    singleton   boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    generation  uuid NOT NULL DEFAULT gen_random_uuid(),
    started_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO read_model DEFAULT VALUES;

-- Change numbers let each replica's in-memory index follow the tables. Writers take a
-- transaction advisory lock before drawing a number, so numbers become visible in order and a
-- reader that has seen number n has seen everything below it.
CREATE SEQUENCE service_change_seq;
CREATE SEQUENCE tally_change_seq;

-- Latest snapshot per service, withdrawn ones included (so a late stale revision cannot revive one).
CREATE TABLE services (
    service_id  uuid PRIMARY KEY,
    revision    integer NOT NULL,
    status      text NOT NULL,
    snapshot    jsonb NOT NULL,           -- the service-changed event data as received
    change_seq  bigint NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX services_by_change ON services (change_seq);

-- Latest version of each referral: what was matched, and who may see it (its PCN).
CREATE TABLE referrals (
    referral_id  uuid PRIMARY KEY,
    version      integer NOT NULL,
    pcn_code     text NOT NULL,
    event        jsonb NOT NULL,          -- the referral-created event data
    updated_at   timestamptz NOT NULL DEFAULT now()
);

-- At most one suggestion set per referral version: the key is the idempotence guarantee.
CREATE TABLE suggestion_sets (
    referral_id       uuid NOT NULL,
    referral_version  integer NOT NULL,
    suggested_at      timestamptz NOT NULL,
    payload           jsonb NOT NULL,     -- the matches-suggested event data
    PRIMARY KEY (referral_id, referral_version)
);

-- Learning: per referral the baseline wellbeing (plan-agreed) and the latest follow-up wellbeing
-- (follow-up-recorded), and per planned service and need the latest attendance.
CREATE TABLE baselines (
    referral_id     uuid PRIMARY KEY,
    plan_version    integer NOT NULL,
    swemwbs_metric  double precision
);
CREATE TABLE follow_up_wellbeing (
    referral_id     uuid PRIMARY KEY,
    swemwbs_metric  double precision NOT NULL,
    measured_at     timestamptz NOT NULL
);
CREATE TABLE observations (
    referral_id  uuid NOT NULL,
    service_id   uuid NOT NULL,
    need         text NOT NULL,
    attended     boolean NOT NULL,
    contact_at   timestamptz NOT NULL,
    PRIMARY KEY (referral_id, service_id, need)
);
CREATE INDEX observations_by_service ON observations (service_id, need);
CREATE TABLE outcome_tallies (
    service_id        uuid NOT NULL,
    need              text NOT NULL,
    outcomes          integer NOT NULL,
    attended          integer NOT NULL,
    measured          integer NOT NULL,
    wellbeing_change  double precision NOT NULL,
    change_seq        bigint NOT NULL,
    PRIMARY KEY (service_id, need)
);
CREATE INDEX outcome_tallies_by_change ON outcome_tallies (change_seq);

-- Gaps in provision. Each matched referral version adds one row per need (insert only, so busy
-- areas never contend for a counter row); the reporter aggregates unreported unmet rows per
-- postcode district and need, emits one event for each, and marks them reported.
CREATE TABLE gap_observations (
    referral_id        uuid NOT NULL,
    referral_version   integer NOT NULL,
    need               text NOT NULL,
    postcode_district  text NOT NULL,
    unmet              boolean NOT NULL,
    nearest_km         double precision,  -- nearest otherwise-eligible venue out of reach
    observed_at        timestamptz NOT NULL,
    reported           boolean NOT NULL DEFAULT false,
    PRIMARY KEY (referral_id, referral_version, need)
);
CREATE INDEX gap_observations_open ON gap_observations (postcode_district, need)
    WHERE unmet AND NOT reported;
CREATE INDEX gap_observations_by_area ON gap_observations (postcode_district, need, observed_at);
CREATE TABLE gap_reports (
    postcode_district  text NOT NULL,
    need               text NOT NULL,
    last_reported      timestamptz NOT NULL,
    PRIMARY KEY (postcode_district, need)
);
