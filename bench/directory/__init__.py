"""Directory benchmark: `/services` with postcode, proximity and text over a national-scale directory."""
