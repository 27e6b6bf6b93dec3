-- The referral service's own tables. Identifiable data lives in referrals.document only.

CREATE TABLE referrals (
    id                   uuid PRIMARY KEY,
    pcn                  text NOT NULL,
    referrer_subject     text,
    state                text NOT NULL,
    link_worker          text,
    urgency              text NOT NULL,
    safeguarding_concern boolean NOT NULL,
    request_id           text UNIQUE,          -- referral-requested id: one referral per request
    person_ref           text NOT NULL,        -- pseudonymous, for events the scheduler builds
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL,
    document             jsonb NOT NULL        -- the whole aggregate, identifiable details included
);
CREATE INDEX referrals_caseload ON referrals (pcn, created_at DESC, id DESC);
CREATE INDEX referrals_by_referrer ON referrals (referrer_subject, created_at DESC, id DESC);
CREATE INDEX referrals_by_link_worker ON referrals (pcn, link_worker);

-- Planned follow-ups, one row each: what the scheduler claims (FOR UPDATE SKIP LOCKED) when due.
-- pending: not yet due; due: follow-up-due emitted; done: recorded; cancelled: plan revised or closed.
CREATE TABLE follow_ups (
    id           uuid PRIMARY KEY,
    referral_id  uuid NOT NULL REFERENCES referrals (id),
    plan_version int NOT NULL,
    sequence     int NOT NULL,
    kind         text NOT NULL,
    due_on       date NOT NULL,
    due_at       timestamptz NOT NULL,
    state        text NOT NULL DEFAULT 'pending'
                 CHECK (state IN ('pending', 'due', 'done', 'cancelled')),
    emitted_at   timestamptz
);
CREATE INDEX follow_ups_to_emit ON follow_ups (due_at) WHERE state = 'pending';
CREATE INDEX follow_ups_open ON follow_ups (referral_id) WHERE state IN ('pending', 'due');

-- Everything that happened to a referral, in the order it was recorded.
CREATE TABLE timeline (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    referral_id uuid NOT NULL REFERENCES referrals (id),
    at          timestamptz NOT NULL,
    kind        text NOT NULL,
    actor       text,
    actor_role  text,
    summary     text NOT NULL,
    detail      jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX timeline_by_referral ON timeline (referral_id, id);

-- POST /referrals retried with the same Idempotency-Key returns the first referral.
CREATE TABLE idempotency_keys (
    subject      text NOT NULL,
    key          text NOT NULL,
    request_hash text NOT NULL,
    referral_id  uuid NOT NULL REFERENCES referrals (id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (subject, key)
);

-- The latest matches-suggested per referral (highest referral version, then latest suggestion).
CREATE TABLE suggestions (
    referral_id      uuid PRIMARY KEY,
    referral_version int NOT NULL,
    suggested_at     timestamptz NOT NULL,
    event_id         text NOT NULL,
    body             jsonb NOT NULL,
    received_at      timestamptz NOT NULL DEFAULT now()
);

-- Who read or changed which referral, and who was refused.
CREATE TABLE audit_log (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at           timestamptz NOT NULL DEFAULT clock_timestamp(),
    subject      text NOT NULL,
    role         text NOT NULL,
    actor_pcn    text NOT NULL,
    action       text NOT NULL,
    outcome      text NOT NULL CHECK (outcome IN ('allowed', 'denied')),
    referral_id  uuid,
    referral_pcn text,
    referral_ids uuid[] NOT NULL DEFAULT '{}',
    detail       text
);
CREATE INDEX audit_by_actor_pcn ON audit_log (actor_pcn, id);
CREATE INDEX audit_by_referral_pcn ON audit_log (referral_pcn, id);
CREATE INDEX audit_by_referral ON audit_log (referral_id, id);
