"""Runs the whole platform as real processes: Kafka, Redis and the four services through their own CLI
(`python -m <service> run`, the same command the Dockerfile uses).

Used by `make demo` and by the end-to-end and fault tests, which kill and restart services by PID.
Imports the standard library, requests and stagepool_shared (never a service: services are processes).
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests
from cryptography.fernet import Fernet

from stagepool_shared.auth import TokenStore
from stagepool_shared.devstack import _proc
from stagepool_shared.devstack.kafka_server import KafkaServer
from stagepool_shared.devstack.redis_server import RedisServer
from stagepool_shared.kafka import ensure_topics
from stagepool_shared.redis import connect

SERVICES = ("intake", "matcher", "notifier", "reporting")


@dataclass
class ServiceProcess:
    """One service process and where it listens."""

    name: str
    port: int
    log_path: Path
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None


@dataclass
class Secrets:
    """Per-run secrets: nothing fixed is ever shipped."""

    pseudonym_secret: str = field(default_factory=lambda: secrets.token_hex(32))
    desk_key: str = field(default_factory=lambda: Fernet.generate_key().decode())
    webhook_secret: str = field(default_factory=lambda: secrets.token_hex(16))
    notifier_token: str = field(default_factory=lambda: "sp_" + secrets.token_urlsafe(24))
    matcher_token: str = field(default_factory=lambda: "sp_" + secrets.token_urlsafe(24))
    reporting_token: str = field(default_factory=lambda: "sp_" + secrets.token_urlsafe(24))


class Platform:
    """Kafka + Redis + the four services, with start/kill/restart per part."""

    def __init__(self, workdir: Path, *, smtp_port: int = 0, kafka: KafkaServer | None = None,
                 redis: RedisServer | None = None, extra_env: dict[str, str] | None = None,
                 ports: dict[str, int] | None = None):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.kafka = kafka or KafkaServer(self.workdir / "kafka")
        self.redis = redis or RedisServer(self.workdir / "redis")
        self._own_servers = kafka is None
        self.smtp_port = smtp_port
        self.extra_env = extra_env or {}
        self.secrets = Secrets()
        chosen = dict(ports or {})  # preferred ports (e.g. the demo's 8001-8004); free ones elsewhere
        spare = iter(_proc.free_ports(len(SERVICES)))
        self.services = {name: ServiceProcess(name, chosen.get(name) or next(spare), self.workdir / f"{name}.log")
                         for name in SERVICES}

    # ---- infrastructure
    def start_infra(self) -> None:
        if self._own_servers:
            self.kafka.start()
            self.redis.start()
        ensure_topics(self.kafka.bootstrap)
        TokenStore(connect(self.redis.url)).issue("svc-notifier", "service", "notifier",
                                                  token=self.secrets.notifier_token)
        TokenStore(connect(self.redis.url)).issue("svc-matcher", "service", "matcher",  # names on the review page
                                                  token=self.secrets.matcher_token)
        TokenStore(connect(self.redis.url)).issue("svc-reporting", "service", "reporting",  # schools by name
                                                  token=self.secrets.reporting_token)

    def env_for(self, name: str) -> dict[str, str]:
        """The environment of one service process."""
        service = self.services[name]
        env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": self.kafka.bootstrap, "REDIS_URL": self.redis.url,
               "HTTP_HOST": "127.0.0.1", "HTTP_PORT": str(service.port), "LOG_LEVEL": "INFO",
               "PYTHONUNBUFFERED": "1", "STAGEPOOL_ENV": "dev",  # local http: cookies without Secure
               "INTAKE_PSEUDONYM_SECRET": self.secrets.pseudonym_secret,
               "INTAKE_URL": self.services["intake"].url,
               "NOTIFIER_SERVICE_TOKEN": self.secrets.notifier_token,
               "MATCHER_SERVICE_TOKEN": self.secrets.matcher_token,
               "REPORTING_SERVICE_TOKEN": self.secrets.reporting_token,
               "NOTIFIER_WEBHOOK_SECRET": self.secrets.webhook_secret,
               "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(self.smtp_port),
               "REPORTING_DESK_KEY": self.secrets.desk_key}
        env.update({f"{other.upper()}_PUBLIC_URL": self.services[other].url for other in SERVICES})
        env.update(self.extra_env)
        return env

    # ---- services
    def start_service(self, name: str, wait: bool = True) -> ServiceProcess:
        service = self.services[name]
        log = open(service.log_path, "ab")
        service.process = subprocess.Popen(
            [sys.executable, "-m", name, "run"], env=self.env_for(name), stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True, cwd=self.workdir)
        if wait:
            self.wait_ready(name)
        return service

    def start_all(self) -> None:
        self.start_infra()
        for name in SERVICES:
            self.start_service(name, wait=False)
        for name in SERVICES:
            self.wait_ready(name)

    def wait_ready(self, name: str, timeout: float = 90.0) -> None:
        service = self.services[name]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if service.process and service.process.poll() is not None:
                raise RuntimeError(f"{name} exited with {service.process.returncode}:\n"
                                   + _proc.log_tail(service.log_path))
            if self.ready(name):
                return
            time.sleep(0.2)
        raise TimeoutError(f"{name} not ready after {timeout}s:\n" + _proc.log_tail(service.log_path))

    def ready(self, name: str) -> bool:
        try:
            return requests.get(self.services[name].url + "/readyz", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def health(self) -> dict[str, dict[str, object]]:
        """Each part: where it listens and whether it answers."""
        report: dict[str, dict[str, object]] = {
            "kafka": {"address": self.kafka.bootstrap, "ready": self.kafka.answers()},
            "redis": {"address": self.redis.url, "ready": self.redis.answers()},
        }
        for name, service in self.services.items():
            report[name] = {"address": service.url, "ready": self.ready(name), "pid": service.pid}
        return report

    def kill_service(self, name: str, sig: int = signal.SIGKILL) -> None:
        service = self.services[name]
        if service.process and service.process.poll() is None:
            os.killpg(service.process.pid, sig)
            service.process.wait(timeout=60)

    def restart_service(self, name: str) -> ServiceProcess:
        self.kill_service(name, signal.SIGTERM)
        return self.start_service(name)

    def stop(self) -> None:
        """SIGTERM every service at once (each takes about a second to finish), then Kafka and Redis if it owns them."""
        running = [s.process for s in self.services.values() if s.process and s.process.poll() is None]
        for process in running:
            os.killpg(process.pid, signal.SIGTERM)
        for process in running:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=60)
        if self._own_servers:
            self.kafka.stop()
            self.redis.stop()

    def __enter__(self) -> "Platform":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
