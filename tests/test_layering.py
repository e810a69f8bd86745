"""The stages import only what comes before them; only `checker.symbolic` imports z3.

Order: errors -> symbolic (the value domain: ints, bools, z3 terms, the solver) -> primitives
(each resource kind: its keywords and its semantics) -> lang -> program -> explore ->
describe (a trace's words) -> trace/verify -> render -> commands (each command as a function)
-> cli -> __main__ (`python -m checker`). A stage may import any earlier one.
"""
import ast
import pathlib

PKG = pathlib.Path(__file__).resolve().parent.parent / "checker"
ORDER = ["errors", "symbolic", "primitives", "lang", "program", "explore", "result", "describe", "trace", "verify",
         "render", "pytest_plugin", "commands", "cli", "__main__"]


def stage(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def imports(path: pathlib.Path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_only_symbolic_imports_z3():
    for path in PKG.rglob("*.py"):
        if "symbolic" in path.parts:
            continue
        assert not any(m == "z3" or m.startswith("z3.") for m in imports(path)), path


def test_no_stage_imports_a_later_one():
    for path in PKG.rglob("*.py"):
        rel = path.relative_to(PKG)
        own = rel.parts[0].removesuffix(".py")
        if own == "__init__":
            continue
        for m in imports(path):
            if not m.startswith("checker.") or m == "checker":
                continue
            other = stage(m)
            if other == "__init__" or other == own:
                continue
            assert ORDER.index(other) <= ORDER.index(own), f"{rel} imports {m}"
