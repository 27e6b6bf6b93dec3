"""Distances and how far a person can reasonably travel.

Great-circle (haversine) distance, in a scalar form for explanations and a numpy form for the
index; both use the same formula so a service is within reach in one exactly when in the other.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from linkwork_contracts.codes import TravelMode

EARTH_RADIUS_KM = 6371.0088  # IUGG mean radius

FloatArray = npt.NDArray[np.float64]


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def distances_km(lat: float, lon: float, lats: FloatArray, lons: FloatArray) -> FloatArray:
    p1 = math.radians(lat)
    p2 = np.radians(lats)
    dp = p2 - p1
    dl = np.radians(lons - lon)
    a = np.sin(dp / 2) ** 2 + math.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    result: FloatArray = 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(a)))
    return result


@dataclass(frozen=True, slots=True)
class TravelPolicy:
    """Turns a travel mode and a time budget into a reach in km, and sets how fast appeal decays.

    Speeds are door-to-door averages, waiting and walking to stops included: walking 4.8 km/h
    (3 mph, the usual planning figure), public transport 15 km/h and car 30 km/h in towns.
    When a person states no time budget the defaults are what link workers commonly treat as
    reasonable for a weekly activity.
    """

    walk_kmh: float = 4.8
    public_transport_kmh: float = 15.0
    car_kmh: float = 30.0
    default_minutes: tuple[tuple[TravelMode, int], ...] = (
        (TravelMode.WALK, 20),
        (TravelMode.PUBLIC_TRANSPORT, 30),
        (TravelMode.CAR, 25),
    )
    # A person who did not say how they travel is assumed to use public transport.
    default_mode: TravelMode = TravelMode.PUBLIC_TRANSPORT

    def speed_kmh(self, mode: TravelMode) -> float:
        return {
            TravelMode.WALK: self.walk_kmh,
            TravelMode.PUBLIC_TRANSPORT: self.public_transport_kmh,
            TravelMode.CAR: self.car_kmh,
        }[mode]

    def reach_km(self, mode: TravelMode | None, minutes: int | None) -> float:
        mode = mode or self.default_mode
        budget = minutes if minutes is not None else dict(self.default_minutes)[mode]
        return self.speed_kmh(mode) * budget / 60.0

    def decay_km(self, reach_km: float) -> float:
        """Distance at which appeal falls to 1/e: a third of the reach, so nearer clearly wins."""
        return max(reach_km / 3.0, 0.1)
