"""`make bench`: the site in production mode under wrk, pages against a static file.

Starts two gunicorn servers (2 workers each, loopback) on one freshly built database
(PostgreSQL when DATABASE_URL is set, else a temporary SQLite file; with REDIS_URL the
caches are in Redis) holding the seed content plus BENCH_PROJECTS (500) generated projects
(imported as a CSV: two countries of about 43, a health theme, a UK and an overseas partner
of about 256 each; bench/generate.py) and 200 generated publications: one server with the
page cache off, one with it on. For each URL and
server it runs wrk against the static CSS file and the page in turn, BENCH_ROUNDS times
(interleaved, so drift on a shared machine hits both alike), and reports the median
round's page throughput as a ratio of the static file's. SQL query counts come from
Django's test client in-process with the page cache off, at seed size and after the
generated content is added: for a full render (kept fragments and routes off) and for
the same page rendered again (kept). The cold render time is measured there too:
Django's test client in one process, page cache and kept fragments off, so every request
is a complete render as on the first visit after a publish; the median of
BENCH_COLD_RUNS (5) renders after one warm-up request (which loads the code and compiles
the templates, as a running server already has). With Varnish installed, a few pages
are also fetched through varnishd (docs/varnish/thet.vcl) in front of the page-cache-on
server, warmed first, and reported against the same static file served by that server.
Writes bench/results.md.

Environment: BENCH_PROJECTS (500), BENCH_SECONDS (3), BENCH_CONNECTIONS (4), BENCH_ROUNDS
(3), BENCH_COLD_RUNS (5), BENCH_OUTPUT (bench/results.md), BENCH_PAGES (names of urls()
pages to measure, comma-separated; all when unset). The database in
DATABASE_URL is migrated and filled with generated content: give it a scratch one.
"""

import contextlib
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # for tests.servers, as when run from the Makefile
from tests import servers  # noqa: E402 - after the path above

PY = sys.executable
DURATION = os.environ.get("BENCH_SECONDS", "3")
CONNECTIONS = os.environ.get("BENCH_CONNECTIONS", "4")
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
PROJECTS = int(os.environ.get("BENCH_PROJECTS", "500"))
COLD_RUNS = int(os.environ.get("BENCH_COLD_RUNS", "5"))
# The worst listing search a visitor can send: 100 one-letter words, 199 characters.
# The two servers: page cache off and on.
MODES = {"off": "0", "on": "1"}
HOSTILE_Q = "+".join("abcdefghijklmnopqrstuvwxyz"[n % 26] for n in range(100))


def urls():
    """The pages to measure, found in the database being benched."""
    from partnerships.models import HealthTheme, ProjectPage
    from policy.models import PublicationPage

    theme = HealthTheme.objects.order_by("pk").first()
    project = ProjectPage.objects.live().order_by("pk").first()
    publication = PublicationPage.objects.live().order_by("pk").first()
    return {
        "home": "/",
        "projects": "/our-work/projects/",
        "filtered projects": f"/our-work/projects/?theme={theme.slug}" if theme else None,
        # Two common words that every generated project matches.
        "searched projects": "/our-work/projects/?q=health+workers",
        "project page": project.url if project else None,
        "publications": "/publications/",
        "publication page": publication.url if publication else None,
        "hostile listing query": f"/our-work/projects/?q={HOSTILE_Q}",
        "search": "/search/?q=health",
        "sitemap": "/sitemap.xml",
        "sitemap page": "/sitemap-pages.xml",
        # Every project as IATI activities, the whole file.
        "projects IATI XML": "/our-work/projects/data.xml",
    }


def count_queries():
    """Print {name: [url, queries, status, ms]} for each page, via the test client (page
    cache off): queries of one render, and the median time of COLD_RUNS renders."""
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thet_site.settings")
    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(raise_request_exception=False)  # (a 500 is recorded, not raised)
    out = {}
    only = {name.strip() for name in os.environ.get("BENCH_PAGES", "").split(",") if name}
    for name, url in urls().items():
        if not url or (only and name not in only):
            continue
        client.get(url)  # warm up (settings rows, renditions)
        with CaptureQueriesContext(connection) as ctx:
            status = client.get(url).status_code
        queries = len(ctx)  # (now: the next request empties the connection's query log)
        times = []
        for _ in range(COLD_RUNS):
            started = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            if sum(times) > 20_000:  # a pathological page: its first renders say enough
                break
        out[name] = [url, queries, status, sorted(times)[len(times) // 2]]
    print(json.dumps(out))


def manage(env, *args):
    servers.manage(*args, env=env, timeout=3600)


def start_server(stack, env, tmp, cache):
    """A production-mode server (gunicorn, 2 workers) on this run's database, started the
    way the tests start theirs (tests/servers.py); stopped when `stack` closes."""
    prepared = servers.PreparedSite(root=tmp, env=env)
    site = stack.enter_context(
        servers.running_site(dict(PAGE_CACHE=cache, REQUEST_LOG="0"), prepared=prepared)
    )
    return site.url


# Pages fetched through Varnish as well: the listing, the home page, a detail page.
VARNISH_PAGES = ("home", "projects", "project page")


def start_varnish(backend_port, work):
    """varnishd with the repository's VCL in front of 127.0.0.1:`backend_port`, or None
    when Varnish is not installed; returns (process, port)."""
    varnishd = shutil.which("varnishd") or "/usr/sbin/varnishd"
    if not os.access(varnishd, os.X_OK):
        return None, None
    port = servers.free_port()
    vcl = (ROOT / "docs" / "varnish" / "thet.vcl").read_text()
    vcl = re.sub(r'\.port = "\d+";', f'.port = "{backend_port}";', vcl, count=1)
    (work / "thet.vcl").write_text(vcl)
    process = subprocess.Popen(  # noqa: S603
        [
            varnishd,
            "-F",
            "-j",
            "none",
            "-n",
            str(work / "varnish"),
            "-a",
            f"127.0.0.1:{port}",
            "-f",
            str(work / "thet.vcl"),
            "-s",
            "malloc,64m",
            "-T",
            "none",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(120):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=2)  # noqa: S310
            return process, port
        except OSError:
            time.sleep(0.5)
    process.kill()
    raise SystemExit("varnishd did not start")


def bench_varnish(varnish_port, server_port, static, pages):
    """Rows for `pages` ({name: url}) through Varnish, ratios against the static file
    served by the page-cache-on server, in interleaved rounds like the other rows."""
    rows = []
    for name, url in pages.items():
        page_url = f"http://127.0.0.1:{varnish_port}{url}"
        wrk(page_url)  # warm: the first request fills Varnish
        runs = []
        for _ in range(ROUNDS):
            s = wrk(f"http://127.0.0.1:{server_port}{static}")
            p = wrk(page_url)
            runs.append({"static": s, "page": p, "ratio": p["rps"] / s["rps"] if s["rps"] else 0})
        runs.sort(key=lambda run: run["ratio"])
        row = {"name": name, "url": url, **runs[len(runs) // 2]}
        row["ratios"] = [run["ratio"] for run in runs]
        rows.append(row)
        print(f"{name:18} through Varnish {row['ratio']:.3f}", flush=True)
    return rows


def wrk(url):
    result = subprocess.run(  # noqa: S603
        [shutil.which("wrk"), "-t1", f"-c{CONNECTIONS}", f"-d{DURATION}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    )
    text = result.stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))

    def ms(label):
        m = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)", text)
        if m is None:  # no request finished within wrk's timeout
            return float("nan")
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    non2xx = int(errors.group(1)) if errors else 0
    timeouts = re.search(r"timeout (\d+)", text)  # "Socket errors: ..., timeout N"
    non2xx += int(timeouts.group(1)) if timeouts else 0
    return {"rps": rps, "p50": ms("50"), "p99": ms("99"), "non2xx": non2xx}


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--queries":
        count_queries()
        return
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    tmp = Path(tempfile.mkdtemp(prefix="thet-bench-"))
    env = dict(os.environ)
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        SECURE_SSL_REDIRECT="0",
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        PAGE_CACHE_DIR=str(tmp / "pages"),
        MEDIA_ROOT=str(tmp / "media"),
        DJANGO_SETTINGS_MODULE="thet_site.settings",
    )
    env.setdefault("DATABASE_URL", f"sqlite:///{tmp / 'bench.sqlite3'}")
    # With Redis, this run's own keys (a shared Redis keeps others' pages).
    env["CACHE_KEY_PREFIX"] = f"thet-bench-{secrets.token_hex(4)}"
    print("building the database (migrate, seed)...", flush=True)
    manage(env, "collectstatic", "--noinput", "-v0")
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "load_seed_content")

    def queries(fragments):
        # Page cache off. Fragments off: every query of a full render (the first visit
        # after a change); on: a page rendered again with its fragments and route kept.
        query_env = dict(env, PAGE_CACHE="0", FRAGMENT_CACHE=fragments, REQUEST_LOG="0")
        out = subprocess.run(  # noqa: S603
            [PY, "bench/run.py", "--queries"],
            cwd=ROOT,
            env=query_env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return json.loads(out.strip().splitlines()[-1])

    seed_counts, seed_warm = queries("0"), queries("1")
    print(f"generating {PROJECTS} projects and 200 publications...", flush=True)
    subprocess.run(  # noqa: S603
        [PY, "bench/generate.py", str(PROJECTS)], cwd=ROOT, env=env, check=True
    )
    big_counts, big_warm = queries("0"), queries("1")

    static = "/static/" + _static_css(env)
    stack = contextlib.ExitStack()
    rows, varnish_rows = [], None
    varnish = None
    try:
        bases = {mode: start_server(stack, env, tmp, cache) for mode, cache in MODES.items()}
        for name, (url, *_) in big_counts.items():
            row = {"name": name, "url": url}
            for mode, base in bases.items():
                wrk(base + url)  # warm the page (and the caches)
                runs = []
                for _ in range(ROUNDS):  # interleaved: static, page, static, page, ...
                    s = wrk(base + static)
                    p = wrk(base + url)
                    ratio = p["rps"] / s["rps"] if s["rps"] else 0.0  # (workers busy: no static)
                    runs.append({"static": s, "page": p, "ratio": ratio})
                runs.sort(key=lambda run: run["ratio"])
                row[mode] = runs[len(runs) // 2]  # the median round
                row[mode]["ratios"] = [run["ratio"] for run in runs]
            row["queries"] = (
                seed_counts.get(name, [None, None])[1],
                big_counts[name][1],
                seed_warm.get(name, [None, None])[1],
                big_warm[name][1],
            )
            row["cold"] = (seed_counts.get(name, [None] * 4)[3], big_counts[name][3])
            rows.append(row)
            print(
                f"{name:18} off {row['off']['ratio']:.3f}  on {row['on']['ratio']:.3f}  "
                "queries full {}/{}, kept {}/{}".format(*row["queries"])
                + "  cold ms {}/{}".format(*(_ms(ms) for ms in row["cold"])),
                flush=True,
            )
        varnish, varnish_port = start_varnish(urlsplit(bases["on"]).port, tmp)
        if varnish is not None:
            pages = {name: big_counts[name][0] for name in VARNISH_PAGES if name in big_counts}
            varnish_rows = bench_varnish(varnish_port, urlsplit(bases["on"]).port, static, pages)
    finally:
        if varnish:
            varnish.terminate()
            varnish.wait(timeout=30)
        stack.close()
    write_results(rows, varnish_rows)
    shutil.rmtree(tmp, ignore_errors=True)


def _short(url):
    return url if len(url) <= 60 else f"{url[:40]}…({len(url)} characters)"


def _ms(value):
    return "–" if value is None else f"{value:.0f}"


def _static_css(env):
    manifest = ROOT / "staticfiles" / "staticfiles.json"
    if manifest.exists():
        return json.loads(manifest.read_text())["paths"]["css/site.css"]
    return "css/site.css"


def write_results(rows, varnish_rows=None):
    db = "PostgreSQL" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "SQLite"
    cache = "Redis" if os.environ.get("REDIS_URL") or os.environ.get("CACHE_URL") else "local"
    lines = [
        "# Benchmark results",
        "",
        f"`make bench` on {db} with the {cache} cache, gunicorn 2 sync workers, wrk "
        f"{CONNECTIONS} connections, {ROUNDS} interleaved rounds of {DURATION} s (static file, "
        f"then page) per page and mode; the median round is shown. Seed content + {PROJECTS} "
        "projects + 200 publications. Ratio = page req/s ÷ static CSS req/s in the same round "
        "on the same server. Targets: page cache on ≥ 0.5, off ≥ 0.033 (1/30); ≤ 15 queries, "
        f"the same at seed size and at {PROJECTS} projects.",
        "",
        "Queries, page cache off: *full* is a complete render (kept fragments off, as on the "
        "first visit after a change); *kept* is the same page rendered again, with its "
        "fragments and route kept (the steady state the 'cache off' throughput measures).",
        f"*Cold render*: the median of {COLD_RUNS} complete renders (page cache and kept "
        "fragments off) through Django's test client in one process, after one warm-up.",
        "",
        "| page | url | cache off req/s | off ratio (rounds) | off p50/p99 ms "
        "| cache on req/s | on ratio (rounds) | on p50/p99 ms "
        f"| queries full (seed / {PROJECTS}) | queries kept (seed / {PROJECTS}) "
        f"| cold render ms (seed / {PROJECTS}) |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        off, on = r["off"], r["on"]
        seed_full, big_full, seed_kept, big_kept = r["queries"]

        def rounds(mode):
            return ", ".join(f"{ratio:.3f}" for ratio in mode["ratios"])

        lines.append(
            f"| {r['name']} | `{_short(r['url'])}` | {off['page']['rps']:.0f} | "
            f"**{off['ratio']:.3f}** ({rounds(off)}) | "
            f"{off['page']['p50']:.1f}/{off['page']['p99']:.1f} | {on['page']['rps']:.0f} | "
            f"**{on['ratio']:.3f}** ({rounds(on)}) | "
            f"{on['page']['p50']:.1f}/{on['page']['p99']:.1f} | "
            f"{seed_full} / {big_full} | {seed_kept} / {big_kept} | "
            f"{_ms(r['cold'][0])} / {_ms(r['cold'][1])} |"
        )
    lines.append("")
    lines.append(
        "Static CSS req/s in the median round (off server / on server): "
        + ", ".join(f"{r['off']['static']['rps']:.0f}/{r['on']['static']['rps']:.0f}" for r in rows)
    )
    failures = [
        f"{r['name']} {mode} {r[mode]['page']['non2xx']} non-2xx"
        for r in rows
        for mode in ("off", "on")
        if r[mode]["page"]["non2xx"]
    ]
    lines += ["", *varnish_lines(varnish_rows)]
    failures += [
        f"{r['name']} through Varnish {r['page']['non2xx']} non-2xx"
        for r in varnish_rows or []
        if r["page"]["non2xx"]
    ]
    lines.append("")
    lines.append("Non-2xx responses and timeouts: " + ("; ".join(failures) if failures else "none"))
    text = "\n".join(lines) + "\n"
    (ROOT / os.environ.get("BENCH_OUTPUT", "bench/results.md")).write_text(text)
    print(text)


def varnish_lines(rows):
    if rows is None:
        return ["Through Varnish: not measured (varnishd is not installed)."]
    lines = [
        "Through Varnish: varnishd with `docs/varnish/thet.vcl` in front of the page "
        "cache on server, warmed first; ratio = page req/s through Varnish ÷ static CSS req/s "
        "from that server in the same round.",
        "",
        "| page | url | through Varnish req/s | ratio (rounds) | p50/p99 ms | static req/s |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        rounds = ", ".join(f"{ratio:.3f}" for ratio in r["ratios"])
        lines.append(
            f"| {r['name']} through Varnish | `{_short(r['url'])}` | {r['page']['rps']:.0f} | "
            f"**{r['ratio']:.3f}** ({rounds}) | {r['page']['p50']:.1f}/{r['page']['p99']:.1f} | "
            f"{r['static']['rps']:.0f} |"
        )
    return lines


if __name__ == "__main__":
    main()
