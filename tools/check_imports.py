"""The package's modules import one another without a circle, and only network.py
touches a network's private state.

Reads every module of src/ffnn (and the .pyx/.pxi binding), leaves out imports
made only for type checkers (under ``if TYPE_CHECKING:``), and fails if the
imports between ffnn's modules form a cycle, or if a module other than
network.py reads or writes an underscored attribute of a NeuralNetwork (by the
names the package gives one: net, network, model, clone, probe, other).

    python tools/check_imports.py
"""
import ast
import re
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "ffnn"
NETWORK_NAMES = {"net", "network", "model", "clone", "probe", "other"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def runtime_imports(tree: ast.Module, name: str) -> set[str]:
    """ffnn modules imported by the module `name`, outside `if TYPE_CHECKING:` blocks."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("ffnn"))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the package of `name`
                base = ".".join(name.split(".")[: -node.level] + ([base] if base else []))
            if base.startswith("ffnn"):
                for a in node.names:
                    candidate = f"{base}.{a.name}"
                    stem = PACKAGE.parent / candidate.replace(".", "/")
                    is_module = stem.is_dir() or any(stem.with_suffix(s).exists() for s in (".py", ".pyx"))
                    found.add(candidate if is_module else base)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    found.discard(name)
    return found


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every import circle, as the modules along it (found by depth-first search)."""
    found, state, path = [], {}, []

    def walk(node: str) -> None:
        state[node] = "open"
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                found.append(path[path.index(nxt):] + [nxt])
            elif nxt not in state:
                walk(nxt)
        path.pop()
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            walk(node)
    return found


def private_uses(source: str) -> list[str]:
    names = "|".join(sorted(NETWORK_NAMES))
    return [m.group(0) for m in re.finditer(rf"\b(?:{names})\._[a-z]\w*", source)]


def main() -> int:
    graph: dict[str, set[str]] = {}
    failures = []
    for path in sorted(PACKAGE.rglob("*.py")):
        name = module_name(path)
        source = path.read_text(encoding="utf-8")
        graph[name] = runtime_imports(ast.parse(source), name)
        if path.name != "network.py":
            failures += [f"{path.relative_to(PACKAGE.parent)}: {use}" for use in private_uses(source)]
    for path in sorted(list(PACKAGE.glob("*.pyx")) + list(PACKAGE.glob("*.pxi"))):
        source = path.read_text(encoding="utf-8")
        failures += [f"{path.relative_to(PACKAGE.parent)}: {use}" for use in private_uses(source)]
    for circle in cycles(graph):
        failures.append("import circle: " + " -> ".join(circle))
    for failure in failures:
        print(failure)
    print(f"{len(graph)} modules, {sum(map(len, graph.values()))} imports between them: "
          f"{'ok' if not failures else f'{len(failures)} problems'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
