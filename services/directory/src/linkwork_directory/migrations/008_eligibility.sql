-- Who a service is for (issue 21): codes of the linkwork eligibility taxonomy, the condition groups a
-- condition-group service is for, and the provider's own words. Service areas stay in ORUK's service_area.
ALTER TABLE service_extension
    ADD COLUMN eligibility text[] NOT NULL DEFAULT '{}',
    ADD COLUMN condition_groups text[] NOT NULL DEFAULT '{}',
    ADD COLUMN eligibility_description text;
