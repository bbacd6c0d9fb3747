"""No private name of Wagtail, Django or modelsearch is used outside the adapter modules.

Upstream packages rename or drop their private names in any release, without notice.
The project keeps every such use in one ``<package>_compat.py`` module per package
(``thet_site/wagtail_compat.py`` …), each use tested in ``tests/test_compat.py``. This
test reads the project's source and fails on:

* ``from wagtail… import _name`` (likewise django, modelsearch);
* ``something._name`` where ``_name`` is a private name those packages use themselves
  (their own source, read here) and ``something`` is not ``self`` or ``cls``;
* a method ``_name`` defined in, or ``self._name`` used by, a class whose upstream base
  classes have ``_name``: overriding or reaching into a private part of theirs.

Django documents a few underscore names as public API; those are allowed.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
UPSTREAM = ("wagtail", "django", "modelsearch")
PROJECT_DIRS = ("bench", "pages", "partnerships", "policy", "scripts", "sitewide", "tests")
PROJECT_DIRS += ("thet_site",)
ADAPTERS = {
    "thet_site/wagtail_compat.py",
    "thet_site/django_compat.py",
    "thet_site/modelsearch_compat.py",
    "tests/test_private_names.py",  # names the rule, uses nothing
}
# Underscore names Django documents as public: Model._meta (the Options API), the
# default/base managers, Model._state.adding / .db, QuerySet._db is NOT one of these.
DOCUMENTED = {"_meta", "_default_manager", "_base_manager", "_state"}


def project_files() -> list[Path]:
    files = [ROOT / "manage.py"]
    for folder in PROJECT_DIRS:
        files += [
            path
            for path in (ROOT / folder).rglob("*.py")
            if "migrations" not in path.parts and "node_modules" not in path.parts
        ]
    return sorted(files)


@cache
def upstream_private_names() -> frozenset[str]:
    """Every ``_name`` the upstream packages use as an attribute or define."""
    names = set()
    for package in UPSTREAM:
        origin = importlib.util.find_spec(package).origin
        for path in Path(origin).parent.rglob("*.py"):
            names.update(UPSTREAM_NAME.findall(path.read_text(encoding="utf-8", errors="replace")))
    return frozenset(name for name in names if not name.startswith("__"))


# ``obj._name`` or ``def _name`` in upstream source (a regular expression: parsing all
# of Django and Wagtail would take half a minute; a false match only widens the net).
UPSTREAM_NAME = re.compile(r"(?:\.|\bdef |\bclass )(_[A-Za-z]\w*)")


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def upstream_bases_with(module, class_name: str, name: str) -> list[str]:
    """The upstream classes in ``class_name``'s MRO that have ``name``."""
    cls = getattr(module, class_name, None)
    if not isinstance(cls, type):
        return []
    return [
        f"{base.__module__}.{base.__qualname__}"
        for base in cls.__mro__[1:]
        if base.__module__.split(".")[0] in UPSTREAM and name in vars(base)
    ]


def findings_in(path: Path) -> list[str]:
    private = upstream_private_names()
    relative = path.relative_to(ROOT).as_posix()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []

    def report(node, text):
        found.append(f"{relative}:{node.lineno}: {text}")

    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in UPSTREAM:
            for alias in node.names:
                if alias.name.startswith("_") and alias.name not in DOCUMENTED:
                    report(node, f"imports {node.module}.{alias.name}")
        elif (
            isinstance(node, ast.Attribute)
            and node.attr in private
            and node.attr not in DOCUMENTED
            and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"))
        ):
            report(node, f"uses .{node.attr}")

    classes = [node for node in ast.walk(tree) if isinstance(node, ast.ClassDef)]
    if classes:
        module = importlib.import_module(module_name(path))
        for class_node in classes:
            top_level = class_node in tree.body
            names = set()
            for node in ast.walk(class_node):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    names.add((node, node.name))
                elif (
                    isinstance(node, ast.Attribute)
                    and isinstance(node.value, ast.Name)
                    and node.value.id in ("self", "cls")
                ):
                    names.add((node, node.attr))
            for node, name in sorted(names, key=lambda item: item[0].lineno):
                if not name.startswith("_") or name.startswith("__") or name in DOCUMENTED:
                    continue
                if top_level:
                    owners = upstream_bases_with(module, class_node.name, name)
                elif class_node.bases and name in private:
                    # A class made inside a function cannot be looked up: judged by name.
                    owners = ["an upstream base (by name)"]
                else:
                    owners = []
                if owners:
                    report(node, f"{class_node.name} reaches {name} of {', '.join(owners)}")
    return found


def test_no_private_upstream_name_outside_the_adapters():
    found = []
    for path in project_files():
        if path.relative_to(ROOT).as_posix() not in ADAPTERS:
            found += findings_in(path)
    assert not found, (
        "Private Wagtail/Django/modelsearch names outside the adapter modules "
        "(use a public API, or move the use into thet_site/<package>_compat.py with a test "
        "in tests/test_compat.py):\n" + "\n".join(found)
    )


@pytest.mark.parametrize(
    "source, expected",
    [
        ("from wagtail.models import _secret\n", "imports wagtail.models._secret"),
        ("def f(page):\n    return page._get_path\n", "uses ._get_path"),
        (
            "from django.core.cache.backends.filebased import FileBasedCache\n"
            "class C(FileBasedCache):\n    def _createdir(self):\n        pass\n",
            "C reaches _createdir",
        ),
    ],
)
def test_the_rule_catches_each_kind_of_use(tmp_path, monkeypatch, source, expected):
    folder = tmp_path / "probe_pkg"
    folder.mkdir()
    (folder / "__init__.py").write_text("")
    (folder / "probe.py").write_text(source)
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        found = findings_in(folder / "probe.py")
    except ImportError:
        pytest.fail("the probe module could not be imported")
    assert any(expected in line for line in found), found


def test_the_rule_leaves_the_projects_own_private_names_alone(tmp_path, monkeypatch):
    folder = tmp_path / "probe_ok"
    folder.mkdir()
    (folder / "__init__.py").write_text("")
    (folder / "probe.py").write_text(
        "class Breaker:\n"
        "    def __init__(self):\n        self._lock = None\n"
        "    def _state_name(self):\n        return self._lock\n"
    )
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    assert findings_in(folder / "probe.py") == []
