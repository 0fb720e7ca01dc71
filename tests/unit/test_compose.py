"""docker-compose.yml is valid against the compose-spec schema and its references hold together.

No Docker engine is needed: check-jsonschema validates the schema (vendored compose-spec), and the
cross-references it cannot see (depends_on, networks, volumes, build files, mounted folders) are checked here.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
SERVICES = ("intake", "matcher", "notifier", "reporting")
SERVICE_DOCKERFILE = ROOT / "services/Dockerfile"  # one image recipe, the service chosen by build args


def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def test_compose_file_matches_the_compose_spec_schema():
    checker = Path(sys.executable).parent / "check-jsonschema"
    result = subprocess.run([str(checker), "--builtin-schema", "vendor.compose-spec", str(COMPOSE)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_depends_on_names_a_defined_service():
    services = compose()["services"]
    for name, service in services.items():
        depends = service.get("depends_on", [])
        targets = depends if isinstance(depends, list) else list(depends)
        for target in targets:
            assert target in services, f"{name} depends on undefined service {target}"


def test_every_network_and_named_volume_is_declared():
    data = compose()
    for name, service in data["services"].items():
        for network in service.get("networks", []):
            assert network in data.get("networks", {}), f"{name} uses undeclared network {network}"
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith((".", "/")):
                assert (ROOT / source).exists(), f"{name} mounts missing path {source}"
            else:
                assert source in data.get("volumes", {}), f"{name} uses undeclared volume {source}"


def test_the_four_services_are_built_from_the_one_service_dockerfile_and_run_their_entrypoint():
    data = compose()
    for svc in SERVICES:
        build = data["services"][svc]["build"]
        dockerfile = ROOT / build["context"] / build["dockerfile"]
        assert dockerfile == SERVICE_DOCKERFILE and dockerfile.exists()
        assert build["args"]["SERVICE"] == svc, f"{svc} is built as {build['args']['SERVICE']}"
        assert build["args"]["PORT"] == data["services"][svc]["environment"]["HTTP_PORT"]
        text = dockerfile.read_text()
        # the image runs `python -m <the SERVICE build arg> serve`: gunicorn, not Werkzeug (issue 19.5)
        assert re.search(r"^ENV .*\bSTAGEPOOL_SERVICE=\$\{SERVICE\}", text, re.MULTILINE)
        assert 'CMD ["/bin/sh", "-c", "exec python -m \\"$STAGEPOOL_SERVICE\\" serve"]' in text
        assert '"serve"' in (ROOT / f"services/{svc}/src/{svc}/__main__.py").read_text(), f"{svc} has no serve"
        assert "USER stagepool" in text, f"{svc} image must not run as root"
        assert (ROOT / f"services/{svc}/src/{svc}/__main__.py").exists(), f"{svc} has no entrypoint"


def test_ports_are_published_on_loopback_only():
    for name, service in compose()["services"].items():
        for port in service.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), f"{name} publishes {port} beyond loopback"


def test_redis_keeps_an_append_only_file_with_fsync_always():
    command = compose()["services"]["redis"]["command"]
    assert command[command.index("--appendonly") + 1] == "yes"
    assert command[command.index("--appendfsync") + 1] == "always"


def test_no_secret_falls_back_to_a_default_value():
    """Issue 19.6: a secret missing from the environment stops `docker compose up` with a message; it never
    silently becomes a value everybody knows (`${X:-change-me-in-production}`)."""
    secret = re.compile(r"(SECRET|TOKEN|KEY|PASSWORD)")
    for name, service in compose()["services"].items():
        for variable, value in (service.get("environment") or {}).items():
            if secret.search(variable) and isinstance(value, str) and "${" in value:
                assert ":?" in value and ":-" not in value, (name, variable, value)
