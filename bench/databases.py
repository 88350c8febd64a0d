"""Throwaway databases for benchmarks: a fresh SQLite file, or a PostgreSQL database dropped and
recreated (only ever one whose name starts with "bench")."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
WORKDIR = ROOT / "var" / "bench"
POSTGRES_SERVER = "postgres://postgres@127.0.0.1:5432"


def sqlite_url(name: str, *, fresh: bool = True) -> str:
    """A SQLite file under var/bench/, fresh (any old one deleted) unless fresh=False."""
    WORKDIR.mkdir(parents=True, exist_ok=True)
    path = WORKDIR / f"{name}.sqlite3"
    for suffix in ("", "-wal", "-shm") if fresh else ():
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def _admin_url(url: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/postgres"))


def recreate_postgres(url: str) -> None:
    """Drop and create the database named in `url`."""
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    if not name.startswith("bench"):
        raise SystemExit(f"refusing to drop {name!r}: a benchmark database's name starts 'bench'")
    with psycopg.connect(_admin_url(url), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def drop_postgres(url: str) -> None:
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    if name.startswith("bench"):
        with psycopg.connect(_admin_url(url), autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def postgres_is_up(url: str) -> bool:
    import psycopg

    try:
        psycopg.connect(_admin_url(url), connect_timeout=3).close()
    except psycopg.OperationalError:
        return False
    return True
