-- Outbox rows Kafka refuses for good (too large, an invalid topic): set aside with the reason, so that one
-- such row does not block every later event of the service. Kept for an operator to fix and re-queue.
CREATE TABLE outbox_parked (
    id         bigint PRIMARY KEY,
    event_id   text NOT NULL,
    topic      text NOT NULL,
    key        text NOT NULL,
    value      bytea NOT NULL,
    headers    jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL,
    parked_at  timestamptz NOT NULL DEFAULT now(),
    reason     text NOT NULL
);
