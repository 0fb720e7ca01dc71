"""The platform of one national run (issue 18.6): Kafka and Redis of its own, the four services through the
demo's runner (demo.platform), N instances of the matcher and the notifier, and a mail sink.

Kafka is a fresh single broker whose topics are created with 12 partitions before any service starts (the
partition count of the 3-node cluster, keyed by region: 28 regions spread over 12 partitions, so up to 12
instances of a group get work). Instance 1 of every service is the Platform's own process; instances 2..N of
the matcher and the notifier are the same command (`python -m <service> run`) with the same environment on
another HTTP port, in the same consumer group. Mail goes to bench.notifier's SmtpSink: aiosmtpd in a child
process that counts and timestamps what it accepts (the demo's server, counting instead of keeping).
Peak memory is each process's VmHWM and CPU time its utime + stime, read from /proc while it runs.
Imports the standard library, demo.platform, bench.notifier and stagepool_shared (never a service).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from types import TracebackType

from bench.notifier import SmtpSink
from demo.platform import Platform, ServiceProcess
from stagepool_shared.devstack import _proc
from stagepool_shared.devstack.kafka_server import KafkaServer
from stagepool_shared.devstack.redis_server import RedisServer
from stagepool_shared.kafka import ensure_topics

PARTITIONS = 12
SCALED = ("matcher", "notifier")


def peak_mb_of(pid: int | None) -> float | None:
    """VmHWM (the peak resident set) of a running process in MiB; None when it is gone or unknown."""
    if not pid:
        return None
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def cpu_s_of(pid: int | None) -> float | None:
    """CPU seconds (user + system) a running process has used so far; None when it is gone or unknown."""
    if not pid:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime (fields 14, 15)


class NationalStack:
    """Servers, services and sink for one instance count; a context manager that stops all it started."""

    def __init__(self, workdir: Path, instances: int):
        self.workdir, self.instances = Path(workdir), instances
        self.redis = RedisServer(self.workdir / "redis", die_with_parent=True)
        self.kafka = KafkaServer(self.workdir / "kafka", die_with_parent=True)
        self.sink = SmtpSink()
        self.platform: Platform | None = None
        self.extra: list[ServiceProcess] = []

    def __enter__(self) -> "NationalStack":
        try:
            self.redis.start()
            self.kafka.start()
            ensure_topics(self.kafka.bootstrap, partitions=PARTITIONS)
            self.sink.start()
            self.platform = Platform(self.workdir, smtp_port=self.sink.port, kafka=self.kafka, redis=self.redis)
            self.platform.start_all()
            self.extra = [self._start_extra(name, n) for name in SCALED for n in range(2, self.instances + 1)]
            for service in self.extra:
                self.platform.wait_ready(service.name, timeout=120.0)
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    def _start_extra(self, name: str, number: int) -> ServiceProcess:
        """Instance `number` of a service: its command and environment on another port, registered with the
        Platform under "<service>-<number>" so that its readiness and kill work as for the first instance."""
        assert self.platform is not None
        service = ServiceProcess(f"{name}-{number}", _proc.free_ports(1)[0], self.workdir / f"{name}-{number}.log")
        env = {**self.platform.env_for(name), "HTTP_PORT": str(service.port)}
        with open(service.log_path, "ab") as log:
            service.process = subprocess.Popen([sys.executable, "-m", name, "run"], env=env, stdout=log,
                                               stderr=subprocess.STDOUT, start_new_session=True, cwd=self.workdir)
        self.platform.services[service.name] = service
        return service

    def pids(self) -> dict[str, int | None]:
        """Every process of the run by name: intake, matcher-1..N, notifier-1..N, reporting, kafka, redis."""
        assert self.platform is not None
        named = {(f"{n}-1" if n in SCALED else n): s.pid for n, s in self.platform.services.items()}
        named.update({"kafka": self.kafka.pid, "redis": self.redis.pid})
        return dict(sorted(named.items()))

    def cpu_s(self) -> dict[str, float | None]:
        """CPU seconds used so far by every process of the run (the difference of two readings is a phase's)."""
        return {name: cpu_s_of(pid) for name, pid in self.pids().items()}

    def peak_mb(self) -> dict[str, float | None]:
        """Peak memory (VmHWM, MiB) of every process of the run, read while they run."""
        return {name: peak_mb_of(pid) for name, pid in self.pids().items()}

    def close(self) -> None:
        if self.platform is not None:
            for service in self.extra:
                try:
                    self.platform.kill_service(service.name, signal.SIGTERM)
                except subprocess.TimeoutExpired:
                    self.platform.kill_service(service.name, signal.SIGKILL)
            self.platform.stop()
        self.sink.stop()
        self.kafka.stop()
        self.redis.stop()
