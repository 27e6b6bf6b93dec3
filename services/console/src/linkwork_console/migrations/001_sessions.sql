-- Sign-in sessions of the console: the only thing it stores. The cookie holds a random id; only its
-- SHA-256 is stored, so a copy of this table cannot be replayed as cookies.
CREATE TABLE console_sessions (
    id_hash      bytea PRIMARY KEY,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    data         jsonb NOT NULL
);
CREATE INDEX console_sessions_expires_at ON console_sessions (expires_at);
