-- Why a gap (issue 21): the rule that excluded the services near enough, as the ranker worded it
-- ("2 housing services within 5 km, none for this area (for Leeds residents only)").
ALTER TABLE gap_observations ADD COLUMN excluded_by text;
