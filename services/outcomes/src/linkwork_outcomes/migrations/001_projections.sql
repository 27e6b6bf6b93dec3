-- The outcomes service's projections. Nothing here is identifiable: people appear only as the
-- pseudonymous person_ref and the coarse attributes events carry for equity reporting.
--
-- Facts: one row per event (or per item of an event), keyed by what makes it unique, so a repeated
-- delivery inserts nothing. Figures are never updated in place from an event: they are derived.
-- event_time is the CloudEvents time of the event that stored the row (operational metrics).

CREATE TABLE referral_version (
    referral_id uuid NOT NULL,
    version int NOT NULL,
    person_ref text NOT NULL CHECK (person_ref ~ '^[0-9a-f]{64}$'),
    created_at timestamptz NOT NULL,
    source text NOT NULL,
    pcn text NOT NULL,
    practice text,
    age_band text NOT NULL,
    sex text NOT NULL,
    ethnic_category text NOT NULL,
    postcode_district text,
    imd_decile smallint CHECK (imd_decile BETWEEN 1 AND 10),
    needs text[] NOT NULL,
    event_time timestamptz NOT NULL,
    PRIMARY KEY (referral_id, version)
);

CREATE TABLE plan_version (
    referral_id uuid NOT NULL,
    plan_version int NOT NULL,
    agreed_at timestamptz NOT NULL,
    first_contact_at timestamptz,
    activities jsonb NOT NULL, -- [[service_id, need], ...]
    event_time timestamptz NOT NULL,
    PRIMARY KEY (referral_id, plan_version)
);

CREATE TABLE contact (
    contact_id uuid PRIMARY KEY,
    referral_id uuid NOT NULL,
    contact_at timestamptz NOT NULL,
    kind text NOT NULL,
    outcome text NOT NULL,
    contacts_to_date int NOT NULL,
    attendance jsonb NOT NULL, -- [[service_id, status], ...]
    follow_up_id uuid,
    event_time timestamptz NOT NULL
);
CREATE INDEX contact_by_referral ON contact (referral_id);

-- A revised plan repeats its baseline: the whole record is the identity, so the repeat adds nothing.
CREATE TABLE measurement (
    referral_id uuid NOT NULL,
    score text NOT NULL,
    timepoint text NOT NULL,
    recorded_at timestamptz NOT NULL,
    value int NOT NULL, -- hundredths of a scale point
    PRIMARY KEY (referral_id, score, timepoint, recorded_at, value)
);

CREATE TABLE follow_up_due (
    follow_up_id uuid PRIMARY KEY,
    referral_id uuid NOT NULL,
    due_on date NOT NULL,
    pcn text NOT NULL,
    event_time timestamptz NOT NULL
);
CREATE INDEX follow_up_due_by_referral ON follow_up_due (referral_id);

CREATE TABLE closure (
    referral_id uuid NOT NULL,
    closed_at timestamptz NOT NULL,
    status text NOT NULL,
    reason text NOT NULL,
    first_contact_at timestamptz,
    contacts_count int NOT NULL,
    event_time timestamptz NOT NULL,
    PRIMARY KEY (referral_id, closed_at, status, reason)
);

-- One row per (need, district, window); a re-sent window keeps the latest detection.
CREATE TABLE provision_gap (
    need text NOT NULL,
    postcode_district text NOT NULL,
    window_start timestamptz NOT NULL,
    window_end timestamptz NOT NULL,
    referrals_with_need int NOT NULL,
    referrals_unmet int NOT NULL,
    detected_at timestamptz NOT NULL,
    event_time timestamptz NOT NULL,
    PRIMARY KEY (need, postcode_district, window_start, window_end)
);
CREATE INDEX provision_gap_by_window ON provision_gap (window_start);

-- The latest revision of each community service: names for report rows, and directory staleness.
CREATE TABLE service_label (
    service_id uuid PRIMARY KEY,
    revision int NOT NULL,
    name text NOT NULL,
    provider_id uuid,
    provider_name text,
    active boolean NOT NULL,
    changed_at timestamptz NOT NULL,
    last_verified_on date,
    event_time timestamptz NOT NULL
);

-- Suggestion sets (matches-suggested): how many options matching found for each need.
CREATE TABLE suggestion_set (
    referral_id uuid NOT NULL,
    referral_version int NOT NULL,
    suggested_at timestamptz NOT NULL,
    options_per_need jsonb NOT NULL, -- [[need, options], ...]
    event_time timestamptz NOT NULL,
    PRIMARY KEY (referral_id, referral_version)
);

-- "Last event time per topic" reads max(event_time) of each fact table.
CREATE INDEX referral_version_event_time ON referral_version (event_time);
CREATE INDEX plan_version_event_time ON plan_version (event_time);
CREATE INDEX contact_event_time ON contact (event_time);
CREATE INDEX follow_up_due_event_time ON follow_up_due (event_time);
CREATE INDEX closure_event_time ON closure (event_time);
CREATE INDEX provision_gap_event_time ON provision_gap (event_time);
CREATE INDEX service_label_event_time ON service_label (event_time);
CREATE INDEX suggestion_set_event_time ON suggestion_set (event_time);

-- Which postcode districts a PCN's (and a practice's) referrals come from: scopes gap reports.
-- Written by the projector (the one writer), since many partitions' referrals share these rows.
CREATE TABLE area_served (
    pcn text NOT NULL,
    practice text NOT NULL, -- '*' for the whole PCN
    postcode_district text NOT NULL,
    PRIMARY KEY (pcn, practice, postcode_district)
);

-- Referrals whose facts changed since their summary was last computed. Append-only, so event
-- handlers never contend for a row; the projector claims rows with DELETE ... RETURNING.
CREATE TABLE pending_referral (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    referral_id uuid NOT NULL
);

-- Derived: one summary per referral, recomputed from all of its facts.
CREATE TABLE referral_summary (
    referral_id uuid PRIMARY KEY,
    month date,
    pcn text,
    practice text,
    source text,
    needs text[] NOT NULL,
    age_band text,
    sex text,
    ethnic_category text,
    imd_decile smallint,
    postcode_district text,
    status text NOT NULL,
    entered_in_error boolean NOT NULL,
    contacted boolean NOT NULL,
    first_contact_days int,
    contacts int NOT NULL,
    plan_agreed boolean NOT NULL,
    followed_up boolean NOT NULL,
    closed boolean NOT NULL,
    closure_reason text,
    planned text[] NOT NULL,
    attended text[] NOT NULL,
    changes jsonb NOT NULL, -- [[score, change in hundredths, improved], ...]
    earliest_unmet_due date -- the oldest due follow-up that no contact has met
);
-- Open referrals with a follow-up due and not met: the overdue gauge reads only these.
CREATE INDEX referral_summary_follow_ups ON referral_summary (earliest_unmet_due)
    WHERE NOT closed AND earliest_unmet_due IS NOT NULL;

-- Derived: additive cells at three levels (pcn = practice = '*' for everyone; practice = '*' for a
-- whole PCN), always equal to the sum of the current summaries' contributions. Zero cells are
-- deleted, so live and rebuilt tables are identical row for row.
CREATE TABLE tally (
    pcn text NOT NULL,
    practice text NOT NULL,
    month date NOT NULL,
    section text NOT NULL,
    key text NOT NULL,
    subkey text NOT NULL,
    n bigint NOT NULL,
    PRIMARY KEY (pcn, practice, month, section, key, subkey)
);

CREATE TABLE outcome_sums (
    pcn text NOT NULL,
    practice text NOT NULL,
    month date NOT NULL,
    score text NOT NULL,
    pairs bigint NOT NULL,
    total bigint NOT NULL, -- sum of changes, hundredths
    total_squares bigint NOT NULL, -- sum of squared changes, hundredths squared
    improved bigint NOT NULL,
    PRIMARY KEY (pcn, practice, month, score)
);
