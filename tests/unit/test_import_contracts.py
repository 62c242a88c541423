"""The architecture contracts of pyproject.toml ([tool.importlinter]) hold, and each one
catches what it is there for: a module that breaks it, added to a copy of the package, breaks
the check (docs/architecture.md, "Layout")."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import shutil
import sys
import tomllib
from pathlib import Path
from typing import Any

import grimp
import pytest
from importlinter import Contract, ContractCheck
from importlinter.api import read_configuration
from importlinter.application.use_cases import lint_imports
from importlinter.contracts.acyclic_siblings import AcyclicSiblingsContract
from importlinter.contracts.forbidden import ForbiddenContract
from importlinter.contracts.layers import LayersContract

import frontdesk
import frontdesk.features
from tests.import_contracts import FeatureApiContract

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"
PACKAGE = Path(frontdesk.__file__).parent
CONTRACT_TYPES: dict[str, type[Contract]] = {
    "layers": LayersContract,
    "acyclic_siblings": AcyclicSiblingsContract,
    "forbidden": ForbiddenContract,
    "feature_api": FeatureApiContract,
}


def test_the_import_contracts_hold() -> None:
    # What `lint-imports` runs; its report is printed (and shown here) when a contract breaks.
    assert lint_imports(str(PYPROJECT), cache_dir=None, no_logo=True), "see the report above"


def _checks(graph: grimp.ImportGraph) -> dict[str, ContractCheck]:
    configuration = read_configuration(str(PYPROJECT))
    checks = {}
    for options in configuration["contracts_options"]:
        contract_type = CONTRACT_TYPES[options["type"]]
        contract = contract_type(options["name"], configuration["session_options"], options)
        checks[options["id"]] = contract.check(graph, verbose=False)
    return checks


@pytest.fixture
def package_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the package's Python files that `grimp.build_graph("frontdesk")` reads."""
    shutil.copytree(
        PACKAGE,
        tmp_path / "frontdesk",
        ignore=lambda folder, names: (
            [n for n in names if not n.endswith(".py") and not Path(folder, n).is_dir()]
            + ["__pycache__"]
        ),
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "frontdesk")  # else find_spec answers with the real one
    return tmp_path / "frontdesk"


def test_the_copy_keeps_every_contract(package_copy: Path) -> None:
    # The baseline for the cases below: what breaks there is the module each one adds.
    checks = _checks(grimp.build_graph("frontdesk", cache_dir=None))
    assert all(check.kept for check in checks.values())


@pytest.mark.parametrize(
    ("module", "source", "contract"),
    [
        pytest.param(
            "transport/sneaky.py",
            "from frontdesk.features.visitors.models import Visitor\n",
            "transport-no-orm",
            id="transport-queries-a-table",
        ),
        pytest.param(
            "features/shortcuts/sneaky.py",
            "from frontdesk.features.conversations.queries import summary\n",
            "feature-api",
            id="feature-reaches-into-another",
        ),
        pytest.param(
            "features/shortcuts/sneaky.py",
            "from frontdesk.features.shortcuts import list_shortcuts\n",
            "feature-api",
            id="feature-imports-its-own-package",
        ),
        pytest.param(
            "features/orgs/sneaky.py",
            "from frontdesk.features import conversations\n",
            "features-acyclic",
            id="features-form-a-cycle",
        ),
        pytest.param(
            "features/shortcuts/sneaky.py",
            "from frontdesk.transport import http\n",
            "layers",
            id="feature-imports-transport",
        ),
        pytest.param(
            "core/sneaky.py",
            "from frontdesk.features import orgs\n",
            "layers",
            id="core-imports-a-feature",
        ),
    ],
)
def test_a_module_that_breaks_a_contract_is_caught(
    package_copy: Path, module: str, source: str, contract: str
) -> None:
    (package_copy / module).write_text(source)
    checks = _checks(grimp.build_graph("frontdesk", cache_dir=None))
    assert [name for name, check in checks.items() if not check.kept] == [contract]
    sneaky = "frontdesk." + module.removesuffix(".py").replace("/", ".")
    assert sneaky in str(checks[contract].metadata)


def test_transport_names_orm_types_only_for_the_type_checker() -> None:
    """The contract lets a few transport modules import a model module because they import
    it under `if TYPE_CHECKING:` only: at run time the name does not exist, so no query can use
    it. That stays so."""
    contracts = tomllib.loads(PYPROJECT.read_text())["tool"]["importlinter"]["contracts"]
    (transport,) = [c for c in contracts if c["id"] == "transport-no-orm"]
    assert transport["ignore_imports"]
    for expression in transport["ignore_imports"]:
        importer, imported = (part.strip() for part in expression.split("->"))
        path = PACKAGE.parent / (importer.replace(".", "/") + ".py")
        tree = ast.parse(path.read_text())
        guarded = {
            id(node)
            for block in ast.walk(tree)
            if isinstance(block, ast.If) and ast.unparse(block.test) == "TYPE_CHECKING"
            for statement in block.body
            for node in ast.walk(statement)
        }
        imports = [
            node
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module == imported
        ]
        assert imports, f"{expression}: no such import any more; drop it from pyproject.toml"
        assert all(id(node) in guarded for node in imports), (
            f"{importer} imports {imported} at run time"
        )


def _features() -> list[str]:
    return sorted(
        info.name
        for info in pkgutil.iter_modules(frontdesk.features.__path__, "frontdesk.features.")
        if info.ispkg
    )


@pytest.mark.parametrize("feature", _features())
def test_every_feature_lists_its_public_api(feature: str) -> None:
    package: Any = importlib.import_module(feature)
    assert "__all__" in vars(package), f"{feature}/__init__.py has no __all__"
    assert package.__all__, f"{feature} offers nothing"
    for name in package.__all__:
        assert hasattr(package, name), f"{feature}.__all__ names {name!r}, which it lacks"
