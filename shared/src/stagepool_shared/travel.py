"""Travel time between two coarse locations: a deterministic domain function, no routing service.

    minutes = ceil( haversine_km(home, place) * DETOUR[mode] / SPEED_KMH[mode] * 60 + OVERHEAD_MIN[mode] )

The haversine distance uses the mean Earth radius 6371.0 km. The detour factor turns the straight line
into a road/track distance; public transport adds a fixed 10 minutes for walking to the stop and
waiting, the car 3 minutes for parking. One vectorised implementation serves both the scalar and the
array callers, so every part of the matcher and intake's student catalogue (issue 15.2) compute
bit-identical minutes: it lives here, in the shared package, and `matcher.domain.travel` re-exports it.
Imports numpy, the standard library and the plain-Python event contract only.
"""

from __future__ import annotations

import math

import numpy as np

from .events.contract import TRANSPORT_MODES, Location

EARTH_RADIUS_KM = 6371.0
SPEED_KMH = {"walk": 5.0, "bike": 15.0, "public_transport": 25.0, "car": 50.0}
DETOUR = {"walk": 1.3, "bike": 1.3, "public_transport": 1.4, "car": 1.3}
OVERHEAD_MIN = {"walk": 0.0, "bike": 0.0, "public_transport": 10.0, "car": 3.0}

# Per mode index (the order of TRANSPORT_MODES): minutes per km and fixed overhead.
MIN_PER_KM = np.array([DETOUR[m] / SPEED_KMH[m] * 60.0 for m in TRANSPORT_MODES])
OVERHEAD = np.array([OVERHEAD_MIN[m] for m in TRANSPORT_MODES])
_EPS = 1e-9  # keeps ceil() stable when a product lands a hair above an integer


def mode_index(mode: str) -> int:
    """Index of a transport mode in TRANSPORT_MODES."""
    return TRANSPORT_MODES.index(mode)


def haversine_km(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    """Great-circle distance in km; arguments broadcast like numpy arrays."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dlam = np.radians(lon2) - np.radians(lon1)
    h = np.sin(dphi / 2.0) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlam / 2.0) ** 2
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def minutes_from_km(km: np.ndarray, mode_idx: np.ndarray) -> np.ndarray:
    """Travel minutes (int64) for distances `km` and transport modes `mode_idx` (broadcasting)."""
    raw = km * MIN_PER_KM[mode_idx] + OVERHEAD[mode_idx]
    return np.ceil(raw - _EPS).astype(np.int64)


def travel_minutes_array(
    lat1: np.ndarray, lon1: np.ndarray, mode_idx: np.ndarray, lat2: np.ndarray, lon2: np.ndarray
) -> np.ndarray:
    """Vectorised travel minutes from homes (lat1, lon1, mode) to places (lat2, lon2)."""
    return minutes_from_km(haversine_km(lat1, lon1, lat2, lon2), mode_idx)


def travel_minutes(home: Location, place: Location, mode: str) -> int:
    """Travel minutes for one student and one place (same arithmetic as the array version)."""
    out = travel_minutes_array(
        np.array([home.lat]), np.array([home.lon]), np.array([mode_index(mode)]),
        np.array([place.lat]), np.array([place.lon]),
    )
    return int(out[0])


def max_km(max_minutes: np.ndarray, mode_idx: np.ndarray) -> np.ndarray:
    """Largest distance (km) that still fits in `max_minutes` for each mode (negative if none does)."""
    return (max_minutes - OVERHEAD[mode_idx]) / MIN_PER_KM[mode_idx]


def km_to_central_angle(km: np.ndarray) -> np.ndarray:
    """Central angle (radians) of a great-circle distance, clipped to [0, pi]."""
    return np.clip(np.asarray(km, dtype=float) / EARTH_RADIUS_KM, 0.0, math.pi)
