"""linkwork outcomes service: Turns the event stream into the evidence commissioners ask for, and the metrics operators watch."""
