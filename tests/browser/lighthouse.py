"""Run Google Lighthouse (from npm, in tests/browser/node_modules) against a page.

    from tests.browser.lighthouse import lighthouse_scores, assert_perfect

    scores = lighthouse_scores(site_server + "/contact/")   # mobile, as Lighthouse's default
    assert_perfect(scores)          # 100 in accessibility, best practices, SEO; see below

Lighthouse drives Debian's Chromium itself (CHROME_PATH), headless, with the same flags as
the Playwright fixtures, and simulates a mid-range phone on a slow 4G connection (its
default "mobile" profile): a page scores 100 for performance only when its largest
content paints in about 1.2 s under that throttling, so page weight and render-blocking
resources matter. `form_factor="desktop"` uses Lighthouse's desktop preset instead.

Each call takes 10-20 s on a two-core machine, so test a few representative pages, not
every page. The result's `failures` lists every audit that scored below 1 in a category
under 100, so an assertion message says what to fix.
"""

from __future__ import annotations

import json
import os
import subprocess  # noqa: S404 - we run the pinned Lighthouse CLI, no shell
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

LIGHTHOUSE_CLI = Path(__file__).parent / "node_modules" / "lighthouse" / "cli" / "index.js"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
TIMEOUT_SECONDS = 120


@dataclass
class LighthouseResult:
    url: str
    scores: dict[str, int]
    failures: dict[str, list[str]] = field(default_factory=dict)

    def __str__(self) -> str:
        lines = [f"Lighthouse on {self.url}: {self.scores}"]
        for category, audits in self.failures.items():
            lines.extend(f"  {category}: {audit}" for audit in audits)
        return "\n".join(lines)


def _failures(report: dict) -> dict[str, list[str]]:
    audits = report["audits"]
    failures: dict[str, list[str]] = {}
    for name, category in report["categories"].items():
        if category["score"] is not None and category["score"] >= 1:
            continue
        for ref in category["auditRefs"]:
            audit = audits.get(ref["id"], {})
            if ref.get("weight", 0) and audit.get("score") is not None and audit["score"] < 1:
                value = audit.get("displayValue", "")
                failures.setdefault(name, []).append(f"{ref['id']} {value}".strip())
    return failures


def lighthouse_scores(url: str, form_factor: str = "mobile", runs: int = 3) -> LighthouseResult:
    """Lighthouse's four category scores (0-100) for `url`, and the audits that cost points.

    Accessibility, best practices and SEO are read from the page and do not vary between
    runs. Performance is computed from timings, and on a shared two-core machine one busy
    moment costs a point (Lighthouse's own advice is to run it several times): while only
    performance is under 100, it runs again, up to `runs` times, and the best run counts.
    """
    best = _run_once(url, form_factor)
    for _ in range(runs - 1):
        others_perfect = all(v == 100 for k, v in best.scores.items() if k != "performance")
        if best.scores.get("performance") == 100 or not others_perfect:
            break
        again = _run_once(url, form_factor)
        if again.scores.get("performance", 0) > best.scores.get("performance", 0):
            best = again
    return best


def _run_once(url: str, form_factor: str) -> LighthouseResult:
    """One Lighthouse run; a run Lighthouse itself reports as broken (its trace recording
    failed, "Please run Lighthouse again") is run once more before it is a failure."""
    try:
        return _run(url, form_factor)
    except RetryableRun:
        return _run(url, form_factor, last_try=True)


class RetryableRun(Exception):
    pass


def _run(url: str, form_factor: str, last_try: bool = False) -> LighthouseResult:
    if not LIGHTHOUSE_CLI.is_file():
        pytest.fail(
            f"Lighthouse is not installed ({LIGHTHOUSE_CLI} is missing): run "
            "`scripts/check_test_deps` (it runs `npm ci` in tests/browser).",
            pytrace=False,
        )
    with tempfile.TemporaryDirectory(prefix="lighthouse-") as scratch:
        output = Path(scratch) / "report.json"
        command = [
            "node",
            str(LIGHTHOUSE_CLI),
            url,
            "--quiet",
            "--output=json",
            f"--output-path={output}",
            f"--only-categories={','.join(CATEGORIES)}",
            f"--chrome-flags={' '.join(CHROMIUM_ARGS)}",
            "--max-wait-for-load=30000",
        ]
        if form_factor == "desktop":
            command.append("--preset=desktop")
        env = {
            **os.environ,
            "CHROME_PATH": str(CHROMIUM),
            # Lighthouse keeps a Chrome profile in TMPDIR; a private one per run.
            "TMPDIR": scratch,
        }
        done = subprocess.run(  # noqa: S603 - fixed arguments, our own URL
            command, env=env, capture_output=True, text=True, timeout=TIMEOUT_SECONDS
        )
        if done.returncode != 0 or not output.is_file():
            if not last_try:
                raise RetryableRun(done.stderr[-2000:])
            pytest.fail(f"Lighthouse failed on {url}:\n{done.stderr[-2000:]}", pytrace=False)
        report = json.loads(output.read_text())
    if report.get("runtimeError") and not last_try:
        raise RetryableRun(report["runtimeError"])
    if report.get("runtimeError"):
        pytest.fail(f"Lighthouse could not load {url}: {report['runtimeError']}", pytrace=False)
    scores = {
        name: round((category["score"] or 0) * 100)
        for name, category in report["categories"].items()
    }
    return LighthouseResult(url=url, scores=scores, failures=_failures(report))


# The performance audits measured in time: on a shared two-core machine running the rest of
# the suite (CI runs two test passes side by side) they vary from run to run.
TIMED_AUDITS = {
    "first-contentful-paint",
    "largest-contentful-paint",
    "total-blocking-time",
    "speed-index",
    "interactive",
    "max-potential-fid",
}
# The lowest performance score a test accepts, and only when every point lost is lost on
# a timed audit. On a quiet machine the pages score 100: check with
# `LIGHTHOUSE_PERFORMANCE_MIN=100 make test PYTEST_ARGS="-k lighthouse"`.
PERFORMANCE_MIN = int(os.environ.get("LIGHTHOUSE_PERFORMANCE_MIN", "90"))


def assert_perfect(result: LighthouseResult) -> None:
    """Fail unless accessibility, best practices and SEO scored 100 and performance lost
    points only on timed audits (and no more than ``PERFORMANCE_MIN`` allows), naming
    the audits that cost points."""
    others = {name: score for name, score in result.scores.items() if name != "performance"}
    assert all(score == 100 for score in others.values()), str(result)
    performance = result.scores.get("performance", 0)
    if performance < 100:
        untimed = [
            audit
            for audit in result.failures.get("performance", [])
            if audit.split()[0] not in TIMED_AUDITS
        ]
        assert not untimed, str(result)
        assert performance >= PERFORMANCE_MIN, str(result)
