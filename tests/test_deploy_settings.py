"""What production runs with, checked in a fresh process per environment.

Settings are read once, at start-up, from the environment, so each case starts Django
in a subprocess with exactly the environment it describes.
"""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DEPLOY_MD = BASE_DIR / "docs" / "DEPLOY.md"

# Variables a developer's or CI's shell may hold that would change what is checked.
_CLEARED = (
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "SITE_URL",
    "WAGTAILADMIN_BASE_URL",
    "MEDIA_URL",
    "AWS_S3_CUSTOM_DOMAIN",
    "CSP_FRAME_SRC",
    "DATABASE_URL",
    "CACHE_URL",
    "REDIS_URL",
    "REQUIRE_2FA",
)


def clean_env(**values) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _CLEARED and not k.startswith("SECURE_")}
    env.update(values)
    return env


def run_python(code: str, env: dict[str, str]) -> str:
    result = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env={**env, "DJANGO_SETTINGS_MODULE": "thet_site.settings"},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


CSP_OF_A_PUBLIC_AND_AN_ADMIN_PAGE = """
import json, django
django.setup()
from django.http import HttpResponse
from django.test import RequestFactory
from thet_site.middleware import SiteCSPMiddleware
middleware = SiteCSPMiddleware(lambda request: HttpResponse("ok"))
print(json.dumps({
    path: middleware(RequestFactory().get(path))["Content-Security-Policy"]
    for path in ("/about/", "/admin/")
}))
"""


def csp_for(**env) -> dict[str, str]:
    env = clean_env(DEBUG="0", SECRET_KEY="test-only-not-secret", **env)
    return json.loads(run_python(CSP_OF_A_PUBLIC_AND_AN_ADMIN_PAGE, env))


def directives(policy: str) -> dict[str, set[str]]:
    return {part.split()[0]: set(part.split()[1:]) for part in policy.split(";") if part.strip()}


def origins(policy: str) -> set[str]:
    return set(re.findall(r"https?://[^\s;]+", policy))


# --- 1. The public Content-Security-Policy names only the origins it needs -------------


def test_public_csp_names_no_local_origin_when_the_admin_url_is_unset():
    policy = csp_for()["/about/"]
    assert "127.0.0.1" not in policy
    assert "localhost" not in policy
    # Only the video players' frames, in frame-src.
    assert origins(policy) == {
        "https://www.youtube-nocookie.com",
        "https://www.youtube.com",
        "https://player.vimeo.com",
    }
    frames = re.search(r"frame-src ([^;]+)", policy).group(1).split()
    assert set(frames) - {"'self'"} == origins(policy)


def test_admin_or_site_url_do_not_widen_the_public_csp():
    unset = directives(csp_for()["/about/"])
    admin_set = csp_for(WAGTAILADMIN_BASE_URL="http://127.0.0.1:8000")["/about/"]
    assert directives(admin_set) == unset
    admin_elsewhere = csp_for(WAGTAILADMIN_BASE_URL="https://admin.thet.org")["/about/"]
    assert directives(admin_elsewhere) == unset
    assert directives(csp_for(SITE_URL="https://www.thet.org")["/about/"]) == unset


def test_media_on_another_host_is_the_one_origin_added():
    policy = csp_for(MEDIA_URL="https://media.thet.org/media/")["/about/"]
    img = re.search(r"img-src ([^;]+)", policy).group(1).split()
    assert "https://media.thet.org" in img
    assert "127.0.0.1" not in policy and "localhost" not in policy


def test_the_admin_keeps_its_own_policy():
    admin = csp_for()["/admin/"]
    assert "'unsafe-inline'" in re.search(r"script-src ([^;]+)", admin).group(1)
    assert "127.0.0.1" not in admin


# --- 5. The HTTPS redirect: what `make serve` does is what docs/DEPLOY.md says ---------


def documented_production_env() -> dict[str, str]:
    """The `# production environment (example)` block in docs/DEPLOY.md."""
    text = DEPLOY_MD.read_text()
    block = re.search(r"```sh\n# production environment \(example\)\n(.*?)```", text, re.S)
    assert block, "docs/DEPLOY.md has no production environment block"
    pairs = [line.split("=", 1) for line in block.group(1).splitlines() if "=" in line]
    return {key.strip(): value.strip() for key, value in pairs}


def test_check_deploy_is_clean_with_the_documented_production_environment():
    documented = documented_production_env()
    assert documented["SITE_URL"].startswith("https://")
    documented["SECRET_KEY"] = secrets.token_urlsafe(50)  # the example's is a placeholder
    result = subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=clean_env(**documented),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_warns_without_site_url():
    documented = documented_production_env()
    del documented["SITE_URL"]
    documented["SECRET_KEY"] = secrets.token_urlsafe(50)
    result = subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=clean_env(**documented),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode != 0
    assert "thet.W001" in result.stdout + result.stderr


def serve_recipe() -> str:
    makefile = (BASE_DIR / "Makefile").read_text()
    recipe = re.search(r"^serve:.*?\n((?:\t.*\n)+)", makefile, re.M)
    assert recipe, "no serve recipe in the Makefile"
    return recipe.group(1)


def test_make_serve_keeps_the_documented_https_redirect():
    recipe = serve_recipe()
    commands = re.sub(r'echo "[^"]*"', "", recipe)  # the hints it prints are not settings
    # The recipe sets no security setting of its own: production's defaults apply...
    assert not re.search(r"\bSECURE_\w+=", commands), recipe
    assert "DEBUG=0" in recipe
    # ...and with DEBUG off and nothing set, the redirect is on, as DEPLOY.md says.
    code = "import django; django.setup(); from django.conf import settings; "
    code += "print(settings.SECURE_SSL_REDIRECT, settings.SESSION_COOKIE_SECURE)"
    assert run_python(code, clean_env(DEBUG="0", SECRET_KEY="x" * 50)).split() == [
        "True",
        "True",
    ]
    assert "`SECURE_SSL_REDIRECT` (on by default, `make serve` included)" in DEPLOY_MD.read_text()
    deploy = DEPLOY_MD.read_text()
    row = next(line for line in deploy.splitlines() if line.startswith("| `SECURE_SSL_REDIRECT`"))
    assert "turns it off" not in row


def test_make_serve_writes_site_url_into_the_site_record_before_gunicorn():
    recipe = serve_recipe()
    assert recipe.index("load_seed_content") < recipe.index("manage.py set_site_url")
    assert recipe.index("manage.py set_site_url") < recipe.index("gunicorn")
