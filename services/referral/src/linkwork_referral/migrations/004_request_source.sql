-- A request id is unique per sending system (CloudEvents `source`), not across them: two GP systems may both
-- send request "1". One referral per (source, request id).
ALTER TABLE referrals ADD COLUMN request_source text;
-- Referrals made from events before this migration: their source is the actor of their first timeline entry.
UPDATE referrals r SET request_source = t.actor
FROM (
    SELECT DISTINCT ON (referral_id) referral_id, actor FROM timeline
    WHERE actor_role = 'existing-system' ORDER BY referral_id, id
) t
WHERE t.referral_id = r.id AND r.request_id IS NOT NULL;
ALTER TABLE referrals DROP CONSTRAINT referrals_request_id_key;
ALTER TABLE referrals ADD CONSTRAINT referrals_request_key UNIQUE (request_source, request_id);
