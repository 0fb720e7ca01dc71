"""The Maven step: copy Apache Kafka's runtime jars (plus a log4j2 binding) from Maven Central.

Runs `mvn dependency:copy-dependencies` on deploy/kafka/pom.xml (handbook infra.md 3.2) with the default
local repository ~/.m2, into the git-ignored .stagepool/kafka/libs, and stamps the folder with the pom's
sha256. When the stamp matches and the jars are there, Maven is not run at all. Concurrent fetches (two
test sessions) serialise on a file lock and publish the folder with one rename.
Imports only the standard library.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from . import paths
from .errors import KafkaStartError

logger = logging.getLogger(__name__)

STAMP_NAME = ".pom-sha256"


@dataclass(frozen=True)
class FetchResult:
    """What a fetch left in the libs folder, and whether Maven had to run."""

    libs_dir: Path
    jars: int
    size_bytes: int
    seconds: float
    cached: bool

    def describe(self) -> str:
        """One line for `stagepool dev fetch`."""
        how = "already present, Maven not run" if self.cached else "fetched with Maven"
        return (
            f"kafka jars: {self.jars} jars, {self.size_bytes / 1e6:.1f} MB in {self.libs_dir} "
            f"({how}, {self.seconds:.1f} s)"
        )


def _pom_hash(pom: Path) -> str:
    return hashlib.sha256(pom.read_bytes()).hexdigest()


def _jars(libs: Path) -> list[Path]:
    return sorted(libs.glob("*.jar")) if libs.is_dir() else []


def _is_current(libs: Path, want: str) -> bool:
    stamp = libs / STAMP_NAME
    has_broker = any(p.name.startswith("kafka_2.13-") for p in _jars(libs))
    return has_broker and stamp.is_file() and stamp.read_text().strip() == want


@contextlib.contextmanager
def _locked(lock_path: Path) -> Iterator[None]:
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _result(libs: Path, started: float, cached: bool) -> FetchResult:
    jars = _jars(libs)
    size = sum(p.stat().st_size for p in jars)
    return FetchResult(libs, len(jars), size, time.monotonic() - started, cached)


def fetch_kafka_jars(force: bool = False) -> FetchResult:
    """Copy the broker's runtime jars into .stagepool/kafka/libs; no Maven call when the stamp matches the pom."""
    started = time.monotonic()
    pom, libs = paths.pom_path(), paths.kafka_libs_dir()
    want = _pom_hash(pom)
    if not force and _is_current(libs, want):
        return _result(libs, started, cached=True)
    with _locked(libs.parent / "fetch.lock"):
        if not force and _is_current(libs, want):  # another process fetched while we waited
            return _result(libs, started, cached=True)
        _run_maven(pom, libs, want)
    return _result(libs, started, cached=False)


def _run_maven(pom: Path, libs: Path, want: str) -> None:
    mvn = shutil.which("mvn")
    if mvn is None:
        raise KafkaStartError("Maven (`mvn`) is not on PATH; it is needed once to fetch the Kafka jars")
    tmp = libs.parent / f"libs.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    cmd = [mvn, "-B", "-q", "-f", str(pom), "dependency:copy-dependencies", f"-Dkafka.libs.dir={tmp}"]
    logger.info("fetching Kafka jars: %s", " ".join(cmd))
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
    if done.returncode != 0 or not _jars(tmp):
        shutil.rmtree(tmp, ignore_errors=True)
        out = (done.stdout + done.stderr).strip().splitlines()[-40:]
        raise KafkaStartError(f"`{' '.join(cmd)}` failed (exit {done.returncode}):\n" + "\n".join(out))
    (tmp / STAMP_NAME).write_text(want + "\n")
    shutil.rmtree(libs, ignore_errors=True)
    tmp.rename(libs)
