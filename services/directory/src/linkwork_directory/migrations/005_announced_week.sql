-- The week whose places_remaining the service's latest snapshot carries: when a new week starts,
-- services whose places were taken in an earlier week are announced again with their places back.
ALTER TABLE service_extension ADD COLUMN announced_week date;
