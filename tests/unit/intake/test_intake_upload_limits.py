"""Upload limits (issue 19.3): zip bombs and oversized sheets are refused quickly, with flat memory.

The memory tests upload the file in a fresh process (tests/unit/intake/upload_probe.py) and read the rise of
its peak RSS (VmHWM) over the request; they print what they measured.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from intake.adapters.tabular import write_xlsx
from intake.config import Settings

from tests.unit.intake.conftest import ENV
from tests.unit.intake.hostile_files import tall_csv, tall_sheet, zip_bomb
from tests.unit.intake.test_intake_imports import HEADERS, as_csv, upload, wish_row

ROOT = Path(__file__).resolve().parents[3]
MAX_GROWTH_MB = 50
MAX_SECONDS = 10


def probe(path: Path, *env: str) -> dict:
    """Upload `path` to the import API in a fresh process: status, body, seconds, peak RSS growth."""
    done = subprocess.run([sys.executable, "-m", "tests.unit.intake.upload_probe", str(path), *env], cwd=ROOT,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"{path.name}: {result['status']} in {result['seconds']} s, peak RSS +{result['growth_mb']} MB")
    return result


@pytest.mark.parametrize("shared", [False, True], ids=["inline-string", "shared-string"])
def test_a_zip_bomb_xlsx_is_refused_413_before_it_is_unpacked(tmp_path, shared):
    bomb = zip_bomb(tmp_path / "bom.xlsx", shared=shared)
    assert bomb.stat().st_size < 400_000
    result = probe(bomb)
    assert result["status"] == 413, result["body"]
    assert "uitgepakt" in json.loads(result["body"])["message"]
    assert result["growth_mb"] < MAX_GROWTH_MB and result["seconds"] < MAX_SECONDS
    assert result["published"] == 0 and result["stored"] == 0


def test_a_member_packed_more_tightly_than_any_spreadsheet_is_refused_413(tmp_path):
    bomb = zip_bomb(tmp_path / "dicht.xlsx", size=20_000_000)
    result = probe(bomb, "INTAKE_IMPORT_MAX_UNPACKED_BYTES=1000000000")
    assert result["status"] == 413, result["body"]
    assert "zipbom" in json.loads(result["body"])["message"]


@pytest.fixture(scope="module")
def million_rows(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("tall")
    return {"declared": tall_sheet(folder / "declared.xlsx"),
            "undeclared": tall_sheet(folder / "undeclared.xlsx", declared=False)}


@pytest.mark.parametrize("kind", ["declared", "undeclared"])
def test_a_million_row_sheet_is_refused_422_with_the_row_and_flat_memory(million_rows, kind):
    result = probe(million_rows[kind])
    assert result["status"] == 422, result["body"]
    body = json.loads(result["body"])
    assert body["errors"] == [{"row": 100_002, "column": "", "message": "Het bestand heeft meer dan 100000 rijen."}]
    assert result["growth_mb"] < MAX_GROWTH_MB and result["seconds"] < MAX_SECONDS
    assert result["published"] == 0


def test_a_million_row_csv_is_refused_422_with_flat_memory(tmp_path):
    path = tmp_path / "lang.csv"
    path.write_bytes(tall_csv())
    result = probe(path)
    assert result["status"] == 422, result["body"]
    assert json.loads(result["body"])["errors"][0]["row"] == 100_002
    assert result["growth_mb"] < MAX_GROWTH_MB and result["seconds"] < MAX_SECONDS


def test_a_csv_cell_over_the_limit_is_a_row_error(api):
    rows = [wish_row(1), wish_row(2, leerwens="x" * 4001)]
    response = upload(api, "wishes", as_csv(HEADERS, rows), query="?lang=en")
    assert response.status_code == 422
    assert response.get_json()["errors"] == [{"row": 3, "column": "leerwens",
                                              "message": "The cell is longer than 4000 characters."}]
    assert api.publisher.published == [] and api.store.students == {}


def test_a_csv_field_beyond_the_csv_modules_own_limit_is_a_row_error_too(api):
    rows = [wish_row(1, leerwens="x" * 200_000)]
    response = upload(api, "wishes", as_csv(HEADERS, rows))
    assert response.status_code == 422
    assert response.get_json()["errors"] == [{"row": 2, "column": "", "message": "De cel is langer dan 4000 tekens."}]


def test_a_csv_line_with_too_many_cells_is_a_row_error(api):
    response = upload(api, "wishes", as_csv(HEADERS, [wish_row(1) + [""] * 200]), query="?lang=en")
    assert response.status_code == 422
    assert response.get_json()["errors"] == [{"row": 2, "column": "", "message": "The row has more than 100 cells."}]


def test_an_xlsx_cell_over_the_limit_is_a_row_error(api):
    data = write_xlsx(HEADERS, [], rows=[wish_row(1, naam="n" * 5000)])
    response = upload(api, "wishes", data, filename="wensen.xlsx")
    assert response.status_code == 422
    assert response.get_json()["errors"] == [{"row": 2, "column": "naam",
                                              "message": "De cel is langer dan 4000 tekens."}]


@pytest.mark.parametrize("shared", [False, True], ids=["inline-string", "shared-string"])
def test_an_xlsx_cell_far_over_the_limit_is_refused_before_openpyxl_reads_it(api, tmp_path, shared):
    data = zip_bomb(tmp_path / "lang.xlsx", size=100_000, shared=shared).read_bytes()
    response = upload(api, "wishes", data, filename="wensen.xlsx")
    assert response.status_code == 422
    assert response.get_json()["message"] == "Een cel van het bestand is langer dan 4000 tekens."
    assert api.publisher.published == []


def test_an_xlsx_whose_declared_size_is_too_wide_is_refused_before_its_rows_are_read(api):
    data = write_xlsx(HEADERS, [], rows=[wish_row(1) + [""] * 150 + ["x"]])
    response = upload(api, "wishes", data, filename="wensen.xlsx", query="?lang=en")
    assert response.status_code == 422
    assert response.get_json()["message"] == ("The sheet is wider than 100 columns; delete the empty columns "
                                              "after the last one.")
    assert api.publisher.published == []


def test_the_limits_are_settings():
    settings = Settings.from_env({**ENV, "INTAKE_IMPORT_MAX_COLUMNS": "30", "INTAKE_IMPORT_MAX_CELL_CHARS": "500",
                                  "INTAKE_IMPORT_MAX_UNPACKED_BYTES": "1000000", "INTAKE_IMPORT_MAX_ROWS": "7"})
    limits = settings.import_limits
    assert (limits.max_rows, limits.max_columns, limits.max_cell_chars, limits.max_unpacked_bytes) == (
        7, 30, 500, 1_000_000)
    assert Settings.from_env(ENV).import_limits.max_unpacked_bytes == 256 * 1024 * 1024


def test_an_upload_over_the_import_byte_limit_is_413_before_it_is_read(tmp_path):
    path = tmp_path / "groot.csv"
    path.write_bytes(tall_csv(rows=50_000))
    result = probe(path, "INTAKE_IMPORT_MAX_BYTES=100000")
    assert result["status"] == 413, result["body"]
    assert result["published"] == 0 and result["growth_mb"] < MAX_GROWTH_MB
