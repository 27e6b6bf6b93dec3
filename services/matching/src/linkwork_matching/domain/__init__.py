"""Matching's domain: services as matching sees them, people's needs, constraints, scoring, reasons.

Plain Python (and numpy for the vectorised index): no I/O, no framework imports.
"""
