"""The process's HTTP server names no software or version (issue 19.5): asked over a real socket."""

from __future__ import annotations

import urllib.request

from flask import Flask

from stagepool_shared.http import harden
from stagepool_shared.runtime import BackgroundServer


def test_the_http_server_sends_no_werkzeug_or_python_banner() -> None:
    app = Flask("banner")
    harden(app)
    app.add_url_rule("/ping", "ping", lambda: "pong")
    server = BackgroundServer(app).start()
    try:
        with urllib.request.urlopen(server.url + "/ping", timeout=5) as response:
            servers = response.headers.get_all("Server") or []
            assert response.read() == b"pong"
    finally:
        server.stop()
    assert servers == ["stagepool"], servers
    assert response.headers["X-Frame-Options"] == "DENY"
