"""A throwaway PostgreSQL cluster for a test: initdb in a temporary directory, a free loopback port, trust auth.

The server's binaries are found from `postgres` on PATH (its real directory holds initdb, pg_ctl, pg_dump and
pg_restore). PostgreSQL refuses to run as root, so as root the cluster belongs to `nobody` and every server command
runs through `runuser`. Where there is no server, `skip_reason()` says why, and the tests are skipped with it.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import psycopg

RUN_AS = "nobody"


def binaries() -> Optional[Path]:
    found = shutil.which("postgres")
    return Path(os.path.realpath(found)).parent if found else None


def skip_reason() -> Optional[str]:
    where = binaries()
    if where is None:
        return "no PostgreSQL server: `postgres` is not on PATH (apt-get install postgresql, or a package that ships one)"
    missing = [tool for tool in ("initdb", "pg_ctl", "pg_dump", "pg_restore") if not (where / tool).exists()]
    if missing:
        return f"PostgreSQL at {where} lacks {', '.join(missing)}"
    if os.geteuid() == 0 and not shutil.which("runuser"):
        return "running as root without runuser: PostgreSQL refuses to run as root"
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Cluster:
    directory: Path
    port: int
    user: str

    def _run(self, tool: str, *args: str) -> subprocess.CompletedProcess:
        command = [str(binaries() / tool), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", RUN_AS, "--", *command]
        return subprocess.run(command, check=True, capture_output=True, text=True, timeout=120)

    @classmethod
    def start(cls, name: str) -> "Cluster":
        """In a directory of its own under the system's temp dir: pytest's tmp_path is private to root."""
        directory = Path(tempfile.mkdtemp(prefix=f"phasegate-pg-{name}-"))
        user = RUN_AS if os.geteuid() == 0 else os.environ.get("USER", "postgres")
        if os.geteuid() == 0:
            shutil.chown(directory, RUN_AS)
        cluster = cls(directory, _free_port(), user)
        cluster._run("initdb", "-D", str(directory / "data"), "-U", user, "--auth=trust", "--no-sync")
        cluster._run("pg_ctl", "-D", str(directory / "data"), "-l", str(directory / "log"), "-w", "-o",
                     f"-p {cluster.port} -k {directory} -c listen_addresses=127.0.0.1", "start")
        return cluster

    def restart(self) -> None:
        """What an RDS reboot does to the clients: every session and every open transaction ends."""
        self._run("pg_ctl", "-D", str(self.directory / "data"), "-l", str(self.directory / "log"), "-w", "-m", "fast",
                  "restart")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.directory / "data"), "-w", "-m", "immediate", "stop")
        shutil.rmtree(self.directory, ignore_errors=True)

    def connect(self, dbname: str = "postgres", autocommit: bool = True) -> psycopg.Connection:
        return psycopg.connect(host="127.0.0.1", port=self.port, user=self.user, dbname=dbname, autocommit=autocommit)

    def dump_to(self, target: "Cluster", dbname: str = "postgres") -> None:
        """A dump and restore: stands in for the snapshot and the target's restore from it."""
        dump = self.directory / "app.dump"
        self._run("pg_dump", "--format=custom", "-h", "127.0.0.1", "-p", str(self.port), "-U", self.user,
                  "-f", str(dump), dbname)
        target._run("pg_restore", "--no-owner", "-h", "127.0.0.1", "-p", str(target.port), "-U", target.user,
                    "-d", dbname, str(dump))
