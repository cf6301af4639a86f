"""The layer rule, checked on the source: a lower layer never imports a higher one.

Every module under ``src/recreason`` is parsed with ``ast`` (not imported), and every import in it is
collected: ``import`` and ``from ... import`` statements anywhere (inside functions and ``if
TYPE_CHECKING:`` blocks too; relative imports resolved), plus ``importlib.import_module`` calls whose
module name starts with a literal. Each import is mapped to its top-level part (``recreason.data``,
``recreason.serve`` ...) and must not name a part above the importing module's own. Same-level imports
are fine.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "recreason"

#: The layers, lowest first; parts on one line are the same level. ``recreason`` itself (the root
#: package: ``__version__``) is below all of them. ``sample`` (the embedded synthetic data generator)
#: builds Datasets and imports only ``data``; only the CLI uses it: it sits just above ``data``.
LAYERS: list[tuple[str, ...]] = [
    ("text",),
    ("data",),
    ("sample",),
    ("aspects",),
    ("profiles",),
    ("rank",),
    ("reasons",),
    ("guard",),
    ("evaluate",),
    ("serve",),
    ("cli",),
]
ROOT = "recreason"
LEVEL: dict[str, int] = {ROOT: -1} | {part: n for n, parts in enumerate(LAYERS) for part in parts}
ORDER = " < ".join(" = ".join(parts) for parts in LAYERS)


@dataclass(frozen=True)
class Import:
    file: str  # relative to the repository root
    line: int
    module: str  # the importing module, e.g. recreason.rank.base
    target: str  # the imported module, e.g. recreason.data.dataset

    def __str__(self) -> str:
        return (f"{self.file}:{self.line} ({part_of(self.module)}) imports {self.target} "
                f"({part_of(self.target)})")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def part_of(module: str) -> str:
    """The top-level part: ``recreason.data.schema`` -> ``data``; the root package -> ``recreason``."""
    names = module.split(".")
    return names[1] if len(names) > 1 else ROOT


def _is_package(path: Path) -> bool:
    return path.name == "__init__.py"


def _resolve_relative(module: str, is_package: bool, level: int, name: str | None) -> str:
    base = module.split(".")
    if not is_package:
        base = base[:-1]
    base = base[: len(base) - (level - 1)] if level > 1 else base
    return ".".join([*base, name] if name else base)


def _is_submodule(name: str) -> bool:
    path = SRC.joinpath(*name.split("."))
    return path.is_dir() or path.with_suffix(".py").is_file()


def _literal_prefix(node: ast.expr) -> str | None:
    """The module name (or its literal start, for an f-string) given to ``import_module``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
        return str(node.values[0].value)
    return None


def imports_of(path: Path) -> list[Import]:
    module, package = module_name(path), _is_package(path)
    rel = str(path.relative_to(SRC.parent))
    out: list[Import] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            source = (_resolve_relative(module, package, node.level, node.module) if node.level
                      else node.module or "")
            # `from recreason import data` imports the part recreason.data; `from recreason import
            # __version__` the root package.
            targets = [f"{source}.{alias.name}" if _is_submodule(f"{source}.{alias.name}") else source
                       for alias in node.names]
        elif (isinstance(node, ast.Call) and node.args
              and ((isinstance(node.func, ast.Attribute) and node.func.attr == "import_module")
                   or (isinstance(node.func, ast.Name) and node.func.id == "import_module"))):
            prefix = _literal_prefix(node.args[0])
            if prefix and prefix.startswith(f"{ROOT}."):
                targets = [prefix.rstrip(".")]
        for target in targets:
            if target == ROOT or target.startswith(f"{ROOT}."):
                out.append(Import(rel, node.lineno, module, target))
    return out


def all_modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def all_imports() -> list[Import]:
    return [imp for path in all_modules() for imp in imports_of(path)]


def violations(imports: list[Import]) -> list[Import]:
    return [imp for imp in imports if LEVEL[part_of(imp.target)] > LEVEL[part_of(imp.module)]]


def test_every_part_has_a_declared_level():
    parts = {part_of(module_name(p)) for p in all_modules()}
    undeclared = sorted(parts - LEVEL.keys())
    assert not undeclared, (f"top-level parts without a layer: {', '.join(undeclared)}; "
                            f"add each to LAYERS in tests/test_layers.py where its imports put it")
    stale = sorted(set(LEVEL) - parts - {ROOT})
    assert not stale, f"LAYERS names parts that do not exist: {', '.join(stale)}"


def test_no_module_imports_a_higher_layer():
    bad = violations(all_imports())
    assert not bad, (f"{len(bad)} import(s) of a higher layer (order, lowest first: {ORDER}):\n"
                     + "\n".join(f"  {imp}" for imp in bad))


def test_the_root_package_imports_no_part():
    init = PACKAGE / "__init__.py"
    assert not [imp for imp in imports_of(init) if imp.target != ROOT]


# -- the checker itself -----------------------------------------------------------------------------
@pytest.fixture
def fake_module(tmp_path, monkeypatch):
    """Write a module at src/recreason/<rel> in a fake tree and point the checker at it."""
    src = tmp_path / "src"
    for part in ("data", "rank", "serve"):
        (src / "recreason" / part).mkdir(parents=True)
        (src / "recreason" / part / "__init__.py").write_text("")
    (src / "recreason" / "__init__.py").write_text('__version__ = "0"\n')
    (src / "recreason" / "serve" / "routes.py").write_text("")
    monkeypatch.setitem(globals(), "SRC", src)
    monkeypatch.setitem(globals(), "PACKAGE", src / "recreason")

    def write(rel: str, text: str) -> Path:
        path = src / "recreason" / rel
        path.write_text(text)
        return path

    return write


def test_the_checker_finds_imports_inside_functions_relative_and_dynamic(fake_module):
    path = fake_module("data/bad.py", (
        "import json\n"
        "from recreason import __version__\n"
        "def f():\n"
        "    from recreason.serve.routes import router\n"
        "    return router\n"
        "def g():\n"
        "    import importlib\n"
        "    return importlib.import_module(f'recreason.rank.{json}')\n"
        "from ..serve import routes\n"
        "from .. import rank\n"
    ))
    found = sorted((imp.line, imp.target) for imp in imports_of(path))
    assert found == [(2, "recreason"), (4, "recreason.serve.routes"), (8, "recreason.rank"),
                     (9, "recreason.serve.routes"), (10, "recreason.rank")]
    bad = violations(imports_of(path))
    assert sorted(imp.line for imp in bad) == [4, 8, 9, 10]
    assert "src/recreason/data/bad.py:4 (data) imports recreason.serve.routes (serve)" in str(
        next(imp for imp in bad if imp.line == 4))


def test_the_checker_allows_same_level_and_lower_imports(fake_module):
    path = fake_module("serve/ok.py",
                       "from recreason.data import x\nfrom . import routes\nimport recreason.serve\n")
    targets = sorted(imp.target for imp in imports_of(path))
    assert targets == ["recreason.data", "recreason.serve", "recreason.serve.routes"]
    assert violations(imports_of(path)) == []
