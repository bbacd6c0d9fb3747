"""Start the real site as a separate process, for browser and multi-server tests.

    from tests.servers import running_site

    with running_site() as site:          # migrate, seed, collectstatic, gunicorn, /health/
        site.url                          # "http://127.0.0.1:<free port>"
        site.create_superuser("ed", "a-password")  # or site.manage(<any manage.py command>)

The site runs in production mode (DEBUG off, WhiteNoise serving hashed, compressed static
files, gunicorn) on a free loopback port, against a database of its own: a temporary
SQLite file unless the caller passes another DATABASE_URL (and REDIS_URL, etc.) in `env`.
Everything it writes (database, static files, media, log) goes into a temporary folder
that is removed when the block ends, after the server has been stopped.

A migrated, seeded SQLite database is cached in .cache/seeded-db/ (keyed on the apps' files
and requirements.txt) so only the first session after a change pays for migrating;
THET_SEEDED_DB_CACHE=0 turns that off.

`prepare_site()` does the slow part (migrate, load_seed_content, collectstatic) once; pass
its result to several `running_site(prepared=...)` blocks to share one database between
servers (e.g. two app servers behind one PostgreSQL database).
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import os
import shutil
import signal
import socket
import subprocess  # noqa: S404 - we run our own manage.py and gunicorn, no shell
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

# Variables from the calling environment that must not leak into the site under test
# (pytest's own database, a developer's cache), unless the caller passes them explicitly.
_DROPPED = ("DATABASE_URL", "CACHE_URL", "REDIS_URL", "STATIC_ROOT", "MEDIA_ROOT", "PORT")


# A migrated, seeded SQLite database is kept here and copied for each new site, keyed on
# everything that can change it: the apps' code and migrations and the pinned packages.
# Migrating from scratch takes about a minute on a busy machine; copying, milliseconds.
DB_CACHE_DIR = BASE_DIR / ".cache" / "seeded-db"
_DB_KEY_SOURCES = ("pages", "policy", "partnerships", "sitewide", "thet_site", "requirements.txt")


def seeded_db_key() -> str:
    digest = hashlib.sha256()
    for name in _DB_KEY_SOURCES:
        top = BASE_DIR / name
        files = [top] if top.is_file() else sorted(top.rglob("*"))
        for path in files:
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(BASE_DIR)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:24]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing is listening on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class PreparedSite:
    """A migrated, seeded database and collected static files in `root`."""

    root: Path
    env: dict[str, str] = field(default_factory=dict)

    def manage(self, *args: str, env: Mapping[str, str] | None = None, check: bool = True):
        """Run `manage.py <args>` against this site's database; returns CompletedProcess.

        Raises RuntimeError with the command's output if it fails (and `check` is true).
        """
        return manage(*args, env={**self.env, **(env or {})}, check=check)

    def create_superuser(self, username: str, password: str):
        """An admin account on this site's database, to log in with over HTTP."""
        return self.manage(
            "createsuperuser",
            "--noinput",
            "--username",
            username,
            "--email",
            f"{username}@example.org",
            env={"DJANGO_SUPERUSER_PASSWORD": password},
        )


@dataclass
class RunningSite(PreparedSite):
    url: str = ""
    process: subprocess.Popen | None = None
    log: Path | None = None

    def log_tail(self, chars: int = 4000) -> str:
        if self.log and self.log.exists():
            return self.log.read_text(errors="replace")[-chars:]
        return ""


def site_env(root: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for a production-mode site whose files live under `root`."""
    env = {k: v for k, v in os.environ.items() if k not in _DROPPED}
    env.update(
        {
            "DEBUG": "0",
            "SECRET_KEY": "browser-tests-only-not-a-secret-" + "x" * 20,
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_COOKIES": "0",
            "SECURE_HSTS_SECONDS": "0",
            "STATIC_MANIFEST": "1",
            # The admin flows sign in with a password; tests/browser/test_two_factor.py
            # runs its own server with two-factor sign-in on.
            "REQUIRE_2FA": "0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": f"sqlite:///{root / 'db.sqlite3'}",
            "STATIC_ROOT": str(root / "static"),
            "MEDIA_ROOT": str(root / "media"),
            "PYTHONDONTWRITEBYTECODE": "1",
            "DJANGO_SETTINGS_MODULE": "thet_site.settings",
        }
    )
    env.update(extra or {})
    return env


def manage(*args: str, env: Mapping[str, str], check: bool = True, timeout: float = 300):
    """Run `python manage.py <args>` in a subprocess with exactly `env`."""
    result = subprocess.run(  # noqa: S603 - fixed interpreter and script, list argv
        [PYTHON, str(BASE_DIR / "manage.py"), *args],
        cwd=BASE_DIR,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if check and result.returncode != 0:
        raise RuntimeError(
            f"manage.py {' '.join(args)} failed ({result.returncode}):\n"
            f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        )
    return result


def _die_with_parent() -> None:  # pragma: no cover - runs in the child
    """On Linux, the server gets SIGTERM if the test process dies without cleaning up."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _start(argv: list[str], env: Mapping[str, str], log: Path) -> subprocess.Popen:
    with log.open("ab") as out:
        return subprocess.Popen(  # noqa: S603 - fixed interpreter, list argv
            argv,
            cwd=BASE_DIR,
            env=dict(env),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so we can stop all workers
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
        )


@contextlib.contextmanager
def prepare_site(
    env: Mapping[str, str] | None = None, *, seed: bool = True, root: Path | None = None
) -> Iterator[PreparedSite]:
    """Migrate a fresh database, load the seed content and collect static files.

    migrate+seed and collectstatic run in parallel. The temporary folder is removed at
    the end of the block (unless `root` was given by the caller).
    """
    owned = root is None
    root = Path(tempfile.mkdtemp(prefix="thet-site-")) if root is None else Path(root)
    try:
        full_env = site_env(root, env)
        log = root / "prepare.log"
        collect = _start(
            [PYTHON, str(BASE_DIR / "manage.py"), "collectstatic", "--noinput", "-v0"],
            full_env,
            log,
        )
        try:
            _migrate_and_seed(full_env, root, seed)
        finally:
            if collect.wait(timeout=600) != 0:
                raise RuntimeError(f"collectstatic failed:\n{log.read_text()[-3000:]}")
        yield PreparedSite(root=root, env=full_env)
    finally:
        if owned:
            shutil.rmtree(root, ignore_errors=True)


def _migrate_and_seed(env: dict[str, str], root: Path, seed: bool) -> None:
    own_sqlite = env["DATABASE_URL"] == f"sqlite:///{root / 'db.sqlite3'}"
    use_cache = own_sqlite and seed and os.environ.get("THET_SEEDED_DB_CACHE", "1") != "0"
    cached = DB_CACHE_DIR / f"{seeded_db_key()}.sqlite3" if use_cache else None
    if cached is not None and cached.is_file():
        shutil.copyfile(cached, root / "db.sqlite3")
        return
    manage("migrate", "--noinput", "-v0", env=env)
    if seed:
        manage("load_seed_content", env=env)
    if cached is not None:
        DB_CACHE_DIR.mkdir(parents=True, exist_ok=True)
        for old in DB_CACHE_DIR.glob("*.sqlite3"):
            old.unlink(missing_ok=True)
        partial = cached.with_suffix(f".{os.getpid()}.tmp")
        shutil.copyfile(root / "db.sqlite3", partial)
        partial.replace(cached)


@contextlib.contextmanager
def copy_site(prepared: PreparedSite) -> Iterator[PreparedSite]:
    """A copy of a prepared SQLite site's database (static files shared, read-only), so a
    test module can change content without affecting others. Removed at the end."""
    root = Path(tempfile.mkdtemp(prefix="thet-site-copy-"))
    try:
        shutil.copyfile(prepared.root / "db.sqlite3", root / "db.sqlite3")
        env = {
            **prepared.env,
            "DATABASE_URL": f"sqlite:///{root / 'db.sqlite3'}",
            "MEDIA_ROOT": str(root / "media"),
        }
        yield PreparedSite(root=root, env=env)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def stop(process: subprocess.Popen, timeout: float = 10) -> None:
    """Stop a server started by `running_site` (its whole process group)."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=timeout)


def wait_for_health(url: str, process: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"the site exited with {process.returncode} before answering:\n"
                f"{log.read_text(errors='replace')[-4000:]}"
            )
        try:
            with urllib.request.urlopen(f"{url}/health/", timeout=5) as response:  # noqa: S310
                if response.status == 200:
                    return
                last = f"status {response.status}"
        except (urllib.error.URLError, OSError) as exc:
            last = str(exc)
        time.sleep(0.2)
    raise RuntimeError(
        f"{url}/health/ did not answer 200 in {timeout}s ({last}):\n"
        f"{log.read_text(errors='replace')[-4000:]}"
    )


@contextlib.contextmanager
def running_site(
    env: Mapping[str, str] | None = None,
    *,
    prepared: PreparedSite | None = None,
    workers: int = 2,
    seed: bool = True,
) -> Iterator[RunningSite]:
    """Serve the site with gunicorn on a free loopback port until the block ends.

    Without `prepared`, a fresh temporary database is migrated and seeded first.
    `env` adds to (or overrides) the site's environment, e.g. a PostgreSQL DATABASE_URL.
    """
    with contextlib.ExitStack() as stack:
        if prepared is None:
            prepared = stack.enter_context(prepare_site(env, seed=seed))
            env = None
        port = free_port()
        full_env = {**prepared.env, **(env or {}), "PORT": str(port), "HOST": "127.0.0.1"}
        log = Path(tempfile.mkstemp(prefix=f"server-{port}-", suffix=".log", dir=prepared.root)[1])
        process = _start(
            [
                PYTHON,
                "-m",
                "gunicorn",
                "thet_site.wsgi:application",
                "--config",
                str(BASE_DIR / "thet_site" / "gunicorn.conf.py"),
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--access-logfile",
                os.devnull,
            ],
            full_env,
            log,
        )
        stack.callback(stop, process)
        url = f"http://127.0.0.1:{port}"
        wait_for_health(url, process, log)
        yield RunningSite(root=prepared.root, env=full_env, url=url, process=process, log=log)
