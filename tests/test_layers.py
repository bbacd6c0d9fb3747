"""The layers hold (docs/ARCHITECTURE.md): import-linter's contracts in pyproject.toml,
checked here too so ``make test`` guards them, and shown to catch what they are for.

    sitewide                  (top: site-wide composition; thet_site.urls beside it)
    partnerships | policy     (features: independent of each other)
    pages                     (base; thet_site's helpers import no app either)
"""

import copy
import subprocess
import sys
import tomllib
from pathlib import Path

import grimp
import pytest
from importlinter import configuration
from importlinter.contracts.forbidden import ForbiddenContract
from importlinter.contracts.independence import IndependenceContract
from importlinter.contracts.layers import LayersContract

ROOT = Path(__file__).resolve().parent.parent
CONTRACT_TYPES = {
    "layers": LayersContract,
    "independence": IndependenceContract,
    "forbidden": ForbiddenContract,
}


def test_lint_imports_passes():
    """The same command as ``make lint``, on the code as it is."""
    result = subprocess.run(  # noqa: S603 - a fixed command, no input from outside
        [str(Path(sys.executable).parent / "lint-imports"), "--no-logo", "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 kept, 0 broken" in result.stdout


@pytest.fixture(scope="module")
def linter():
    """The contracts as configured, and the project's import graph (built once)."""
    configuration.configure()
    options = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    contracts = options.pop("contracts")
    graph = grimp.build_graph(*options["root_packages"], cache_dir=None)
    return options, contracts, graph


def broken(linter, *imports) -> set[str]:
    """The ids of the contracts broken once ``imports`` (importer, imported) are added."""
    options, contracts, graph = linter
    graph = copy.deepcopy(graph)
    for importer, imported in imports:
        graph.add_import(importer=importer, imported=imported)
    ids = set()
    for options_of_contract in contracts:
        contract = CONTRACT_TYPES[options_of_contract["type"]](
            name=options_of_contract["name"],
            session_options=options,
            contract_options=options_of_contract,
        )
        if not contract.check(copy.deepcopy(graph), verbose=False).kept:
            ids.add(options_of_contract["id"])
    return ids


def test_the_code_as_it_is_keeps_every_contract(linter):
    assert broken(linter) == set()


@pytest.mark.parametrize(
    ("importer", "imported", "contract"),
    [
        # The base layer importing a feature app: the cycle the layers were drawn to remove.
        ("pages.models", "policy.models", "layers"),
        ("pages.search", "partnerships.models", "layers"),
        # A feature app importing the top layer.
        ("partnerships.models", "sitewide.search", "layers"),
        ("pages.views", "sitewide.views", "layers"),
        # One feature app importing the other (TaxonomyBase used to be partnerships').
        ("policy.models", "partnerships.models", "features-independent"),
        ("partnerships.views", "policy.models", "features-independent"),
        # A low-level helper importing an app.
        ("thet_site.pagecache", "pages.models", "thet-site-low-level"),
        ("thet_site.siteurl", "sitewide.search", "thet-site-low-level"),
        # ... or the URL configuration, which imports every app: the apps use the helper,
        # so the chain pages -> thet_site.privacy -> thet_site.urls -> sitewide is caught.
        ("thet_site.privacy", "thet_site.urls", "layers"),
    ],
)
def test_a_forbidden_import_breaks_its_contract(linter, importer, imported, contract):
    assert contract in broken(linter, (importer, imported))


@pytest.mark.parametrize(
    ("importer", "imported"),
    [
        ("sitewide.views", "partnerships.models"),
        ("sitewide.search", "policy.models"),
        ("policy.models", "pages.taxonomy"),
        ("partnerships.forms", "pages.search"),
        ("pages.models", "thet_site.privacy"),
        # The URL configuration is the top layer.
        ("thet_site.urls", "sitewide.views"),
    ],
)
def test_an_import_down_the_layers_is_allowed(linter, importer, imported):
    assert broken(linter, (importer, imported)) == set()
