-- The notifications service's own tables. No names, numbers or addresses: contact routes are fetched from the
-- referral service at send time and never stored (docs/decisions/19-notifications.md).

-- Referrals this service has heard of: enough to word a message and to find overdue first contacts.
CREATE TABLE referrals (
    referral_id      uuid PRIMARY KEY,
    person_ref       text NOT NULL,
    pcn_code         text NOT NULL,
    created_at       timestamptz NOT NULL,
    first_contact_at timestamptz
);
CREATE INDEX referrals_awaiting_contact ON referrals (pcn_code, created_at) WHERE first_contact_at IS NULL;

-- One row per (event, reason): the event id is the idempotency key, so a replayed event sends nothing new.
CREATE TABLE messages (
    id                 uuid PRIMARY KEY,
    event_source       text NOT NULL,
    event_id           text NOT NULL,
    reason             text NOT NULL CHECK (reason IN ('first-contact', 'follow-up-reminder')),
    referral_id        uuid NOT NULL,
    person_ref         text NOT NULL,
    pcn_code           text NOT NULL,
    link_worker_id     text,
    due_on             date,
    status             text NOT NULL DEFAULT 'pending'
                       CHECK (status IN ('pending', 'sending', 'sent', 'delivered', 'undeliverable', 'suppressed')),
    channel            text CHECK (channel IN ('sms', 'email', 'letter')),
    suppressed_because text,
    failure            text,
    attempts           int NOT NULL DEFAULT 0,
    next_attempt_at    timestamptz NOT NULL DEFAULT now(),
    provider_id        text,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    UNIQUE (event_source, event_id, reason)
);
CREATE INDEX messages_to_send ON messages (next_attempt_at) WHERE status IN ('pending', 'sending');
CREATE UNIQUE INDEX messages_by_provider_id ON messages (provider_id) WHERE provider_id IS NOT NULL;

-- A person's opt-out from a channel, by pseudonymous person_ref (so it covers all their referrals).
CREATE TABLE opt_outs (
    person_ref  text NOT NULL,
    channel     text NOT NULL CHECK (channel IN ('sms', 'email', 'letter')),
    recorded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (person_ref, channel)
);

-- Work for link workers: follow-ups due, messages that could not be delivered. One per (kind, subject).
CREATE TABLE tasks (
    id             uuid PRIMARY KEY,
    kind           text NOT NULL CHECK (kind IN ('follow-up-due', 'undeliverable')),
    subject_id     text NOT NULL,
    referral_id    uuid NOT NULL,
    pcn_code       text NOT NULL,
    link_worker_id text,
    due_on         date NOT NULL,
    detail         text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    done_at        timestamptz,
    UNIQUE (kind, subject_id)
);
CREATE INDEX tasks_by_pcn ON tasks (pcn_code, due_on);
