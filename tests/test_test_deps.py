"""`make test` checks what it needs before running anything: scripts/check_test_deps.

On a fresh clone the browser tests used to fail one by one (axe-core not installed)
until someone also ran `.ci/system-packages`. Now `make test` installs the pinned npm
packages itself and, for a missing system package, installs it as root or stops with one
line saying what to install. These tests run the script on throwaway folders and fake
executables; they never install anything.
"""

import json
import os
import shutil
import subprocess  # noqa: S404 - runs our own script, no shell
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
SCRIPT = BASE_DIR / "scripts" / "check_test_deps"
BROWSER = BASE_DIR / "tests" / "browser"


def run(*args, env=None):
    return subprocess.run(  # noqa: S603 - our own script
        [str(SCRIPT), *args],
        cwd=BASE_DIR,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def browser_dir(tmp_path):
    """A copy of tests/browser's package.json and lock, with node_modules as pinned."""
    shutil.copy(BROWSER / "package.json", tmp_path)
    shutil.copy(BROWSER / "package-lock.json", tmp_path)
    pinned = json.loads((BROWSER / "package.json").read_text())["dependencies"]
    assert {"axe-core", "vnu-jar"} <= set(pinned)
    for name, version in pinned.items():
        folder = tmp_path / "node_modules" / name
        folder.mkdir(parents=True)
        (folder / "package.json").write_text(json.dumps({"name": name, "version": version}))
    return tmp_path


def test_nothing_to_do_when_everything_is_installed(browser_dir):
    result = run("--dry-run", "--browser-dir", str(browser_dir))
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_missing_or_outdated_npm_packages_are_installed_with_npm_ci(browser_dir):
    shutil.rmtree(browser_dir / "node_modules" / "vnu-jar")
    axe = browser_dir / "node_modules" / "axe-core" / "package.json"
    axe.write_text(json.dumps({"name": "axe-core", "version": "4.0.0"}))
    result = run("--dry-run", "--browser-dir", str(browser_dir))
    assert result.returncode == 1
    assert result.stdout.strip() == (
        f"check_test_deps: would run npm ci in {browser_dir} for: axe-core vnu-jar"
    )


def test_missing_system_packages_stop_the_run_with_one_line(browser_dir):
    env = {"CHROMIUM": "/nonexistent/chromium", "JAVA": "/nonexistent/java"}
    result = run("--no-install", "--browser-dir", str(browser_dir), env=env)
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    assert "chromium default-jre-headless" in lines[0]
    assert ".ci/system-packages" in lines[0]


def test_as_root_it_would_install_them(browser_dir):
    result = run("--dry-run", "--browser-dir", str(browser_dir), env={"JAVA": "/nonexistent/java"})
    assert result.returncode == 1
    assert "would install system packages: default-jre-headless" in result.stdout


def test_make_test_checks_first_and_ci_uses_the_same_check():
    makefile = (BASE_DIR / "Makefile").read_text()
    recipe = makefile.split("\ntest: install\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert recipe[0].strip() == "scripts/check_test_deps"
    assert "pytest" in recipe[1]
    assert "scripts/check_test_deps" in (BASE_DIR / ".ci" / "system-packages").read_text()
