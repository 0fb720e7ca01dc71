"""The national simulation's regions (issue 18.6): 28 regions of unequal size, generated as demo regions.

Sizes (docs/scaling.md 1): the Netherlands has about 500,000 mbo students, two thirds in bol, and about
250,000 placements a year over 25-30 regions whose sizes are very unequal, the largest 30,000 or more
(../shared/handbook/scale.md 1). The bench takes 28 regions and the rank-size rule that describes city and
region sizes: region k (1..28) gets a share proportional to k^-0.6. At 250,000 students that gives 32,918 for
the largest, 4,458 for the smallest (7.4 times smaller) and a median of about 6,600; the exponent was chosen
as the smallest round value that puts the largest region over 30,000. A scale is a total number of students;
the shares stay the same (the quick scale is a hundredth: 329 down to 45).

Each region is a demo region (demo.region.generate: four schools of very unequal size, organisations with
scarce care places, support needs) with its own ids: region `R01`..`R28`, period `r01-2026-najaar`, schools and
organisations prefixed `r01-`. Every region lies on intake's postcode table (Groningen and Drenthe), the only
geography intake can place; only ids and sizes differ between regions. Organisations: one per 7 students, the
demo region's density (each with one or two places; a full-scale run uploads about 35,700 place files).
Imports the standard library and demo.region only.
"""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from typing import Sequence

from demo import region as demo_region

REGIONS = 28
FULL_STUDENTS = 250_000
QUICK_STUDENTS = FULL_STUDENTS // 100
RANK_EXPONENT = 0.6
STUDENTS_PER_ORGANISATION = 7


def scale_students(value: str) -> int:
    """Students of a BENCH_NATIONAL_SCALE value: "quick" (or empty) 2,500, "full" 250,000, or a count."""
    named = {"": QUICK_STUDENTS, "quick": QUICK_STUDENTS, "full": FULL_STUDENTS}
    if value.strip().lower() in named:
        return named[value.strip().lower()]
    if value.strip().isdigit() and int(value) >= REGIONS * 10:
        return int(value)
    raise ValueError(f"BENCH_NATIONAL_SCALE must be quick, full or a number of students >= {REGIONS * 10}, "
                     f"not {value!r}")


def region_sizes(total: int, regions: int = REGIONS, exponent: float = RANK_EXPONENT) -> list[int]:
    """Students per region, largest first: shares k^-exponent, rounded so that they add up to `total`
    (largest remainders get the spare students)."""
    weights = [k ** -exponent for k in range(1, regions + 1)]
    exact = [total * w / sum(weights) for w in weights]
    sizes = [int(x) for x in exact]
    for i in sorted(range(regions), key=lambda i: exact[i] - sizes[i], reverse=True)[:total - sum(sizes)]:
        sizes[i] += 1
    return sizes


def national_regions(total: int, seed: int = 2026) -> list[demo_region.DemoRegion]:
    """The 28 regions of a national run of about `total` students (each region seeded with seed + k)."""
    return [_region(k, size, seed + k) for k, size in enumerate(region_sizes(total), start=1)]


def _region(k: int, students: int, seed: int) -> demo_region.DemoRegion:
    area = demo_region.generate(students, max(3, round(students / STUDENTS_PER_ORGANISATION)), seed)
    region_id = f"R{k:02d}"
    prefix = region_id.lower()
    schools = [demo_region.School(f"{prefix}-{s.school_id}", f"{s.name} ({region_id})", s.contact_email,
                                  [replace(st, school_id=f"{prefix}-{s.school_id}") for st in s.students])
               for s in area.schools]
    organisations = [demo_region.Organisation(f"{prefix}-{o.organisation_id}", o.name,
                                              [replace(p, organisation_id=f"{prefix}-{o.organisation_id}")
                                               for p in o.places])
                     for o in area.organisations]
    return demo_region.DemoRegion(region_id, f"{prefix}-{area.period_id}", schools, organisations)


def csv_file(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> bytes:
    """An import file in intake's CSV format (semicolons: addresses hold commas)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def wishes_file(region: demo_region.DemoRegion, school: demo_region.School) -> bytes:
    """A school's wishes import (no named places: choosing them needs every place read back)."""
    return csv_file(demo_region.WISH_HEADERS, demo_region.wish_rows(school.students, region.period_id))


def places_file(region: demo_region.DemoRegion, organisation: demo_region.Organisation) -> bytes:
    """An organisation's places import."""
    return csv_file(demo_region.PLACE_HEADERS, demo_region.place_rows(organisation.places, region.period_id))
