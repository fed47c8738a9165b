"""Split the model generator's one module into a package of one module per schema.

datamodel-code-generator writes every schema into generated/models.py, and importing it made all
of them: about a twentieth of a cold start, for schemas most processes never use. A route builds
on its first request (app/http/routes.py) and names its models through the package, so with one
module per schema a process loads only those of the operations it serves, and the readiness
check only Health's. The package's __init__ names every model for mypy and imports each one's
module when the name is first read (PEP 562), so `from generated.models import PostCreate` works
as before.

Each module keeps the generator's header and imports (the formatter then drops those it does not
use), imports the other schemas it names from their modules, and holds one definition after the
helper functions it is the first to read. The generator orders the definitions so that each
names only those before it, so the modules import each other without a cycle; a definition that
names a later one is refused.

Usage: split_models.py GENERATED_DIR (rewrites GENERATED_DIR/models.py as GENERATED_DIR/models/).
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path
from string import Template
from typing import NamedTuple

_WORD_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


class Definition(NamedTuple):
    name: str
    source: str
    names: frozenset[str]
    """Every name the definition reads, its own excepted."""
    is_helper: bool


def module_name(name: str) -> str:
    """`PostCreate` → `post_create`, `HTTPError` → `http_error`."""
    return _WORD_BOUNDARY.sub("_", name).lower()


def _defined_name(node: ast.stmt) -> str:
    if isinstance(node, ast.ClassDef | ast.FunctionDef):
        return node.name
    if isinstance(node, ast.Assign) and len(node.targets) == 1:
        target = node.targets[0]
        if isinstance(target, ast.Name):
            return target.id
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return node.target.id
    raise ValueError(f"line {node.lineno}: not a definition the split knows: {ast.dump(node)}")


def parse(source: str) -> tuple[str, str, list[Definition]]:
    """The module's leading comment, its imports and its definitions, in order."""
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    body = tree.body
    first = next(i for i, n in enumerate(body) if not isinstance(n, ast.Import | ast.ImportFrom))
    comment = "".join(line for line in lines[: body[0].lineno - 1] if line.startswith("#"))
    imports = "".join(f"{ast.get_source_segment(source, node)}\n" for node in body[:first])
    definitions = []
    for node in body[first:]:
        start = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
        name = _defined_name(node)
        read = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} - {name}
        text = "".join(lines[start - 1 : node.end_lineno])
        definitions.append(
            Definition(name, text, frozenset(read), isinstance(node, ast.FunctionDef))
        )
    return comment, imports, definitions


def modules(definitions: list[Definition]) -> dict[str, list[Definition]]:
    """Each module's definitions, keyed by module name: one schema each, after the helpers it is
    the first to read."""
    every = {d.name for d in definitions}
    defined: set[str] = set()
    helpers: dict[str, Definition] = {}
    grouped: dict[str, list[Definition]] = {}
    for definition in definitions:
        later = (definition.names & every) - defined
        if later:
            raise ValueError(f"{definition.name} names {sorted(later)} before their definition")
        defined.add(definition.name)
        if definition.is_helper:
            helpers[definition.name] = definition
            continue
        module = module_name(definition.name)
        if module in grouped or module == "__init__":
            raise ValueError(f"{definition.name}: module name {module!r} is taken")
        # A helper read by a later schema too stays with the first, which the later imports.
        used = [helpers.pop(name) for name in sorted(definition.names & helpers.keys())]
        grouped[module] = [*used, definition]
    if helpers:
        raise ValueError(f"helpers no schema reads: {sorted(helpers)}")
    return grouped


def module_source(header: str, members: list[Definition], owner: dict[str, str]) -> str:
    own = {d.name for d in members}
    imports = {
        f"from .{owner[name]} import {name}\n"
        for d in members
        for name in d.names
        if name in owner and name not in own
    }
    body = "\n\n".join(d.source for d in members)
    return f"{header}{''.join(sorted(imports))}\n\n{body}"


_PACKAGE_INIT = Template(
    '''$comment"""The contract's schemas, one module each: scripts/codegen/split_models.py says why.

A name is imported from its module when it is first read: `from generated.models import X` loads
X's module and the modules of the schemas X names, nothing else.
"""

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
$type_imports
MODULES: dict[str, str] = {
$table}


if not TYPE_CHECKING:

    def __getattr__(name: str) -> object:
        module = MODULES.get(name)
        if module is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(import_module(f"{__name__}.{module}"), name)
        globals()[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*globals(), *MODULES})
'''
)


def package_init(comment: str, grouped: dict[str, list[Definition]]) -> str:
    schemas = sorted(
        (d.name, module) for module, members in grouped.items() for d in members if not d.is_helper
    )
    return _PACKAGE_INIT.substitute(
        comment=comment,
        type_imports="".join(
            f"    from .{module} import {name} as {name}\n" for name, module in schemas
        ),
        table="".join(f"    {name!r}: {module!r},\n" for name, module in schemas),
    )


def split(generated: Path) -> None:
    single = generated / "models.py"
    comment, imports, definitions = parse(single.read_text())
    grouped = modules(definitions)
    owner = {d.name: module for module, members in grouped.items() for d in members}
    header = f"{comment}\n{imports}"
    package = generated / "models"
    package.mkdir()
    for module, members in grouped.items():
        (package / f"{module}.py").write_text(module_source(header, members, owner))
    (package / "__init__.py").write_text(package_init(comment, grouped))
    single.unlink()


if __name__ == "__main__":
    split(Path(sys.argv[1]))
