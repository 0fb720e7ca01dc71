"""The architecture, checked with `ast`: domain stays pure, kafka-python stays in one module, services
stay apart, and importing any module connects to nothing.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import socket
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("intake", "matcher", "notifier", "reporting")
SOURCE_ROOTS = {"stagepool_shared": ROOT / "shared/src/stagepool_shared",
                **{svc: ROOT / f"services/{svc}/src/{svc}" for svc in SERVICES}}
INFRASTRUCTURE = {"flask", "kafka", "redis", "marshmallow", "ortools", "werkzeug", "requests", "prometheus_client"}


def python_files():
    for package, folder in SOURCE_ROOTS.items():
        for path in sorted(folder.rglob("*.py")):
            yield package, path


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def is_domain(path: Path) -> bool:
    return "domain" in path.parts or path.name == "domain.py"


def test_the_tree_has_python_files_to_check():
    files = list(python_files())
    assert len(files) > 20
    assert {package for package, _ in files} >= {"stagepool_shared"}


@pytest.mark.parametrize("package, path", list(python_files()), ids=lambda v: str(v).split("/src/")[-1])
def test_module_respects_the_dependency_rules(package, path):
    roots = imported_roots(path)
    relative = path.relative_to(ROOT)
    if is_domain(path):
        assert not roots & INFRASTRUCTURE, f"domain module {relative} imports {roots & INFRASTRUCTURE}"
    if path != SOURCE_ROOTS["stagepool_shared"] / "kafka.py":
        assert "kafka" not in roots, f"{relative} imports kafka-python; only stagepool_shared/kafka.py may"
    others = set(SERVICES) - {package}
    assert not roots & others, f"{relative} ({package}) imports another service: {roots & others}"


def all_module_names():
    for package, folder in SOURCE_ROOTS.items():
        for info in pkgutil.walk_packages([str(folder)], prefix=package + "."):
            if not info.name.endswith(("__main__", ".plugin")):
                yield info.name


def test_importing_every_module_opens_no_connection(monkeypatch):
    opened: list[tuple] = []
    real_connect = socket.socket.connect

    def spy(self, address):
        opened.append(address)
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", spy)
    names = list(all_module_names())
    for name in names:
        importlib.import_module(name)
    assert len(names) > 20
    assert opened == [], f"importing modules connected to {opened}"
