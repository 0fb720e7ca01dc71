"""Where the dev stack finds the repository's files and keeps its own (under the git-ignored .stagepool/).

Imports only the standard library.
"""

from __future__ import annotations

import os
from pathlib import Path

POM_RELATIVE = Path("deploy/kafka/pom.xml")
LOG4J2_RELATIVE = Path("deploy/kafka/log4j2.properties")


def repo_root() -> Path:
    """The Stagepool checkout: $STAGEPOOL_ROOT, else the first parent of this file or of the cwd with the Kafka pom."""
    env = os.environ.get("STAGEPOOL_ROOT")
    if env:
        return Path(env).resolve()
    for start in (Path(__file__).resolve(), Path.cwd().resolve()):
        for candidate in (start, *start.parents):
            if (candidate / POM_RELATIVE).is_file():
                return candidate
    raise FileNotFoundError(
        f"cannot find the Stagepool checkout ({POM_RELATIVE} not found above {Path(__file__).parent} "
        "or the current directory); set STAGEPOOL_ROOT"
    )


def work_dir() -> Path:
    """The git-ignored folder for downloaded jars and running state."""
    return repo_root() / ".stagepool"


def kafka_libs_dir() -> Path:
    """Where the broker's jars are copied (.stagepool/kafka/libs)."""
    return work_dir() / "kafka" / "libs"


def pom_path() -> Path:
    """The Maven pom that names the broker's jars."""
    return repo_root() / POM_RELATIVE


def log4j2_path() -> Path:
    """The broker's log4j2 configuration."""
    return repo_root() / LOG4J2_RELATIVE


def resolve_in_repo(path: str | os.PathLike[str]) -> Path:
    """An absolute path as is; a relative one against the checkout (so the CLI works from any cwd)."""
    p = Path(path)
    return p if p.is_absolute() else repo_root() / p
