"""The bundled postcode district centroids (`data/postcode_districts.csv`) as a DistrictFinder."""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources

from linkwork_matching.domain.districts import DistrictCentroid, DistrictFinder


@cache
def bundled_districts() -> DistrictFinder:
    text = resources.files("linkwork_matching").joinpath("data/postcode_districts.csv").read_text("utf-8")
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    return DistrictFinder(
        DistrictCentroid(row["district"], float(row["latitude"]), float(row["longitude"])) for row in rows
    )
