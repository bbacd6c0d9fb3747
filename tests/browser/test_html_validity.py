"""Every page's HTML is valid: the Nu Html Checker (vnu.jar) finds no error.

The checker catches what axe's WCAG rules miss (duplicate ids that misname sections, a
live region inside a heading, misnested elements). The HTML comes from the real site in
production mode (the same server as the browser tests); every page is written to a file
and checked by one Java process, so the whole run costs a few seconds.

vnu.jar is pinned in tests/browser/package.json (npm `vnu-jar`, installed by `make test`
or `.ci/system-packages`) and runs on Debian's Java (`default-jre-headless`). `VNU_JAR`
may point at another copy of the jar.
"""

import json
import os
import shutil
import subprocess  # noqa: S404 - runs java on our own files, no shell
import urllib.error
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

VNU_JAR = Path(
    os.environ.get("VNU_JAR")
    or Path(__file__).parent / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
)

# A short run: the quick JIT tier only, and no language guessing (every page declares
# lang="en-GB"; a guess could only warn). 1-2 s instead of 5-18 s for twenty pages.
JAVA_OPTIONS = ["-XX:TieredStopAtLevel=1", "-Xss8m"]
VNU_OPTIONS = ["--format", "json", "--errors-only", "--no-langdetect"]

LIST_PAGES = """
import json
from wagtail.models import Page
print(json.dumps([p.url for p in Page.objects.live().public().filter(depth__gte=2)]))
"""

# Beyond every seeded page: search results (some and none), both listings filtered (with
# results, and with a value that names nothing), and the 404 page.
EXTRA_URLS = [
    "/search/?q=health",
    "/search/?q=zzzyyyxxx",
    "/our-work/projects/?country=tanzania&theme=mental-health",
    "/our-work/projects/?theme=no-such-theme",
    "/our-work/projects/?country=nepal",  # with "Latest from Nepal"
    "/search/?q=earthquake&kind=news",
    "/publications/?type=report&topic=diaspora",
    "/publications/?type=no-such-type&year=abc",
    "/no-such-page/",
]


def _fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - our server
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def nu_errors(files: list[Path]) -> list[dict]:
    """The Nu checker's errors for ``files`` (one Java process for all of them)."""
    java = shutil.which("java")
    if java is None:
        pytest.fail(
            "Java is not installed: run `.ci/system-packages` "
            "(or, as root, `apt-get install -y default-jre-headless`).",
            pytrace=False,
        )
    if not VNU_JAR.is_file():
        pytest.fail(
            f"vnu.jar is not installed ({VNU_JAR} is missing): run `make test` or "
            "`.ci/system-packages` (they run `npm ci` in tests/browser).",
            pytrace=False,
        )
    result = subprocess.run(  # noqa: S603 - fixed argv, our own files
        [java, *JAVA_OPTIONS, "-jar", str(VNU_JAR), *VNU_OPTIONS, *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    try:
        messages = json.loads(result.stderr)["messages"]
    except (json.JSONDecodeError, KeyError):
        pytest.fail(f"vnu.jar did not report (exit {result.returncode}):\n{result.stderr[-3000:]}")
    return [m for m in messages if m.get("type") in ("error", "non-document-error")]


def test_every_page_is_valid_html(live_site, site_server, tmp_path):
    out = live_site.manage("shell", "-c", LIST_PAGES).stdout.strip().splitlines()[-1]
    urls = [*json.loads(out), *EXTRA_URLS]
    assert len(urls) >= 17, urls
    files, url_of, problems = [], {}, []
    for number, url in enumerate(urls):
        status, body = _fetch(site_server + url)
        expected = 404 if url == "/no-such-page/" else 200
        if status != expected:
            problems.append(f"{url}: HTTP {status}, expected {expected}")
        path = tmp_path / f"page-{number:03d}.html"
        path.write_bytes(body)
        files.append(path)
        url_of[path.name] = url
    for message in nu_errors(files):
        name = message.get("url", "?").rsplit("/", 1)[-1]  # vnu writes file:/tmp/…/page-000.html
        where = url_of.get(name, name)
        extract = " ".join(message.get("extract", "").split())[:120]
        problems.append(
            f"{where} line {message.get('lastLine', '?')}: {message['message']} [{extract}]"
        )
    assert not problems, f"Nu Html Checker, {len(urls)} pages:\n" + "\n".join(problems)
