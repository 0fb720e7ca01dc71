"""The architecture, checked with `ast`: domain stays pure, kafka-python stays in one package, services
stay apart, and importing any module connects to nothing.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import socket
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("intake", "matcher", "notifier", "reporting")
SOURCE_ROOTS = {"stagepool_shared": ROOT / "shared/src/stagepool_shared",
                **{svc: ROOT / f"services/{svc}/src/{svc}" for svc in SERVICES}}
INFRASTRUCTURE = {"flask", "kafka", "redis", "marshmallow", "ortools", "pylmcf", "werkzeug", "requests", "prometheus_client"}


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
    if SOURCE_ROOTS["stagepool_shared"] / "kafka" not in path.parents:
        assert "kafka" not in roots, f"{relative} imports kafka-python; only the stagepool_shared.kafka package may"
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


# One shape for every service (docs/conventions.md): the same roles under the same names in the same places.

ROLE_MODULES = ("config", "bootstrap", "ports", "handlers", "commands", "errors", "metrics",
                "entrypoints.http", "entrypoints.consumer")
WIRING_METHODS = ("app", "consumer", "workers", "ready", "close")
BASE_ERRORS = {"intake": "IntakeError", "matcher": "MatcherError", "notifier": "NotifierError",
               "reporting": "ReportingError"}


@pytest.mark.parametrize("service", SERVICES)
def test_every_service_has_the_same_role_modules(service):
    for role in ROLE_MODULES:
        importlib.import_module(f"{service}.{role}")


@pytest.mark.parametrize("service", SERVICES)
def test_every_service_is_wired_the_same_way(service):
    bootstrap = importlib.import_module(f"{service}.bootstrap")
    assert callable(bootstrap.bootstrap)
    for method in WIRING_METHODS:
        assert callable(getattr(bootstrap.Wiring, method, None)), f"{service}: Wiring.{method} is missing"
    assert "deps" in bootstrap.Wiring.__dataclass_fields__, f"{service}: Wiring holds no deps"
    ports = importlib.import_module(f"{service}.ports")
    assert "Deps" in vars(ports) and hasattr(ports.Deps, "__dataclass_fields__"), f"{service}: no Deps dataclass"
    consumer = importlib.import_module(f"{service}.entrypoints.consumer")
    assert callable(getattr(consumer, "make_consumer", None)), f"{service}: no entrypoints.consumer.make_consumer"
    http = importlib.import_module(f"{service}.entrypoints.http")
    assert callable(getattr(http, "create_app", None)), f"{service}: no entrypoints.http.create_app"


@pytest.mark.parametrize("service", SERVICES)
def test_every_event_registry_is_a_dict_of_functions(service):
    handlers = importlib.import_module(f"{service}.handlers")
    assert isinstance(handlers.HANDLERS, dict) and handlers.HANDLERS
    for event_type, handler in handlers.HANDLERS.items():
        assert isinstance(event_type, str) and "." in event_type
        assert callable(handler) and not isinstance(handler, str), f"{service}: {event_type} -> {handler!r}"
    assert callable(handlers.handle)


def class_definitions(path: Path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            bases = {ast.unparse(base).split(".")[-1] for base in node.bases}
            yield node.name, bases


@pytest.mark.parametrize("package, path", [(p, f) for p, f in python_files() if p in SERVICES],
                         ids=lambda v: str(v).split("/src/")[-1])
def test_ports_are_declared_only_in_ports_py_and_nobody_declares_a_publisher(package, path):
    for name, bases in class_definitions(path):
        assert name != "Publisher", f"{path.name}: a service-local Publisher; use stagepool_shared.ports.Publisher"
        is_port = name.startswith("Abstract") or bases & {"Protocol", "ABC"}
        assert not is_port or path.name == "ports.py", f"{package}/{path.name}: port {name} outside ports.py"


@pytest.mark.parametrize("service", SERVICES)
def test_every_error_of_a_service_derives_from_its_one_base(service):
    base = getattr(importlib.import_module(f"{service}.errors"), BASE_ERRORS[service])
    folder = SOURCE_ROOTS[service]
    for info in pkgutil.walk_packages([str(folder)], prefix=service + "."):
        if info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, BaseException) and value.__module__ == info.name:
                assert issubclass(value, base), f"{info.name}.{value.__name__} is not a {base.__name__}"


def test_every_test_module_has_a_name_of_its_own():
    """pytest imports the test folders without packages by basename (rootdir-relative): two test modules of
    one name in two folders stop the whole run at collection ("import file mismatch")."""
    names = Counter(path.name for path in (ROOT / "tests").rglob("test_*.py"))
    assert not [name for name, count in names.items() if count > 1]
