"""linkwork outcomes service: the evidence commissioners ask for, and the metrics operators watch."""
