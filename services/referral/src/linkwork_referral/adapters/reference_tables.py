"""Reference tables loaded from CSV at start-up: postcode locations and practice-to-PCN membership.

Lines starting with `#` are comments. The postcode table is either linkwork's small district file
(`district,latitude,longitude`) or the ONS Postcode Directory (ONSPD) CSV, recognised by its
`pcds`, `lat` and `long` columns (and `lsoa21` when present). With ONSPD, a person's location is
their own postcode's centroid (then rounded to about 1 km before it goes into any event) and the
district centroid is the mean of its postcodes.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from linkwork_contracts.geography import ApproxLocation, normalise_postcode, postcode_district


@dataclass(frozen=True)
class Place:
    """What events may say about where a person lives."""

    district: str
    location: ApproxLocation | None
    lsoa: str | None = None
    imd_decile: int | None = None  # of the LSOA, from the English Indices of Deprivation


def _rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as file:
        lines = (line for line in file if not line.startswith("#"))
        yield from csv.DictReader(lines)


class PostcodeDirectory:
    def __init__(
        self,
        districts: dict[str, tuple[float, float]],
        postcodes: dict[str, tuple[float, float, str | None]] | None = None,
        deprivation: DeprivationTable | None = None,
    ) -> None:
        self._districts = districts
        self._postcodes = postcodes or {}
        self._deprivation = deprivation or DeprivationTable({})

    def with_postcodes(self, path: Path) -> PostcodeDirectory:
        """This directory plus the postcodes (and their LSOAs) of an ONSPD-layout file; district centroids stay."""
        extra = PostcodeDirectory.load(path)
        return PostcodeDirectory(
            # The main table wins where both know a postcode or district: it is the real one in a deployment.
            {**extra._districts, **self._districts},
            {**extra._postcodes, **self._postcodes},
            self._deprivation,
        )

    def with_deprivation(self, deprivation: DeprivationTable) -> PostcodeDirectory:
        return PostcodeDirectory(self._districts, self._postcodes, deprivation)

    @classmethod
    def load(cls, path: Path) -> PostcodeDirectory:
        rows = _rows(path)
        first = next(rows, None)
        if first is None:
            return cls({})
        if "pcds" in first:
            return cls._from_onspd([first, *rows])
        districts = {}
        for row in [first, *rows]:
            districts[row["district"].strip().upper()] = (float(row["latitude"]), float(row["longitude"]))
        return cls(districts)

    @classmethod
    def _from_onspd(cls, rows: list[dict[str, str]]) -> PostcodeDirectory:
        postcodes: dict[str, tuple[float, float, str | None]] = {}
        sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
        for row in rows:
            latitude, longitude = float(row["lat"]), float(row["long"])
            # ONSPD marks postcodes with no grid reference with latitude 99.999999.
            if not -90 <= latitude <= 90:
                continue
            postcode = normalise_postcode(row["pcds"])
            postcodes[postcode] = (latitude, longitude, row.get("lsoa21") or None)
            total = sums[postcode_district(postcode)]
            total[0], total[1], total[2] = total[0] + latitude, total[1] + longitude, total[2] + 1
        districts = {d: (lat / n, lon / n) for d, (lat, lon, n) in sums.items()}
        return cls(districts, postcodes)

    def place(self, postcode: str | None) -> Place | None:
        if postcode is None:
            return None
        postcode = normalise_postcode(postcode)
        district = postcode_district(postcode)
        if found := self._postcodes.get(postcode):
            return Place(district, _approx(found[0], found[1]), found[2], self._deprivation.decile(found[2]))
        centroid = self._districts.get(district)
        return Place(district, _approx(*centroid) if centroid else None)

    def __len__(self) -> int:
        return len(self._districts)


def _approx(latitude: float, longitude: float) -> ApproxLocation | None:
    try:
        return ApproxLocation.of(latitude, longitude)
    except ValueError:  # outside the British Isles box events accept (e.g. a forces postcode)
        return None


class DeprivationTable:
    """The Index of Multiple Deprivation decile of each LSOA (1 = the most deprived tenth in England).

    Reads linkwork's two-column table (`lsoa,imd_decile`) that
    `python -m linkwork_referral.entrypoints.deprivation load` writes from the published English Indices of
    Deprivation file.
    """

    def __init__(self, deciles: dict[str, int]) -> None:
        self._deciles = deciles

    @classmethod
    def load(cls, path: Path) -> DeprivationTable:
        deciles = {}
        for number, row in enumerate(_rows(path), start=1):
            decile = int(row["imd_decile"])
            if not 1 <= decile <= 10:
                raise ValueError(f"{path.name} row {number}: imd_decile must be 1 to 10")
            deciles[row["lsoa"].strip().upper()] = decile
        return cls(deciles)

    def decile(self, lsoa: str | None) -> int | None:
        return self._deciles.get(lsoa) if lsoa else None

    def __len__(self) -> int:
        return len(self._deciles)


class PracticeDirectory:
    """Which PCN each GP practice belongs to."""

    def __init__(self, pcn_by_practice: dict[str, str], default_pcn: str | None = None) -> None:
        self._pcn_by_practice = pcn_by_practice
        self._default = default_pcn

    @classmethod
    def load(cls, path: Path, default_pcn: str | None = None) -> PracticeDirectory:
        table = {row["practice_ods_code"].strip().upper(): row["pcn_code"].strip().upper() for row in _rows(path)}
        return cls(table, default_pcn)

    def pcn_for(self, practice_ods_code: str | None) -> str | None:
        if practice_ods_code is not None and (pcn := self._pcn_by_practice.get(practice_ods_code.upper())):
            return pcn
        return self._default
