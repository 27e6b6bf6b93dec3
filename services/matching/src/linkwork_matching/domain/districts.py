"""The person's postcode district when only an approximate location is known (issue 21).

Service areas are mostly postcode areas and districts. A link worker exploring with only a map
location still deserves an answer, so the nearest district centroid stands in, but only when it
is close enough that the person is very likely in that district: a wrong district could offer a
service the person cannot use, while no district only lists it to check.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from linkwork_matching.domain.geo import distance_km
from linkwork_matching.domain.person import Location

# Urban districts are 1-3 km across; beyond this distance from the nearest centroid the person
# may well be in a district the table does not know (the demo table has Leeds only).
MAX_CENTROID_KM = 3.0


@dataclass(frozen=True, slots=True)
class DistrictCentroid:
    district: str
    latitude: float
    longitude: float


class DistrictFinder:
    def __init__(self, centroids: Iterable[DistrictCentroid], within_km: float = MAX_CENTROID_KM) -> None:
        self._centroids = tuple(centroids)
        self._within_km = within_km

    def nearest(self, location: Location) -> str | None:
        """The district whose centroid is nearest, if within reach; None when none is."""
        best: tuple[float, str] | None = None
        for c in self._centroids:
            km = distance_km(location.latitude, location.longitude, c.latitude, c.longitude)
            if km <= self._within_km and (best is None or km < best[0]):
                best = (km, c.district)
        return None if best is None else best[1]
