-- Issue 17: closing the loop with providers.

-- What the directory says about each community service (from service-changed): which organisation runs it
-- and whether it takes referrals. Rebuildable from the compacted topic.
CREATE TABLE provider_services (
    service_id        uuid PRIMARY KEY,
    organization_id   uuid NOT NULL,
    organization_name text NOT NULL,
    service_name      text NOT NULL,
    takes_referrals   boolean NOT NULL,
    revision          int NOT NULL
);

-- One activity referral per referral and service. `shared` holds only what the person agreed to share with
-- this provider (first name, a contact route, needs, accessibility needs): identifiable, so it stays here.
CREATE TABLE activity_referrals (
    id                uuid PRIMARY KEY,
    referral_id       uuid NOT NULL REFERENCES referrals (id),
    service_id        uuid NOT NULL,
    service_name      text NOT NULL,
    organization_id   uuid NOT NULL,
    organization_name text NOT NULL,
    need              text NOT NULL,
    pcn               text NOT NULL,
    shared            jsonb NOT NULL,
    state             text NOT NULL DEFAULT 'awaiting-response'
                      CHECK (state IN ('awaiting-response', 'accepted', 'declined', 'completed')),
    referred_at       timestamptz NOT NULL,
    respond_by        timestamptz NOT NULL,
    remind_at         timestamptz NOT NULL,
    reminded_at       timestamptz,
    responded_at      timestamptz,
    decline_reason    text,
    starts_on         date,
    revision          int NOT NULL DEFAULT 0,   -- of activity-referral-responded
    sessions_attended int NOT NULL DEFAULT 0,
    completed_at      timestamptz,
    UNIQUE (referral_id, service_id)
);
CREATE INDEX activity_referrals_by_organization ON activity_referrals (organization_id, referred_at DESC, id);
-- What the deadline scheduler claims (FOR UPDATE SKIP LOCKED).
CREATE INDEX activity_referrals_awaiting ON activity_referrals (respond_by) WHERE state = 'awaiting-response';
CREATE INDEX activity_referrals_to_remind ON activity_referrals (remind_at)
    WHERE state = 'awaiting-response' AND reminded_at IS NULL;

-- Attendance per session as the provider confirmed it: one row per session date (a correction replaces it).
CREATE TABLE activity_sessions (
    activity_referral_id uuid NOT NULL REFERENCES activity_referrals (id),
    session_on           date NOT NULL,
    attendance           text NOT NULL CHECK (attendance IN ('attended', 'did-not-attend', 'cancelled')),
    recorded_at          timestamptz NOT NULL,
    PRIMARY KEY (activity_referral_id, session_on)
);

-- Emails to providers, written in the transaction of the step that causes them (an outbox): one per activity
-- referral and kind, whatever replica or retry wrote it. The sender claims pending rows SKIP LOCKED.
CREATE TABLE provider_emails (
    id                   uuid PRIMARY KEY,
    activity_referral_id uuid NOT NULL REFERENCES activity_referrals (id),
    kind                 text NOT NULL CHECK (kind IN ('new-referral', 'reminder', 'declined-no-response')),
    organization_id      uuid NOT NULL,
    state                text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'no-address', 'failed')),
    attempts             int NOT NULL DEFAULT 0,
    next_attempt_at      timestamptz NOT NULL DEFAULT now(),
    created_at           timestamptz NOT NULL DEFAULT now(),
    sent_at              timestamptz,
    UNIQUE (activity_referral_id, kind)
);
CREATE INDEX provider_emails_pending ON provider_emails (next_attempt_at) WHERE state = 'pending';
