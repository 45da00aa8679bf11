"""A throwaway PostgreSQL cluster for one test session, when SWITCHYARD_TEST_PG_URL is unset.

tests/conftest.py starts it once (in the xdist controller, before the workers, which inherit
the variable) if PostgreSQL's server programs are installed (`initdb`, `pg_ctl`: on PATH or
in Debian's /usr/lib/postgresql/*/bin), and stops it when the session ends. The cluster
lives in a temporary folder, listens on 127.0.0.1 on a free port with trust authentication,
and skips fsync. initdb refuses to run as root: as root it runs as the `postgres` user
(`runuser`). When it cannot start, tests/postgres.py skips the PostgreSQL cases (fails them
under CI, where .ci/services.sh provides the server).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

PG_ENV = "SWITCHYARD_TEST_PG_URL"
USER = "switchyard"
DB = "switchyard"


def find_bin_dir() -> Path | None:
    candidates: list[Path] = []
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.append(Path(on_path).resolve().parent)

    def version(path: Path) -> tuple[int, ...]:
        digits = path.parent.name.split(".")
        return tuple(int(d) for d in digits if d.isdigit())

    candidates.extend(sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=version, reverse=True))
    for folder in candidates:
        if all((folder / tool).is_file() for tool in ("initdb", "pg_ctl", "createdb")):
            return folder
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ClusterError(Exception):
    pass


class ThrowawayCluster:
    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.folder = Path(tempfile.mkdtemp(prefix="switchyard-pg-"))
        self.data = self.folder / "data"
        self.port = _free_port()
        self.prefix: list[str] = []
        self.started = False

    @property
    def url(self) -> str:
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{DB}"

    def _run(self, tool: str, *args: str, timeout: float = 120) -> None:
        try:
            done = subprocess.run(
                [*self.prefix, str(self.bin_dir / tool), *args],
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ClusterError(f"{tool}: {exc}") from None
        if done.returncode != 0:
            tail = " ".join((done.stderr or done.stdout).strip().splitlines()[-3:])
            raise ClusterError(f"{tool} exited {done.returncode}: {tail[-300:]}")

    def start(self) -> None:
        if os.geteuid() == 0:
            runuser = shutil.which("runuser")
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError:
                owner = None
            if runuser is None or owner is None:
                raise ClusterError(
                    "initdb refuses to run as root and there is no `postgres` user to run it as"
                )
            os.chown(self.folder, owner.pw_uid, owner.pw_gid)
            self.prefix = [runuser, "-u", "postgres", "--"]
        self._run(
            "initdb", "-D", str(self.data), "-U", USER, "--auth=trust", "-E", "UTF8", "--no-sync"
        )
        options = (
            f"-h 127.0.0.1 -p {self.port} -k {self.folder} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        log = str(self.folder / "server.log")
        self._run(
            "pg_ctl", "-D", str(self.data), "-l", log, "-o", options, "-w", "-t", "60", "start"
        )
        self.started = True
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", USER, DB)

    def stop(self) -> None:
        if self.started:
            with contextlib.suppress(ClusterError):
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
            self.started = False
        shutil.rmtree(self.folder, ignore_errors=True)


def start_if_needed() -> tuple[ThrowawayCluster | None, str]:
    """(the cluster it started or None, one status line for the report header)."""
    if os.environ.get(PG_ENV, "").strip():
        return None, f"PostgreSQL: {PG_ENV} from the environment"
    bin_dir = find_bin_dir()
    if bin_dir is None:
        return None, (
            f"PostgreSQL: none (no initdb/pg_ctl found; apt-get install postgresql, "
            f"or set {PG_ENV}): its tests are skipped"
        )
    cluster = ThrowawayCluster(bin_dir)
    try:
        cluster.start()
    except ClusterError as exc:
        cluster.stop()
        return (
            None,
            f"PostgreSQL: could not start a throwaway cluster ({exc}): its tests are skipped",
        )
    os.environ[PG_ENV] = cluster.url
    return cluster, f"PostgreSQL: throwaway cluster {cluster.url} ({bin_dir})"
