"""A throwaway PostgreSQL server for the tests and the hub bench: Debian's own binaries, a cluster in a
temporary folder, listening on 127.0.0.1 only, gone when the process ends.

``ZHUJI_TEST_PG`` (a ``postgresql://`` URL of a server where the user may create databases) uses that
server instead. Without it the server binaries must be installed (Debian: ``apt-get install postgresql``).
"""

from __future__ import annotations

import atexit
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import psycopg

SUPERUSER = "zhuji"


class ClusterUnavailable(RuntimeError):
    """No server to test against: the message says what to install."""


def _binaries() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if not found:
        raise ClusterUnavailable(
            "PostgreSQL 的服务器程序没有安装：在 Debian 上运行 apt-get install postgresql（.ci/run 会安装），"
            "或者用环境变量 ZHUJI_TEST_PG 指定一个测试用的服务器。"
        )
    return Path(found[-1]).parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _as_server_user(command: list[str]) -> list[str]:
    """initdb and postgres refuse to run as root: as root, run them as the packages' postgres user."""
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


class Cluster:
    """One running server; ``url(name)`` is the address of a database on it.

    With ``password`` the server asks for it over TCP (scram-sha-256), as a township's server does; the
    addresses ``url`` gives then carry it."""

    def __init__(self, password: str | None = None) -> None:
        given = None if password else os.environ.get("ZHUJI_TEST_PG")
        self.folder: Path | None = None
        if given:
            self.base = given.rstrip("/").rsplit("/", 1)[0]
            return
        bin_dir = _binaries()
        self.folder = Path(tempfile.mkdtemp(prefix="zhuji-pg-"))
        data = self.folder / "data"
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres")
        port = _free_port()
        auth = ["-A", "trust"]
        if password:
            secret = self.folder / "password"
            secret.write_text(password + "\n")
            if os.geteuid() == 0:
                shutil.chown(secret, "postgres")
            auth = ["--auth-local=trust", "--auth-host=scram-sha-256", f"--pwfile={secret}"]
        subprocess.run(
            _as_server_user(
                [str(bin_dir / "initdb"), "-D", str(data), "-U", SUPERUSER, *auth, "-E", "UTF8",
                 "--locale=C.UTF-8", "--no-sync"]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        # Durability is not what the tests are about: no fsync, so a test's database is made in milliseconds.
        options = (
            f"-p {port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=300"
        )
        subprocess.run(
            _as_server_user(
                [str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(self.folder / "server.log"), "-o", options,
                 "-w", "start"]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        login = f"{SUPERUSER}:{password}" if password else SUPERUSER
        self.base = f"postgresql://{login}@127.0.0.1:{port}"
        self._stop = [str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]
        atexit.register(self.stop)

    def url(self, database: str) -> str:
        return f"{self.base}/{database}"

    def admin(self) -> psycopg.Connection:
        return psycopg.connect(self.url("postgres"), autocommit=True)

    def create(self, database: str, template: str | None = None) -> str:
        with self.admin() as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            suffix = f' TEMPLATE "{template}"' if template else ""
            connection.execute(f'CREATE DATABASE "{database}"{suffix}')
        return self.url(database)

    def drop(self, database: str) -> None:
        with self.admin() as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')

    def exists(self, database: str) -> bool:
        with self.admin() as connection:
            return connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone() is not None

    def stop(self) -> None:
        if self.folder is None:
            return
        subprocess.run(_as_server_user(self._stop), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder = None


_CLUSTER: list[Cluster] = []


def cluster() -> Cluster:
    """The process's one server, started on first use."""
    if not _CLUSTER:
        _CLUSTER.append(Cluster())
    return _CLUSTER[0]


_GUARDED: list[Cluster] = []
SERVER_PASSWORD = "Server-Pw-7"


def password_cluster() -> Cluster:
    """A second server, one that asks for the password (SERVER_PASSWORD), started on first use."""
    if not _GUARDED:
        _GUARDED.append(Cluster(password=SERVER_PASSWORD))
    return _GUARDED[0]
