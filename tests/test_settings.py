"""Settings come from the environment; production refuses to start without a key."""

import os
import subprocess
import sys

import dj_database_url
import pytest
from django.core.exceptions import ImproperlyConfigured

from thet_site.env import cache_config, env_bool, env_int, env_list, secret_key


def test_env_bool():
    assert env_bool("DEBUG", environ={"DEBUG": "1"}) is True
    assert env_bool("DEBUG", environ={"DEBUG": "off"}) is False
    assert env_bool("DEBUG", default=True, environ={}) is True
    with pytest.raises(ImproperlyConfigured):
        env_bool("DEBUG", environ={"DEBUG": "maybe"})


def test_env_int_and_list():
    assert env_int("N", 3, environ={}) == 3
    assert env_int("N", 3, environ={"N": "7"}) == 7
    with pytest.raises(ImproperlyConfigured):
        env_int("N", 3, environ={"N": "seven"})
    assert env_list("HOSTS", ["a"], environ={"HOSTS": "thet.org, www.thet.org,"}) == [
        "thet.org",
        "www.thet.org",
    ]
    assert env_list("HOSTS", ["a"], environ={}) == ["a"]


def test_secret_key_required_without_debug():
    with pytest.raises(ImproperlyConfigured):
        secret_key(debug=False, environ={})
    assert secret_key(debug=False, environ={"SECRET_KEY": "s3cret"}) == "s3cret"
    assert secret_key(debug=True, environ={})  # a dev key only when DEBUG is on


def test_database_url_parses_postgres_and_sqlite():
    pg = dj_database_url.parse("postgres://thet:pw@db.internal:5432/thet")
    assert pg["ENGINE"] == "django.db.backends.postgresql"
    assert (pg["HOST"], pg["PORT"], pg["NAME"], pg["USER"]) == ("db.internal", 5432, "thet", "thet")
    lite = dj_database_url.parse("sqlite:////tmp/x.sqlite3")
    assert lite["ENGINE"] == "django.db.backends.sqlite3"


def test_cache_config():
    assert "LocMemCache" in cache_config(environ={})["BACKEND"]
    redis = cache_config(environ={"REDIS_URL": "redis://127.0.0.1:6379/1"})
    assert redis["BACKEND"] == "thet_site.cache.ResilientRedisCache"
    assert redis["LOCATION"] == "redis://127.0.0.1:6379/1"
    with pytest.raises(ImproperlyConfigured):
        cache_config(environ={"CACHE_URL": "memcached://x"})


def test_settings_module_refuses_to_start_without_key(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
