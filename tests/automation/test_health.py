"""The HTTP probe against a real local server: status codes, a different connect address, and waiting."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from automation.health import Probe, ProbeResult, http_probe, wait_healthy
from fixtures import clock  # noqa: F401 - pytest fixtures


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - the http.server API
        status = {"/health": 200, "/moved": 301, "/broken": 503}.get(self.path, 404)
        self.server.hosts.append(self.headers["Host"])
        self.send_response(status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.hosts = []
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield httpd
    httpd.shutdown()


def test_2xx_and_3xx_are_healthy_5xx_is_not(server):
    port = server.server_address[1]
    assert http_probe(Probe(f"http://127.0.0.1:{port}/health")) == ProbeResult(True, f"http://127.0.0.1:{port}/health: HTTP 200")
    assert http_probe(Probe(f"http://127.0.0.1:{port}/moved")).healthy
    assert not http_probe(Probe(f"http://127.0.0.1:{port}/broken")).healthy


def test_connect_to_reaches_another_address_with_the_urls_host(server):
    port = server.server_address[1]
    result = http_probe(Probe(f"http://app.acme.example:{port}/health", connect_to=f"127.0.0.1:{port}"))
    assert result.healthy and server.hosts[-1] == f"app.acme.example:{port}"


def test_an_unreachable_address_is_unhealthy_with_the_reason():
    result = http_probe(Probe("http://127.0.0.1:9/health"), timeout=1)
    assert not result.healthy and "ConnectionRefusedError" in result.detail


def test_wait_healthy_retries_then_gives_up(clock):
    answers = iter([False, False, True])
    result = wait_healthy(lambda p: ProbeResult(next(answers), "x"), Probe("http://x"), clock, attempts=5, interval=15)
    assert result.healthy and clock.slept == [15, 15]
    result = wait_healthy(lambda p: ProbeResult(False, "down"), Probe("http://x"), clock, attempts=3, interval=15)
    assert not result.healthy and clock.slept == [15, 15, 15, 15]
