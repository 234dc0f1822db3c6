"""Import rules of the layout: `portal/lib` is a leaf, apps reach `portal` only through it,
`territoires` stands below `aides` and `structures`, and no two modules import each other.

The rules are read from the source (AST), not from `sys.modules`: an import hidden in a
function is still a dependency, and counts for cycles too (moving an import into a function
hides a cycle, it does not remove it). Imports under `if TYPE_CHECKING:` are not executed and
do not count. Migrations are left out (Django generates them).
Each rule is also checked on a small synthetic tree, so a broken checker cannot pass silently.
"""

import ast
import textwrap
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
APPS = ("aides", "territoires", "structures")
PACKAGES = ("portal", *APPS)


@dataclass(frozen=True)
class Import:
    source: str  # importing module
    path: str  # its file, relative to the root
    line: int
    target: str  # dotted name of what is imported (a module of the tree when it is one)
    function: str = ""  # enclosing function, when the import is not at module level

    def __str__(self):
        where = f" (in {self.function}())" if self.function else ""
        return f"{self.path}:{self.line} imports {self.target}{where}"


def discover(root, packages=PACKAGES):
    """Module name → file, for every module of the packages (migrations excluded)."""
    modules = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            relative = path.relative_to(root)
            if "migrations" in relative.parts or "__pycache__" in relative.parts:
                continue
            parts = list(relative.with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


def _is_type_checking(test):
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


class _Collector(ast.NodeVisitor):
    def __init__(self):
        self.found = []  # (node, enclosing function)
        self.functions = []

    def visit_If(self, node):
        if _is_type_checking(node.test):
            for child in node.orelse:
                self.visit(child)
        else:
            self.generic_visit(node)

    def visit_FunctionDef(self, node):
        self.functions.append(node.name)
        self.generic_visit(node)
        self.functions.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Import(self, node):
        self.found.append((node, ".".join(self.functions)))

    visit_ImportFrom = visit_Import


def imports_of(module, path, modules, root):
    """Every import of one module, relative imports resolved; `from pkg import name` is an
    import of `pkg.name` when that is a module of the tree."""
    collector = _Collector()
    collector.visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
    is_package = path.name == "__init__.py"
    relative_path = path.relative_to(root).as_posix()
    result = []
    for node, function in collector.found:
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            base = node.module or ""
            if node.level:
                package = module if is_package else module.rpartition(".")[0]
                parts = package.split(".")
                parts = parts[: len(parts) - (node.level - 1)]
                base = ".".join([*parts, *([node.module] if node.module else [])])
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                for alias in node.names
            ]
        for target in dict.fromkeys(targets):
            result.append(Import(module, relative_path, node.lineno, target, function))
    return result


def all_imports(root=ROOT, packages=PACKAGES):
    modules = discover(root, packages)
    found = [imp for name, path in modules.items() for imp in imports_of(name, path, modules, root)]
    return modules, found


def _top(name):
    return name.split(".")[0]


def _in_lib(name):
    return name == "portal.lib" or name.startswith("portal.lib.")


def lib_violations(imports):
    """`portal/lib` imports no app: neither aides/territoires/structures nor portal outside lib."""
    return [
        imp
        for imp in imports
        if _in_lib(imp.source)
        and (_top(imp.target) in APPS or (_top(imp.target) == "portal" and not _in_lib(imp.target)))
    ]


def app_to_portal_violations(imports):
    """Apps import `portal` only through `portal.lib`."""
    return [
        imp
        for imp in imports
        if _top(imp.source) in APPS and _top(imp.target) == "portal" and not _in_lib(imp.target)
    ]


def territoires_violations(imports):
    """`territoires` is below the apps that use it: it imports neither aides nor structures."""
    return [
        imp
        for imp in imports
        if _top(imp.source) == "territoires" and _top(imp.target) in {"aides", "structures"}
    ]


def _known(target, modules):
    """The module of the tree an import runs (the longest dotted prefix that is one)."""
    parts = target.split(".")
    for end in range(len(parts), 0, -1):
        name = ".".join(parts[:end])
        if name in modules:
            return name
    return None


def _strongly_connected(graph):
    """Tarjan's components, iteratively (no recursion limit on long chains)."""
    index, low, on_stack, stack, components = {}, {}, set(), [], []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    components.append(sorted(component))
    return components


def _shortest_cycle(start, graph, members):
    """Shortest path start → … → start inside one component (breadth first)."""
    previous = {}
    queue = [start]
    for node in queue:
        for child in sorted(graph[node]):
            if child not in members:
                continue
            if child == start:
                path = [node]
                while path[-1] != start:
                    path.append(previous[path[-1]])
                return [start, *reversed(path[:-1]), start]
            if child not in previous:
                previous[child] = node
                queue.append(child)
    return [start, start]


def cycles(modules, imports):
    """One readable report per import circle: the shortest cycle, each edge with its line."""
    edges = {}
    for imp in imports:
        target = _known(imp.target, modules)
        if target and target != imp.source:
            edges.setdefault((imp.source, target), []).append(imp)
    graph = {name: set() for name in modules}
    for source, target in edges:
        graph[source].add(target)
    reports = []
    for component in _strongly_connected(graph):
        if len(component) < 2:
            continue
        path = _shortest_cycle(component[0], graph, set(component))
        lines = [" → ".join(path)]
        lines += [f"    {edges[(a, b)][0]}" for a, b in pairwise(path)]
        if len(component) > len(path) - 1:
            lines.append(f"    (same circle: {', '.join(component)})")
        reports.append("\n".join(lines))
    return reports


def _report(violations):
    return "\n" + "\n".join(str(v) for v in violations)


# --- The project --------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _locator_on_reference_data():
    """Source reading only: no test database (so this file also runs on its own)."""


@pytest.fixture(scope="module")
def project():
    return all_imports()


def test_the_checker_sees_the_project(project):
    modules, imports = project
    assert {"portal.lib.maps", "aides.models", "territoires.zonages.lookup"} <= set(modules)
    assert not any(".migrations" in name for name in modules)
    assert any(imp.target == "territoires.models" for imp in imports)


def test_portal_lib_imports_no_app(project):
    violations = lib_violations(project[1])
    assert not violations, _report(violations)


def test_apps_import_portal_only_through_portal_lib(project):
    violations = app_to_portal_violations(project[1])
    assert not violations, _report(violations)


def test_territoires_imports_neither_aides_nor_structures(project):
    violations = territoires_violations(project[1])
    assert not violations, _report(violations)


def test_no_import_circle_between_modules(project):
    reports = cycles(*project)
    assert not reports, "\n" + "\n".join(reports)


# --- The checker, on synthetic trees -------------------------------------------------------


def tree(root, files):
    """Writes the files (and the packages' __init__.py) under root."""
    for relative, text in files.items():
        path = root / relative
        for folder in [path.parent, *path.parent.parents]:
            if folder == root:
                break
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "__init__.py").touch()
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return all_imports(root)


def lines(violations):
    return sorted(str(v) for v in violations)


CLEAN = {
    "portal/lib/maps.py": "from portal.lib import uploads\nfrom . import secret\nimport django\n",
    "portal/lib/uploads.py": "from .secret import rule\n",
    "portal/lib/secret.py": "import math\n",
    "portal/views.py": "from aides.views import page\nfrom structures import views\n",
    "aides/views.py": "from portal.lib.maps import draw\nfrom territoires.models import Commune\n",
    "structures/views.py": "from portal.lib import maps\nfrom aides import views\n",
    "territoires/models.py": "from django.db import models\n",
    "territoires/migrations/0001_initial.py": "from structures.models import Structure\n",
}


def test_a_clean_tree_has_no_violation(tmp_path):
    modules, imports = tree(tmp_path, CLEAN)
    assert "territoires.migrations.0001_initial" not in modules
    assert lines(lib_violations(imports)) == []
    assert lines(app_to_portal_violations(imports)) == []
    assert lines(territoires_violations(imports)) == []
    assert cycles(modules, imports) == []


def test_checker_flags_portal_lib_importing_an_app(tmp_path):
    _, imports = tree(tmp_path, {
        **CLEAN,
        "portal/lib/maps.py": "from territoires.models import Commune\n",
        "portal/lib/uploads.py": "def f():\n    from .. import views\n",
        "portal/lib/secret.py": "import portal.opendata\n",
        "portal/opendata.py": "",
    })  # fmt: skip
    assert lines(lib_violations(imports)) == [
        "portal/lib/maps.py:1 imports territoires.models",
        "portal/lib/secret.py:1 imports portal.opendata",
        "portal/lib/uploads.py:2 imports portal.views (in f())",
    ]


def test_checker_flags_an_app_importing_portal_outside_lib(tmp_path):
    _, imports = tree(tmp_path, {
        **CLEAN,
        "aides/views.py": "from portal.lib.maps import draw\nfrom portal import views\n",
        "structures/api.py": "class A:\n    def get(self):\n        import portal.api\n",
        "portal/api.py": "",
    })  # fmt: skip
    assert lines(app_to_portal_violations(imports)) == [
        "aides/views.py:2 imports portal.views",
        "structures/api.py:3 imports portal.api (in get())",
    ]


def test_checker_flags_territoires_importing_aides_or_structures(tmp_path):
    _, imports = tree(tmp_path, {
        **CLEAN,
        "territoires/sections.py": (
            "import typing\nfrom typing import TYPE_CHECKING\n"
            "if TYPE_CHECKING:\n    from aides.models import Aide\n"
            "if typing.TYPE_CHECKING:\n    import structures.models\n"
            "else:\n    from structures import views\n"
        ),
        "territoires/zonages/display.py": "def f():\n    from aides.models import Aide\n",
        "aides/models.py": "",
        "structures/models.py": "",
    })  # fmt: skip
    assert lines(territoires_violations(imports)) == [
        "territoires/sections.py:8 imports structures.views",
        "territoires/zonages/display.py:2 imports aides.models (in f())",
    ]


def test_checker_finds_circles_through_function_level_and_relative_imports(tmp_path):
    modules, imports = tree(tmp_path, {
        **CLEAN,
        "aides/models.py": "from . import querysets\n",
        "aides/querysets.py": "from .eligibility import evaluate\n",
        "aides/eligibility.py": "def evaluate():\n    from aides.models import Aide\n",
        "territoires/zonages/lookup.py": "from .index import build\n",
        "territoires/zonages/index.py": (
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from . import lookup\n"
        ),
    })  # fmt: skip
    assert cycles(modules, imports) == [
        "aides.eligibility → aides.models → aides.querysets → aides.eligibility\n"
        "    aides/eligibility.py:2 imports aides.models (in evaluate())\n"
        "    aides/models.py:1 imports aides.querysets\n"
        "    aides/querysets.py:1 imports aides.eligibility"
    ]


def test_a_circle_report_names_every_module_of_a_larger_circle(tmp_path):
    modules, imports = tree(tmp_path, {
        **CLEAN,
        "structures/a.py": "from structures import b\n",
        "structures/b.py": "from structures import a, c\n",
        "structures/c.py": "import structures.a\n",
    })  # fmt: skip
    (report,) = cycles(modules, imports)
    assert report.splitlines()[0] == "structures.a → structures.b → structures.a"
    assert report.splitlines()[-1] == "    (same circle: structures.a, structures.b, structures.c)"
