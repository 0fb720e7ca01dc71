"""The recognition register (issue 16.2): the coordinator imports SBB's register of recognised training
companies and SBB's old<->new equivalent-code table for the region, and chooses what happens to a place
naming a crebo its organisation is not recognised for: refused (a field error) or flagged (posted, and
listed for the coordinator).

The register is intake's own reference data: importing it publishes nothing. A file with bad rows gets every
row's problem in one pass and changes nothing. Imports the domain and the ports.
"""

from __future__ import annotations

from typing import Any, Sequence

from ..domain.recognition import FLAG, MODES, REFUSE, Register
from ..errors import InvalidInput
from ..ports import Deps
from .common import RowProblem
from .forecasts import planning_store

SAME_CODE = "The old and the new code are the same."
NOT_RECOGNISED = "The organisation is not recognised by SBB for crebo {crebos} (nor for an equivalent code)."


def check_register_rows(rows: Sequence[tuple[int, dict[str, Any]]]) -> tuple[dict[str, list[str]], list[RowProblem]]:
    """organisation id -> recognised crebos of a register file's loaded rows (the schema checked each)."""
    recognitions: dict[str, list[str]] = {}
    for _, data in rows:
        crebos = recognitions.setdefault(data["organisation_id"], [])
        if data["crebo"] not in crebos:
            crebos.append(data["crebo"])
    return recognitions, []


def check_equivalent_rows(rows: Sequence[tuple[int, dict[str, Any]]]) -> tuple[list[tuple[str, str]], list[RowProblem]]:
    """The (old, new) pairs of an equivalent-code file; a row naming one code twice is a problem."""
    pairs: list[tuple[str, str]] = []
    problems: list[RowProblem] = []
    for row, data in rows:
        if data["old_crebo"] == data["new_crebo"]:
            problems.append((row, "new_crebo", SAME_CODE))
        elif (data["old_crebo"], data["new_crebo"]) not in pairs:
            pairs.append((data["old_crebo"], data["new_crebo"]))
    return pairs, problems


def replace_recognitions(deps: Deps, region_id: str, recognitions: dict[str, list[str]]) -> Register:
    """Replace the region's recognitions (the equivalent codes stay)."""
    store = planning_store(deps)
    register = Register(recognitions, store.register(region_id).equivalents)
    store.put_register(region_id, register)
    return register


def replace_equivalents(deps: Deps, region_id: str, pairs: list[tuple[str, str]]) -> Register:
    """Replace the region's equivalent-code table (the recognitions stay)."""
    store = planning_store(deps)
    register = Register(store.register(region_id).recognitions, pairs)
    store.put_register(region_id, register)
    return register


def register_of_region(deps: Deps, region_id: str) -> Register:
    return planning_store(deps).register(region_id)


def recognition_mode(deps: Deps, region_id: str) -> str:
    return planning_store(deps).recognition_mode(region_id)


def set_recognition_mode(deps: Deps, region_id: str, mode: str) -> None:
    """refuse or flag: what happens to a place naming a crebo its organisation is not recognised for."""
    if mode not in MODES:
        raise InvalidInput({"mode": [f"Choose {REFUSE} or {FLAG}."]})
    planning_store(deps).put_recognition_mode(region_id, mode)


def unrecognised_crebos(deps: Deps, organisation_id: str, region_id: str, crebos: Sequence[str]) -> list[str]:
    """The crebos of a place the organisation is not recognised for ([] while the region has no register)."""
    register = planning_store(deps).register(region_id)
    return [] if register.empty else register.unrecognised(organisation_id, crebos)


def check_place_recognition(deps: Deps, organisation_id: str, region_id: str, crebos: Sequence[str],
                            place_id: str, period_id: str) -> list:
    """Refuse a place naming an unrecognised crebo (region mode refuse), or return the store step that flags
    it (mode flag; a recognised place clears an earlier flag)."""
    missing = unrecognised_crebos(deps, organisation_id, region_id, crebos)
    if missing and recognition_mode(deps, region_id) == REFUSE:
        raise InvalidInput({"crebos": [NOT_RECOGNISED.format(crebos=", ".join(missing))]})
    flag = {"organisation_id": organisation_id, "period_id": period_id, "crebos": missing}
    return [lambda d: planning_store(d).put_flags(region_id, {place_id: flag})]


def flagged_places(deps: Deps, region_id: str) -> dict[str, dict[str, Any]]:
    """place id -> (organisation, period, unrecognised crebos) of the region's flagged places."""
    return {k: v for k, v in planning_store(deps).flags(region_id).items() if v["crebos"]}
