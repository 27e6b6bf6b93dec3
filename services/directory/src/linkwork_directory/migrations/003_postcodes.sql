-- Postcode centroids loaded from the ONS Postcode Directory (or its shipped sample).
CREATE TABLE postcode (
    postcode text PRIMARY KEY,           -- normalised: upper case, one space ("LS6 1AA")
    latitude double precision NOT NULL,
    longitude double precision NOT NULL,
    lsoa text,
    local_authority text,
    terminated date,
    geo earth GENERATED ALWAYS AS (ll_to_earth(latitude, longitude)) STORED
);
