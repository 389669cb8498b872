"""The rules of the house (docs/architecture.md), read from the code's own imports: the pure rules
import neither Flask nor the store, views never import another room's views, the store never
imports a view or the web, and the README's map of the house names what is there."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "assess"
ROOMS = ("assessment", "rounds", "registers", "programme", "audit", "web", "store", "demo")

# Rules: pure functions over plain values. They are what every figure and check rests on.
PURE = (
    "assessment/questionnaire.py",
    "assessment/scoring.py",
    "assessment/results.py",
    "assessment/staff.py",
    "assessment/staff_figures.py",
    "rounds/tables.py",
    "rounds/reminders.py",
    "registers/rules.py",
    "registers/entries.py",
    "programme/indicators.py",
    "programme/plan.py",
    "audit/round_pack.py",
    "audit/xlsx.py",
    "audit/writers.py",
    "charts/__init__.py",
    "charts/builders.py",
    "web/access.py",
    "programme/committee_report.py",
    "programme/committee_docx.py",
    "web/oidc_rules.py",
)
WEB_FRAMEWORKS = ("flask", "flask_wtf", "werkzeug", "wtforms", "jinja2")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def is_view(path: Path) -> bool:
    """A module that registers pages: it makes a blueprint or adds routes to one."""
    text = path.read_text()
    return "Blueprint(" in text or "@bp.route" in text


def room_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 and parts[1] in ROOMS else module


SOURCES = sorted(p for p in PACKAGE.rglob("*.py"))
VIEW_MODULES = {module_name(p) for p in SOURCES if is_view(p)}


@pytest.mark.parametrize("relative", PURE)
def test_the_pure_rules_import_neither_flask_nor_the_store(relative):
    imported = imports_of(PACKAGE / relative)
    forbidden = sorted(
        name
        for name in imported
        if name.split(".")[0] in WEB_FRAMEWORKS
        or name.startswith(("assess.store", "assess.web.", "assess.demo"))
        and name != "assess.web.access"
        or name in VIEW_MODULES
    )
    assert not forbidden, f"{relative} imports {forbidden}"


@pytest.mark.parametrize(
    "path", [p for p in SOURCES if is_view(p)], ids=lambda p: str(p.relative_to(PACKAGE))
)
def test_views_never_import_another_rooms_views(path):
    own = module_name(path)
    others = sorted(
        name
        for name in imports_of(path)
        if name in VIEW_MODULES and name != own and room_of(name) != room_of(own)
    )
    assert not others, f"{own} imports the views {others}: share a rule or a web helper instead"


@pytest.mark.parametrize("path", sorted((PACKAGE / "store").glob("*.py")), ids=lambda p: p.name)
def test_the_store_imports_no_view_and_nothing_of_the_web(path):
    imported = imports_of(path)
    wrong = sorted(n for n in imported if n in VIEW_MODULES or n.startswith("assess.web"))
    assert not wrong, f"store/{path.name} imports {wrong}"


def test_no_two_modules_import_each_other():
    graph = {module_name(p): imports_of(p) for p in SOURCES}
    pairs = sorted(
        (a, b)
        for a, imported in graph.items()
        for b in imported
        if b in graph and a < b and a in graph[b] and not b.startswith(a + ".")
    )
    assert not pairs, f"modules importing each other: {pairs}"


def test_every_room_and_module_named_in_the_readme_map_exists_and_each_room_is_named():
    readme = (PACKAGE.parent / "README.md").read_text()
    block = readme.split("## How it is built", 1)[1].split("```")[1]
    named = set(re.findall(r"assess/[\w/]+(?:\.py|/)", block))
    assert named, "the README's map names no module"
    missing = sorted(n for n in named if not (PACKAGE.parent / n).exists())
    assert not missing, f"the README names what is not there: {missing}"
    rooms = {f"assess/{p.name}/" for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    unnamed = sorted(rooms - named)
    assert not unnamed, f"the README's map leaves out {unnamed}"


VIEW_MOST_LINES = 40


def routes_in(path: Path):
    """Each function a blueprint routes to, with its length in lines (decorators left out)."""
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.FunctionDef) and any(
            isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute) and d.func.attr == "route"
            for d in node.decorator_list
        ):
            yield node.name, node.end_lineno - node.lineno + 1


def test_views_only_translate_none_is_over_40_lines():
    long = {
        f"{module_name(path)}.{name}": lines
        for path in SOURCES
        for name, lines in routes_in(path)
        if lines > VIEW_MOST_LINES
    }
    assert long == {}, f"views over {VIEW_MOST_LINES} lines: move the rule out of the view"


def test_web_workers_load_neither_altair_nor_vl_convert(app):
    """Only the renderer draws: a worker that built the app and served the pages with charts
    has not imported the drawing libraries (they are the heaviest thing assess can load)."""
    program = (
        "import sys\n"
        "from assess.web.app import create_app\n"
        f"app = create_app({{'TESTING': True}}, instance_path={str(app.instance_path)!r})\n"
        "import assess.charts, assess.web.pictures, assess.assessment.journey\n"
        "print(sorted(m for m in ('altair', 'vl_convert') if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"
    for path in SOURCES:
        if "charts/builders.py" in str(path) or "charts/renderer.py" in str(path):
            continue
        imported = imports_of(path)
        assert not any(m.startswith(("altair", "vl_convert")) for m in imported), path
        assert "assess.charts.builders" not in imported, path
