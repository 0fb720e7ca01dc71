"""The process lifecycle shared by the Kafka and Redis launchers (`ServerProcess`), and small process and
socket helpers.

Processes are always addressed by PID (each server is the leader of its own process group),
never by name. Imports only the standard library.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import ClassVar, Self

HOST = "127.0.0.1"
#: How long a controlled stop waits for the server to exit before it is killed.
STOP_GRACE_S = 30.0


def free_ports(count: int) -> list[int]:
    """`count` distinct free TCP ports on 127.0.0.1 (bound together so they differ; small race after close)."""
    socks = []
    try:
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind((HOST, 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def port_is_free(port: int) -> bool:
    """True when 127.0.0.1:`port` can be bound (SO_REUSEADDR, so TIME_WAIT leftovers do not count)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((HOST, port))
        except OSError:
            return False
    return True


def tcp_connects(port: int, host: str = HOST, timeout: float = 0.5) -> bool:
    """True when something accepts a TCP connection on host:port."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def log_tail(path: Path, lines: int = 40) -> str:
    """The last `lines` lines of a log file, for error messages."""
    try:
        text = path.read_text(errors="replace")
    except FileNotFoundError:
        return f"(no log at {path})"
    return "\n".join(text.splitlines()[-lines:])


def pid_alive(pid: int | None) -> bool:
    """True when `pid` runs (a zombie child of ours counts as dead, and is reaped)."""
    if not pid:
        return False
    with contextlib.suppress(ChildProcessError):
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return True
    return state != "Z"


def cmdline(pid: int) -> str:
    """The command line of `pid` ("" when it is gone), to check a recorded PID is still our server."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def signal_group(pid: int, sig: int) -> None:
    """Send `sig` to the process group led by `pid` (our servers run in their own session), else to `pid`."""
    try:
        if os.getpgid(pid) == pid:
            os.killpg(pid, sig)
        else:
            os.kill(pid, sig)
    except ProcessLookupError:
        pass


def wait_gone(pid: int, timeout: float) -> bool:
    """Poll until `pid` has exited; False when it still runs after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not pid_alive(pid):
            return True
        time.sleep(0.05)
    return not pid_alive(pid)


def terminate(pid: int | None, grace: float = 30.0) -> None:
    """SIGTERM the group of `pid`, wait up to `grace` seconds, then SIGKILL it."""
    if not pid or not pid_alive(pid):
        return
    signal_group(pid, signal.SIGTERM)
    if wait_gone(pid, grace):
        return
    signal_group(pid, signal.SIGKILL)
    if not wait_gone(pid, 10.0):
        raise OSError(errno.EBUSY, f"process {pid} did not exit after SIGKILL")


def hard_kill(pid: int | None) -> None:
    """SIGKILL the group of `pid` (a crash, for fault tests) and wait until it is gone."""
    if not pid or not pid_alive(pid):
        return
    signal_group(pid, signal.SIGKILL)
    wait_gone(pid, 10.0)


def die_with_parent() -> None:
    """preexec_fn: the child gets SIGKILL when its parent dies (no orphan servers after a crashed pytest)."""
    import ctypes

    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


class ServerProcess:
    """The lifecycle of one dev server run as a child in its own process group, its output in a log file.

    `start()` is idempotent and waits until the server is ready; `stop()` (SIGTERM, then SIGKILL), `kill()`
    (kill -9, for fault tests) and `restart()` (same port(s) and data dir). A server class says what differs:
    `_prepare()` (files, ports; returns the command), `_is_ready(log_offset)`, `address`, `answers()`, the
    wording of its messages and its ready log line (`_announce_ready`).
    """

    #: Names the server in error messages ("kafka broker", "redis-server").
    LABEL: ClassVar[str]
    #: Names it in the "--- start <tag> on <address>" line written to its log.
    LOG_TAG: ClassVar[str]
    #: Raised when it cannot be made ready; the message carries the log tail.
    START_ERROR: ClassVar[type[Exception]]
    #: The pause between two readiness checks.
    POLL_S: ClassVar[float]
    #: The log file's name in the data dir.
    LOG_NAME: ClassVar[str]

    def __init__(self, data_dir: str | os.PathLike[str], port: int | None, *, start_timeout: float,
                 die_with_parent: bool) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.port = port
        self.start_timeout = start_timeout
        self.die_with_parent = die_with_parent
        self.last_start_seconds: float | None = None
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        """Where clients connect (Kafka's bootstrap, Redis's URL)."""
        raise NotImplementedError

    @property
    def pid(self) -> int | None:
        """PID of the server process (also its process-group id), None before the first start."""
        return self._process.pid if self._process else None

    @property
    def log_path(self) -> Path:
        """The server's stdout and stderr, appended to across restarts."""
        return self.data_dir / self.LOG_NAME

    def is_running(self) -> bool:
        """True while the process this object started is alive."""
        return self._process is not None and self._process.poll() is None

    def answers(self) -> bool:
        """True when the server answers its protocol on its port (whoever started it)."""
        raise NotImplementedError

    def start(self) -> Self:
        """Prepare (see the server class), run the server and wait until it is ready; a no-op while it runs."""
        if self.is_running():
            return self
        return self.await_ready(*self.launch())

    def launch(self) -> tuple[float, int]:
        """The first half of `start()`: prepare and spawn without waiting; returns what `await_ready` needs.

        Split so a cluster can spawn all its nodes from the calling thread (the parent-death signal follows
        the spawning thread) and then wait for them together.
        """
        started = time.monotonic()
        command = self._prepare()
        offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        self._spawn(command)
        return started, offset

    def await_ready(self, started: float, log_offset: int) -> Self:
        """The second half of `start()`: wait until ready (or raise START_ERROR with the log tail)."""
        self._wait_ready(log_offset)
        self.last_start_seconds = time.monotonic() - started
        self._announce_ready()
        return self

    def stop(self, grace: float = STOP_GRACE_S) -> None:
        """Controlled shutdown: SIGTERM, wait up to `grace` seconds, then SIGKILL."""
        if self._process is not None:
            terminate(self._process.pid, grace)
            self._reap()

    def kill(self) -> None:
        """kill -9 of the server (a crash, for fault tests). `restart()` brings it back on the same port."""
        if self._process is not None:
            hard_kill(self._process.pid)
            self._reap()

    def restart(self) -> Self:
        """Stop if running, then start again on the same port(s) and data dir, so clients reconnect."""
        self.stop()
        return self.start()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- what a server class provides
    def _prepare(self) -> list[str]:
        """Everything before the process runs (binaries, data dir, ports, config); the command to run."""
        raise NotImplementedError

    def _is_ready(self, log_offset: int) -> bool:
        """True once the server is ready; `log_offset` is where this start's output begins in the log."""
        raise NotImplementedError

    def _not_ready(self) -> str:
        """What the start-timeout error says after the label, e.g. "did not answer PING on ... after 30 s"."""
        raise NotImplementedError

    def _announce_ready(self) -> None:
        """Log that the server is ready (each server its own line, under its own logger)."""
        raise NotImplementedError

    # ---- steps
    def _spawn(self, command: list[str]) -> None:
        with open(self.log_path, "ab") as log:
            log.write(f"--- start {self.LOG_TAG} on {self.address}\n".encode())
            log.flush()
            self._process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.data_dir,
                start_new_session=True,
                preexec_fn=die_with_parent if self.die_with_parent else None,
            )

    def _wait_ready(self, log_offset: int) -> None:
        deadline = time.monotonic() + self.start_timeout
        while True:
            assert self._process is not None
            if self._process.poll() is not None:
                raise self.START_ERROR(
                    f"{self.LABEL} exited with code {self._process.returncode} during start; "
                    f"log {self.log_path}:\n{log_tail(self.log_path)}"
                )
            if self._is_ready(log_offset):
                return
            if time.monotonic() > deadline:
                self.kill()
                raise self.START_ERROR(
                    f"{self.LABEL} {self._not_ready()}; log {self.log_path}:\n{log_tail(self.log_path)}"
                )
            time.sleep(self.POLL_S)

    def _reap(self) -> None:
        if self._process is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._process.wait(timeout=5)
