"""Travel time between two coarse locations: the one formula of `stagepool_shared.travel`, re-exported so
the matcher's modules keep importing it from their domain (intake's student catalogue uses the same code).
Imports numpy (through the shared module) and the standard library only.
"""

from __future__ import annotations

from stagepool_shared.travel import (
    DETOUR, EARTH_RADIUS_KM, MIN_PER_KM, OVERHEAD, OVERHEAD_MIN, SPEED_KMH, haversine_km, km_to_central_angle,
    max_km, minutes_from_km, mode_index, travel_minutes, travel_minutes_array,
)

__all__ = [
    "DETOUR", "EARTH_RADIUS_KM", "MIN_PER_KM", "OVERHEAD", "OVERHEAD_MIN", "SPEED_KMH", "haversine_km",
    "km_to_central_angle", "max_km", "minutes_from_km", "mode_index", "travel_minutes", "travel_minutes_array",
]
