"""The layer rule: a module imports only from its own layer or a lower one (style.md)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Lowest first. A module belongs to the layer of the longest matching prefix.
LAYERS = [
    ["portal", "portal.core", "portal.accounts", "portal.regions", "portal.audit"],
    ["partners"],
    ["participants"],
    ["training"],
    ["placements"],
    [
        "portal.web",
        "portal.api",
        "portal.urls",
        "portal.wsgi",
        "portal.reports",
        "portal.exports",
        "portal.privacy",
    ],
]
LEVEL = {prefix: level for level, prefixes in enumerate(LAYERS) for prefix in prefixes}
PACKAGES = ["portal", "partners", "participants", "training", "placements"]


def layer_of(module):
    parts = module.split(".")
    for end in range(len(parts), 0, -1):
        prefix = ".".join(parts[:end])
        if prefix in LEVEL:
            return LEVEL[prefix]
    return None


def module_name(path, root=ROOT):
    rel = path.relative_to(root).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path, module):
    tree = ast.parse(path.read_text(), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module
            yield node.lineno, target
            for alias in node.names:
                yield node.lineno, f"{target}.{alias.name}"


def layer_violations(paths, root=ROOT):
    found = []
    for path in paths:
        module = module_name(path, root)
        own = layer_of(module)
        for lineno, target in imported_modules(path, module):
            other = layer_of(target)
            if own is not None and other is not None and other > own:
                found.append(f"{path.relative_to(root)}:{lineno} imports {target}")
    return sorted(set(found))


def project_files():
    for package in PACKAGES:
        yield from (p for p in (ROOT / package).rglob("*.py") if "migrations" not in p.parts)


def test_no_module_imports_from_a_higher_layer():
    assert layer_violations(project_files()) == []


def test_the_rule_catches_an_upward_import(tmp_path):
    (tmp_path / "partners").mkdir()
    bad = tmp_path / "partners" / "_layer_probe.py"
    bad.write_text("from participants import models\nfrom portal.web import views\n")
    assert layer_violations([bad], root=tmp_path) == [
        "partners/_layer_probe.py:1 imports participants",
        "partners/_layer_probe.py:1 imports participants.models",
        "partners/_layer_probe.py:2 imports portal.web",
        "partners/_layer_probe.py:2 imports portal.web.views",
    ]


def test_every_project_module_has_a_layer():
    assert [p for p in project_files() if layer_of(module_name(p)) is None] == []
