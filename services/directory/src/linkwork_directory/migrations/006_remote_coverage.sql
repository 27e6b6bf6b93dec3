-- Postcode areas/districts where a service delivered online or by phone is available ('*': anywhere;
-- empty: not delivered remotely). Written by the service writer (domain/coverage.py); the UPDATE fills
-- it in for services stored before, by the same rule.
ALTER TABLE service_extension ADD COLUMN remote_areas text[] NOT NULL DEFAULT '{}';
CREATE INDEX service_extension_remote_areas ON service_extension USING gin (remote_areas);

UPDATE service_extension e SET remote_areas = CASE
    WHEN NOT (e.delivery_modes && ARRAY['online', 'telephone']) THEN '{}'
    ELSE coalesce((
        SELECT array_agg(DISTINCT token ORDER BY token)
        FROM service_area a, regexp_split_to_table(upper(trim(a.extent)), '[[:space:],]+') AS token
        WHERE a.service_id = e.service_id AND a.extent_type = 'text' AND token <> ''
          AND upper(a.extent) ~ '^[[:space:],]*[A-Z]{1,2}([0-9][0-9A-Z]?)?([[:space:],]+[A-Z]{1,2}([0-9][0-9A-Z]?)?)*[[:space:],]*$'
    ), ARRAY['*']) END;
