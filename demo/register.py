"""Sample recognition-register data for the demo region (issue 16.2), in the layout of SBB's register of
recognised training companies and its table of equivalent (old <-> new) crebos, as intake imports them
(docs/intake.md, "Recognition register").

Every organisation of the region is recognised for the crebos of its places, some under the old code of the
2016 qualification file (so the equivalent-code table is needed), and a few are missing one crebo, so a
place of theirs is refused or flagged. Fictitious companies, seeded. `python -m demo.register DIR` writes
register.csv and equivalents.csv. Imports the standard library and demo.region only.
"""

from __future__ import annotations

import csv
import io
import random
import sys
from pathlib import Path

from .region import DemoRegion, generate

REGISTER_HEADERS = ("leerbedrijf_id", "handelsnaam", "kvk_nummer", "postcode", "plaats", "crebo", "kwalificatie",
                    "niveau", "erkend_sinds")
EQUIVALENT_HEADERS = ("crebo_oud", "kwalificatie_oud", "crebo_nieuw", "kwalificatie_nieuw")
#: SBB's old (2016) code -> the current code, for the demo's care programmes.
OLD_CODES = {"25480": ("25407", "Verzorgende-IG"), "25491": ("25408", "Verpleegkundige")}


def register_rows(region: DemoRegion, seed: int = 16, missing_share: float = 0.05) -> list[list[str]]:
    """One row per (organisation, crebo) it is recognised for; old codes for some, a crebo missing for a few."""
    rng = random.Random(seed)
    rows: list[list[str]] = []
    for number, org in enumerate(region.organisations):
        crebos = sorted({c for place in org.places for c in place.crebos})
        if len(crebos) > 1 and rng.random() < missing_share:
            crebos = crebos[1:]
        place = org.places[0]
        for crebo in crebos:
            code, name = OLD_CODES[crebo] if crebo in OLD_CODES and rng.random() < 0.3 else (crebo, "")
            rows.append([org.organisation_id, org.name, f"{40000000 + number:08d}", f"{place.area.pc4} AA",
                         place.area.place, code, name, str(max(place.levels)), "2018-09-01"])
    return rows


def equivalent_rows() -> list[list[str]]:
    """The old <-> new pairs of the demo's programmes."""
    return [[old, f"{name} (2016)", new, name] for new, (old, name) in sorted(OLD_CODES.items())]


def as_csv(headers: tuple[str, ...], rows: list[list[str]]) -> bytes:
    """A semicolon CSV with a BOM, as intake reads it."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def write_sample(directory: Path, region: DemoRegion | None = None) -> tuple[Path, Path]:
    """Write register.csv and equivalents.csv of the demo region into `directory`."""
    region = region or generate()
    directory.mkdir(parents=True, exist_ok=True)
    register, equivalents = directory / "register.csv", directory / "equivalents.csv"
    register.write_bytes(as_csv(REGISTER_HEADERS, register_rows(region)))
    equivalents.write_bytes(as_csv(EQUIVALENT_HEADERS, equivalent_rows()))
    return register, equivalents


if __name__ == "__main__":
    for written in write_sample(Path(sys.argv[1] if len(sys.argv) > 1 else ".")):
        print(written)
