"""The import-linter contract type that keeps features from reaching into each other.

Registered in pyproject.toml ([tool.importlinter], `contract_types`) and checked with the
others by `lint-imports` and by tests/unit/test_import_contracts.py. import-linter's own types
cannot say "only through the package": `protected` needs one contract per feature, and
`private_modules` would mean renaming every internal module to `_name`.
"""

from __future__ import annotations

from dataclasses import dataclass

import grimp
from importlinter import Contract, ContractCheck, fields, output


@dataclass(frozen=True, order=True)
class Reach:
    """One import that breaks the rule, where it is, and what to do instead."""

    importer: str
    imported: str
    line_numbers: tuple[int, ...]
    advice: str


class FeatureApiContract(Contract):
    """Code outside a feature package imports the package itself (its `__init__`, whose
    `__all__` lists what it offers) or one of its public data modules, never another of its
    modules. Code inside a feature imports its own modules, never its own package: a name
    taken from an `__init__` that is still running fails at import time.

    Options:
        - features:       the package whose children are the features (`frontdesk.features`).
        - public_modules: the modules of any feature that others may import directly
                          (ORM models, bus events, API answer models).
    """

    type_name = "feature_api"

    features = fields.StringField()
    public_modules = fields.ListField(subfield=fields.StringField())

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        parent: str = self.features  # type: ignore[assignment]
        public = set(self.public_modules)  # type: ignore[call-overload]
        reaches: list[Reach] = []
        for feature in sorted(graph.find_children(parent)):
            inside = {feature, *graph.find_descendants(feature)}
            for module in sorted(inside - {feature}):
                if module[len(feature) + 1 :].split(".")[0] in public:
                    continue
                for importer in sorted(graph.find_modules_that_directly_import(module) - inside):
                    reaches.append(
                        _reach(graph, importer, module, f"import it from {feature} (its __all__)")
                    )
            for importer in sorted(graph.find_modules_that_directly_import(feature) & inside):
                reaches.append(
                    _reach(graph, importer, feature, "import the module that defines the name")
                )
        return ContractCheck(kept=not reaches, metadata={"reaches": sorted(reaches)})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for reach in check.metadata["reaches"]:
            lines = ", ".join(map(str, reach.line_numbers))
            output.print_error(
                f"- {reach.importer} -> {reach.imported} (l.{lines}): {reach.advice}", bold=False
            )
            output.new_line()


def _reach(graph: grimp.ImportGraph, importer: str, imported: str, advice: str) -> Reach:
    details = graph.get_import_details(importer=importer, imported=imported)
    return Reach(importer, imported, tuple(d["line_number"] for d in details), advice)
