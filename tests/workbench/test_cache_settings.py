"""The shared cache (API throttle counts): the database by default, with its table made by every
migrate; Redis or any other cache when CACHE_URL or REDIS_URL names one; rates checked at start."""

import json

from django.db import connection

from tests.workbench.test_settings_startup import run_manage

PRINT_CACHE = (
    "import json; from django.conf import settings; "
    "print(json.dumps(settings.CACHES['default'], sort_keys=True))"
)


def _cache(**env) -> dict:
    result = run_manage("shell", "-v", "0", "-c", PRINT_CACHE, DEBUG="true", **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_default_cache_is_a_database_table_every_migrate_makes(tmp_path):
    assert _cache() == {
        "BACKEND": "workbench.cache.DatabaseCache",
        "LOCATION": "workbench_cache",
        "OPTIONS": {"MAX_ENTRIES": 100000},
    }
    database = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    assert run_manage("migrate", "-v", "0", DEBUG="true", DATABASE_URL=database).returncode == 0
    check = run_manage(
        "shell",
        "-v",
        "0",
        "-c",
        "from django.core.cache import cache; cache.set('k', 'v'); print(cache.get('k'))",
        DEBUG="true",
        DATABASE_URL=database,
    )
    assert check.stdout.strip() == "v", check.stderr


def test_the_test_database_has_the_cache_table(db):
    assert "workbench_cache" in connection.introspection.table_names()


def test_redis_when_configured():
    redis = "django.core.cache.backends.redis.RedisCache"
    assert _cache(REDIS_URL="redis://cache.internal:6379/2") == {
        "BACKEND": redis,
        "LOCATION": "redis://cache.internal:6379/2",
    }
    assert _cache(CACHE_URL="rediss://cache.internal:6380/0", REDIS_URL="redis://other:1/0") == {
        "BACKEND": redis,
        "LOCATION": "rediss://cache.internal:6380/0",
    }


def test_it_refuses_a_throttle_rate_it_cannot_read():
    result = run_manage("check", DEBUG="true", API_THROTTLE_RATE="600 per minute")
    assert result.returncode != 0
    assert "API_THROTTLE_RATE must look like 600/minute" in result.stderr
    assert run_manage("check", DEBUG="true", API_THROTTLE_RATE="").returncode == 0
