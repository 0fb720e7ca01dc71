"""A threaded werkzeug HTTP server in a background thread: used by `intake run`, the bench and the
integration tests (which post over real HTTP). Imports werkzeug only."""

from __future__ import annotations

import threading

from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server


class BackgroundServer:
    """Serves a WSGI app on host:port (port 0 picks a free one) until `stop()`."""

    def __init__(self, app: Flask, host: str = "127.0.0.1", port: int = 0):
        self._server: BaseWSGIServer = make_server(host, port, app, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, name="intake-http", daemon=True)

    @property
    def port(self) -> int:
        return self._server.server_port

    @property
    def url(self) -> str:
        return f"http://{self._server.host}:{self.port}"

    def start(self) -> "BackgroundServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)
