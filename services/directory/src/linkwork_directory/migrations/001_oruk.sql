-- The Open Referral UK v3 data model (schema/compiled/service.json and friends), one table per entity.
-- Column names follow ORUK so that the serialiser and the CSV package map one-to-one. References that
-- ORUK data routinely leaves dangling (parent ids, attribute link ids, a term's taxonomy id) carry no
-- foreign key: the example package itself points at records it does not contain.

CREATE EXTENSION IF NOT EXISTS cube;
CREATE EXTENSION IF NOT EXISTS earthdistance;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE taxonomy (
    id uuid PRIMARY KEY,
    name text NOT NULL,
    description text NOT NULL,
    uri text,
    version text
);

CREATE TABLE taxonomy_term (
    id uuid PRIMARY KEY,
    name text NOT NULL,
    description text NOT NULL,
    parent_id uuid,
    taxonomy text,
    taxonomy_id uuid,
    term_uri text,
    term text
);
CREATE INDEX taxonomy_term_taxonomy_id ON taxonomy_term (taxonomy_id);

CREATE TABLE organization (
    id uuid PRIMARY KEY,
    name text NOT NULL,
    description text NOT NULL,
    email text,
    website text,
    logo text,
    uri text,
    parent_organization_id uuid
);

CREATE TABLE organization_identifier (
    id uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organization (id) ON DELETE CASCADE,
    position int NOT NULL,
    identifier_scheme text,
    identifier_type text NOT NULL,
    identifier text NOT NULL
);
CREATE INDEX organization_identifier_organization ON organization_identifier (organization_id);

CREATE TABLE location (
    id uuid PRIMARY KEY,
    location_type text NOT NULL CHECK (location_type IN ('physical', 'postal', 'virtual')),
    name text,
    description text,
    latitude double precision,
    longitude double precision,
    external_identifier text,
    external_identifier_type text,
    -- Only coordinates that are on the globe take part in distance search; ORUK's own example has
    -- latitude 100, which is kept as published but never geocoded.
    geo earth GENERATED ALWAYS AS (
        CASE WHEN latitude BETWEEN -90 AND 90 AND longitude BETWEEN -180 AND 180
             THEN ll_to_earth(latitude, longitude) END
    ) STORED
);
CREATE INDEX location_geo ON location USING gist (geo);

CREATE TABLE address (
    id uuid PRIMARY KEY,
    location_id uuid NOT NULL REFERENCES location (id) ON DELETE CASCADE,
    position int NOT NULL,
    attention text,
    address_1 text NOT NULL,
    address_2 text,
    city text NOT NULL,
    region text,
    state_province text NOT NULL,
    postal_code text NOT NULL,
    country text NOT NULL,
    address_type text NOT NULL
);
CREATE INDEX address_location ON address (location_id);

CREATE TABLE accessibility (
    id uuid PRIMARY KEY,
    location_id uuid NOT NULL REFERENCES location (id) ON DELETE CASCADE,
    position int NOT NULL,
    description text,
    details text,
    url text,
    accessibility text
);
CREATE INDEX accessibility_location ON accessibility (location_id);

CREATE TABLE service (
    id uuid PRIMARY KEY,
    organization_id uuid REFERENCES organization (id),
    name text NOT NULL,
    description text,
    url text,
    email text,
    status text NOT NULL CHECK (status IN ('active', 'inactive', 'defunct', 'temporarily closed')),
    fees text,
    accreditations text,
    minimum_age numeric,
    maximum_age numeric,
    assured_date date,
    assurer_email text,
    alert text,
    last_modified timestamptz NOT NULL,
    search_vector tsvector NOT NULL DEFAULT ''::tsvector
);
CREATE INDEX service_organization ON service (organization_id);
CREATE INDEX service_search ON service USING gin (search_vector);
CREATE INDEX service_name_trgm ON service USING gin (name gin_trgm_ops);

CREATE TABLE service_at_location (
    id uuid PRIMARY KEY,
    service_id uuid NOT NULL REFERENCES service (id) ON DELETE CASCADE,
    location_id uuid NOT NULL REFERENCES location (id),
    position int NOT NULL
);
CREATE INDEX service_at_location_service ON service_at_location (service_id);
CREATE INDEX service_at_location_location ON service_at_location (location_id);

CREATE TABLE schedule (
    id uuid PRIMARY KEY,
    service_id uuid NOT NULL REFERENCES service (id) ON DELETE CASCADE,
    position int NOT NULL,
    service_at_location_id uuid,
    valid_from date,
    valid_to date,
    dtstart date,
    freq text CHECK (freq IN ('WEEKLY', 'MONTHLY')),
    "interval" numeric,
    byday text,
    bymonthday text,
    description text,
    opens_at time,
    closes_at time,
    schedule_link text,
    attending_type text,
    notes text,
    -- The weekday codes of byday without their ordinals ("2MO,-1FR" -> {MO,FR}), for the day filter.
    days text[] NOT NULL DEFAULT '{}'
);
CREATE INDEX schedule_service ON schedule (service_id);

CREATE TABLE service_area (
    id uuid PRIMARY KEY,
    service_id uuid NOT NULL REFERENCES service (id) ON DELETE CASCADE,
    position int NOT NULL,
    name text,
    extent text,
    extent_type text,
    uri text,
    service_area text
);
CREATE INDEX service_area_service ON service_area (service_id);

CREATE TABLE language (
    id uuid PRIMARY KEY,
    service_id uuid NOT NULL REFERENCES service (id) ON DELETE CASCADE,
    position int NOT NULL,
    phone_id uuid,
    -- name, code and note are HSDS 3 fields the ORUK profile leaves out; matching needs the code.
    name text,
    code text,
    note text
);
CREATE INDEX language_service ON language (service_id);

CREATE TABLE funding (
    id uuid PRIMARY KEY,
    service_id uuid NOT NULL REFERENCES service (id) ON DELETE CASCADE,
    position int NOT NULL,
    source text
);
CREATE INDEX funding_service ON funding (service_id);

CREATE TABLE cost_option (
    id uuid PRIMARY KEY,
    service_id uuid NOT NULL REFERENCES service (id) ON DELETE CASCADE,
    position int NOT NULL,
    valid_from date,
    valid_to date,
    option text,
    amount numeric,
    amount_description text
);
CREATE INDEX cost_option_service ON cost_option (service_id);

CREATE TABLE contact (
    id uuid PRIMARY KEY,
    service_id uuid NOT NULL REFERENCES service (id) ON DELETE CASCADE,
    position int NOT NULL,
    name text,
    title text
);
CREATE INDEX contact_service ON contact (service_id);

CREATE TABLE phone (
    id uuid PRIMARY KEY,
    contact_id uuid NOT NULL REFERENCES contact (id) ON DELETE CASCADE,
    position int NOT NULL,
    number text NOT NULL,
    description text
);
CREATE INDEX phone_contact ON phone (contact_id);

-- HSDS attributes link any record (link_id) to a taxonomy term; link_id is polymorphic, so no FK.
CREATE TABLE attribute (
    id uuid PRIMARY KEY,
    link_id uuid,
    link_type text,
    position int NOT NULL,
    taxonomy_term_id uuid NOT NULL REFERENCES taxonomy_term (id)
);
CREATE INDEX attribute_link ON attribute (link_id);
CREATE INDEX attribute_term ON attribute (taxonomy_term_id, link_id);

-- What `search` matches: the service name first, then its organization and classifications, then the
-- description. Recomputed by the writer whenever any of these change.
CREATE FUNCTION service_search_document(service_id uuid) RETURNS tsvector
LANGUAGE sql STABLE AS $$
    SELECT setweight(to_tsvector('english', s.name), 'A')
        || setweight(to_tsvector('english', coalesce(o.name, '')), 'B')
        || setweight(to_tsvector('english', coalesce((
               SELECT string_agg(t.name || ' ' || coalesce(t.term, ''), ' ')
               FROM attribute a JOIN taxonomy_term t ON t.id = a.taxonomy_term_id
               WHERE a.link_id = s.id), '')), 'B')
        || setweight(to_tsvector('english', coalesce(s.description, '')), 'C')
    FROM service s LEFT JOIN organization o ON o.id = s.organization_id
    WHERE s.id = service_id
$$;
