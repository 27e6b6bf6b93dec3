-- Remote coverage sits beside the search vector on `service`, so a postcode search for "befriending"
-- combines the two GIN indexes instead of visiting every service's extension row.
ALTER TABLE service ADD COLUMN remote_areas text[] NOT NULL DEFAULT '{}';
UPDATE service s SET remote_areas = e.remote_areas FROM service_extension e WHERE e.service_id = s.id;
ALTER TABLE service_extension DROP COLUMN remote_areas;
CREATE INDEX service_remote_areas ON service USING gin (remote_areas);
