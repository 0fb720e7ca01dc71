"""Coarse home and place locations: a 4-digit postcode area and its centroid, rounded to 2 decimals.

Only the PC4 area ever leaves intake (about 1 km precision); a full postcode or an address stays in the
personal store. The centroid table of the demo region (Groningen/Drenthe, approximate) is a data file.
Pure Python; imports nothing from the project.
"""

from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass
from importlib import resources

from ..errors import InvalidInput

POSTCODE = re.compile(r"^\s*([1-9][0-9]{3})\s*([A-Za-z]{2})?\s*$")
LAT_RANGE = (50.5, 53.7)
LON_RANGE = (3.2, 7.3)


@dataclass(frozen=True)
class Area:
    """A coarse location as it may travel in events."""

    pc4: str
    lat: float
    lon: float


@functools.lru_cache(maxsize=1)
def centroids() -> dict[str, tuple[float, float]]:
    """PC4 -> (lat, lon) of the demo region, read once from data/pc4_centroids.csv."""
    text = resources.files("intake.data").joinpath("pc4_centroids.csv").read_text(encoding="utf-8")
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    return {row["pc4"]: (float(row["lat"]), float(row["lon"])) for row in rows}


def pc4_of(postcode: str) -> str | None:
    """The 4-digit area of a Dutch postcode ("9711 AB" or "9711"), or None when it is not one."""
    match = POSTCODE.match(postcode or "")
    return match.group(1) if match else None


def coarse_area(postcode: str, lat: float | None = None, lon: float | None = None,
                field: str = "home") -> Area:
    """The coarse area of a postcode; explicit coordinates win over the table (both rounded to 0.01)."""
    pc4 = pc4_of(postcode)
    if pc4 is None:
        raise InvalidInput({f"{field}.postcode": ["Not a valid Dutch postcode."]})
    if (lat is None) != (lon is None):
        raise InvalidInput({f"{field}.lat": ["Give both lat and lon, or neither."]})
    if lat is None or lon is None:
        known = centroids().get(pc4)
        if known is None:
            raise InvalidInput({f"{field}.postcode": ["Unknown postcode area; give lat and lon."]})
        lat, lon = known
    if not (LAT_RANGE[0] <= lat <= LAT_RANGE[1] and LON_RANGE[0] <= lon <= LON_RANGE[1]):
        raise InvalidInput({f"{field}.lat": ["The location is outside the Netherlands."]})
    return Area(pc4=pc4, lat=round(lat, 2), lon=round(lon, 2))
