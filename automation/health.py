"""Is the app up? One HTTP probe (optionally through a given host, like `curl --connect-to`), and waiting.

Through a given host because right after a DNS change the local resolver may still answer with the old
address: the probe must reach the new load balancer while sending the domain as Host and TLS server name.
Time is a `Clock` so soak windows and retries run instantly in tests.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import time
from dataclasses import dataclass
from typing import Callable, Optional, Protocol
from urllib.parse import urlsplit


class Clock(Protocol):
    def now(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class WallClock:
    def now(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


@dataclass(frozen=True)
class Probe:
    url: str  # e.g. https://app.acme.example/health
    connect_to: Optional[str] = None  # host[:port] to connect to instead of the URL's host


@dataclass(frozen=True)
class ProbeResult:
    healthy: bool
    detail: str


Prober = Callable[[Probe], ProbeResult]


def http_probe(probe: Probe, timeout: float = 10.0) -> ProbeResult:
    """GET the URL; healthy on 2xx/3xx, like the load balancer's own health check (matcher 200-399)."""
    parts = urlsplit(probe.url)
    https = parts.scheme == "https"
    host = parts.hostname or ""
    port = parts.port or (443 if https else 80)
    connect_host, connect_port = host, port
    if probe.connect_to:
        connect_host, _, given = probe.connect_to.partition(":")
        connect_port = int(given) if given else port
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        sock = socket.create_connection((connect_host, connect_port), timeout=timeout)
        if https:
            sock = ssl.create_default_context().wrap_socket(sock, server_hostname=host)
        connection = http.client.HTTPConnection(host, port, timeout=timeout)
        connection.sock = sock
        connection.request("GET", path, headers={"Host": parts.netloc, "User-Agent": "phasegate-migrate"})
        status = connection.getresponse().status
        connection.close()
    except (OSError, http.client.HTTPException) as exc:
        return ProbeResult(False, f"{probe.url}: {type(exc).__name__}: {exc}")
    return ProbeResult(200 <= status < 400, f"{probe.url}: HTTP {status}")


def wait_healthy(prober: Prober, probe: Probe, clock: Clock, attempts: int, interval: float) -> ProbeResult:
    """Probe until healthy, at most `attempts` times `interval` seconds apart; the last result either way."""
    result = ProbeResult(False, "not probed")
    for attempt in range(max(1, attempts)):
        result = prober(probe)
        if result.healthy:
            return result
        if attempt + 1 < attempts:
            clock.sleep(interval)
    return result
