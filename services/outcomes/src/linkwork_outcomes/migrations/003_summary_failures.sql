-- A referral whose summary cannot be computed (a bug meeting unusual facts) is set aside here with the reason,
-- instead of failing its whole projection batch again and again and freezing every report. New facts for it
-- queue it again; a later successful summary removes the row.
CREATE TABLE summary_failure (
    referral_id text PRIMARY KEY,
    reason      text NOT NULL,
    failed_at   timestamptz NOT NULL DEFAULT now()
);
