-- Transactional outbox: events recorded in the same transaction as the state change that caused them.
-- `id` orders publication; the writer takes a per-key transaction lock before inserting, so for one key
-- the id order is also the commit order (see outbox.py).
CREATE TABLE outbox (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id   text NOT NULL,
    topic      text NOT NULL,
    key        text NOT NULL,
    value      bytea NOT NULL,
    headers    jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Wake the relay once per inserting statement instead of making it poll.
CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('linkwork_outbox', '');
    RETURN NULL;
END
$$;

CREATE TRIGGER outbox_notify AFTER INSERT ON outbox
    FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();

-- Idempotent consumers: one row per (consumer, event) applied, written in the effect's transaction.
CREATE TABLE inbox (
    consumer   text NOT NULL,
    event_id   text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id)
);
