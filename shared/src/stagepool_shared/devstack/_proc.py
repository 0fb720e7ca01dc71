"""Small process and socket helpers shared by the Kafka and Redis launchers.

Processes are always addressed by PID (each server is the leader of its own process group),
never by name. Imports only the standard library.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import socket
import time
from pathlib import Path

HOST = "127.0.0.1"


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
