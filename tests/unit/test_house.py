"""The house rules, checked on the source with ``ast``: small modules, one-way imports, no stray lazy imports.

* No module in ``workshop/`` (migrations aside) is over 500 lines: split it by concern first.
* Web views never import one another; what two share lives in a shared web module (the list
  below and in ``workshop/web/__init__.py``) or further down. The domain is pure (standard
  library and itself only), and services never reach up into the web layer.
* A function-local import is either gone or says why it is there, in a comment on its own
  line or the line before (for a run of imports, before the first).

Each rule is a small function tested on a planted example first, so a rule that silently
matches nothing would fail here too.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "workshop"
MAX_LINES = 500

# Web modules that are infrastructure, not views: any web module may import them. Keep in step
# with the docstring of workshop/web/__init__.py.
SHARED_WEB = {
    "auth",
    "forms",
    "links",
    "control",
    "rendering",
    "ratelimit",
    "fairshare",
    "validation",
    "hooks",
    "errors",
    "localonly",
}
# From auth (which is also the login view) only the guard may be imported.
AUTH_GUARD = {"login_required", "current_facilitator", "is_local", "session_facilitator_id"}
STDLIB = set(sys.stdlib_module_names) | {"__future__"}


def _sources() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "migrations" not in p.relative_to(PACKAGE).parts)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(module: str, source: str, *, is_package: bool = False) -> Iterator[tuple[str, tuple[str, ...]]]:
    """Yield (absolute module, names imported from it) for every import in ``source``."""
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, ()
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            names = tuple(a.name for a in node.names)
            yield target, names
            if not node.module:  # ``from . import ratelimit`` imports the module workshop.web.ratelimit
                for name in names:
                    yield f"{target}.{name}", ()


def web_unit(module: str) -> str | None:
    """The top-level web module or package a module belongs to (``exports`` for workshop.web.exports.record)."""
    parts = module.split(".")
    if parts[:2] != ["workshop", "web"] or len(parts) < 3:
        return None
    return parts[2]


def sideways_imports(module: str, source: str, *, is_package: bool = False) -> list[str]:
    """The imports of other web views (or of auth beyond its guard) made by one web module."""
    own = web_unit(module)
    if own is None or module == "workshop.web":
        return []
    wrong = []
    for target, names in imports_of(module, source, is_package=is_package):
        unit = web_unit(target)
        if unit is None or unit == own:
            continue
        if unit == "auth" and target == "workshop.web.auth" and not set(names) <= AUTH_GUARD:
            wrong.append(f"{module} imports {sorted(set(names) - AUTH_GUARD)} from the auth view")
        elif unit not in SHARED_WEB:
            wrong.append(f"{module} imports the view {target}")
        elif own in SHARED_WEB and unit not in SHARED_WEB:
            wrong.append(f"shared {module} imports the view {target}")
    return wrong


def layer_violations(module: str, source: str, *, is_package: bool = False) -> list[str]:
    """Imports that point the wrong way: the domain beyond the standard library, services into the web."""
    wrong = []
    for target, _names in imports_of(module, source, is_package=is_package):
        top = target.split(".")[0]
        if module.startswith("workshop.domain"):
            if not (top in STDLIB or target.startswith("workshop.domain")):
                wrong.append(f"{module} (pure domain) imports {target}")
        elif module.startswith("workshop.services") and (
            top == "flask" or target.startswith(("workshop.web", "workshop.realtime"))
        ):
            wrong.append(f"{module} (a service) imports {target}")
    return wrong


_NOT_A_REASON = ("noqa", "type:", "pragma")


def _is_reason(comment: str) -> bool:
    text = comment.lstrip("#").strip()
    return bool(text) and not text.startswith(_NOT_A_REASON)


def unexplained_local_imports(source: str) -> list[int]:
    """Line numbers of imports inside a function with no comment saying why."""
    lines = source.splitlines()

    def comment_on(lineno: int) -> bool:
        line = lines[lineno - 1]
        return "#" in line and _is_reason(line.split("#", 1)[1])

    def comment_before(lineno: int) -> bool:
        return lineno >= 2 and lines[lineno - 2].strip().startswith("#") and _is_reason(lines[lineno - 2].strip())

    bad = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for body in _bodies(node):
            run_start: int | None = None
            for stmt in body:
                if isinstance(stmt, (ast.Import, ast.ImportFrom)):
                    if run_start is None:
                        run_start = stmt.lineno
                    if not (comment_on(stmt.lineno) or comment_before(run_start)):
                        bad.append(stmt.lineno)
                else:
                    run_start = None
    return sorted(set(bad))


def _bodies(function: ast.AST) -> Iterator[list[ast.stmt]]:
    """Every statement list inside a function (its body, and those of its if/try/with/for blocks)."""
    for node in ast.walk(function):
        for name in ("body", "orelse", "finalbody"):
            block = getattr(node, name, None)
            if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
                yield block
        for handler in getattr(node, "handlers", []) or []:
            yield handler.body


# --------------------------------------------------------------------------- the rules, on planted examples


def test_the_import_rules_catch_what_they_should() -> None:
    assert sideways_imports("workshop.web.projector", "from .facilitator import join_url\n") == [
        "workshop.web.projector imports the view workshop.web.facilitator"
    ]
    assert sideways_imports("workshop.web.assisted", "from . import participant\n")
    assert sideways_imports("workshop.web.exports.record", "from ..sockets import run_control\n")
    assert sideways_imports("workshop.web.participant", "from .auth import login\n")
    assert sideways_imports("workshop.web.links", "from .facilitator import bp\n")
    # Allowed: shared modules, the auth guard, modules of one's own package, and anything below web.
    allowed = "from .auth import login_required\nfrom .forms import RoleForm\nfrom .blueprint import bp\nfrom ...services import live\n"
    assert sideways_imports("workshop.web.exports.record", allowed) == []
    assert layer_violations("workshop.domain.tally", "from flask import g\n")
    assert layer_violations("workshop.domain.tally", "import sqlalchemy\n")
    assert layer_violations("workshop.domain.tally", "from ..services import live\n")
    assert layer_violations("workshop.services.live", "from ..web.links import join_url\n")
    assert layer_violations("workshop.services.live", "from flask import current_app\n")
    assert layer_violations("workshop.domain.records.build", "from ..suppression import suppress\nimport json\n") == []


def test_the_local_import_rule_catches_what_it_should() -> None:
    source = """
def bare():
    import json

def noqa_is_not_a_reason():
    import json  # noqa: F401

def explained():
    # weasyprint is heavy and only PDFs need it
    from weasyprint import HTML
    from weasyprint import CSS

def explained_inline():
    if True:
        import csv  # breaks the cycle with models

def later_run():
    # the first run is explained
    import json
    x = 1
    import csv
"""
    lines = source.splitlines()
    bad = {lines[n - 1].strip() + f"@{n}" for n in unexplained_local_imports(source)}
    assert bad == {"import json@3", "import json  # noqa: F401@6", "import csv@21"}


# --------------------------------------------------------------------------- the rules, on the house


def test_the_house_is_all_read() -> None:
    names = {_module_name(p) for p in _sources()}
    assert {"workshop", "workshop.web", "workshop.domain.records", "workshop.web.exports.record"} <= names
    assert len(names) > 40


@pytest.mark.parametrize("path", _sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_is_over_500_lines(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(ROOT)} has {lines} lines: split it by concern"


def test_web_views_never_import_each_other() -> None:
    wrong = []
    for path in _sources():
        module = _module_name(path)
        wrong += sideways_imports(module, path.read_text(encoding="utf-8"), is_package=path.name == "__init__.py")
    assert not wrong, "\n".join(wrong)


def test_the_shared_web_modules_exist_and_are_listed() -> None:
    """The list above is the one in workshop/web/__init__.py, and each module in it exists."""
    doc = ast.get_docstring(ast.parse((PACKAGE / "web" / "__init__.py").read_text(encoding="utf-8"))) or ""
    for name in SHARED_WEB:
        assert (PACKAGE / "web" / f"{name}.py").exists(), name
        assert f"``{name}``" in doc, f"workshop/web/__init__.py does not list the shared module {name}"


def test_layers_import_one_way() -> None:
    wrong = []
    for path in _sources():
        module = _module_name(path)
        wrong += layer_violations(module, path.read_text(encoding="utf-8"), is_package=path.name == "__init__.py")
    assert not wrong, "\n".join(wrong)


def test_every_function_local_import_says_why() -> None:
    wrong = []
    for path in _sources():
        for line in unexplained_local_imports(path.read_text(encoding="utf-8")):
            wrong.append(f"{path.relative_to(ROOT)}:{line}")
    assert not wrong, "imports inside a function with no comment saying why:\n" + "\n".join(wrong)


def test_the_pure_domain_imports_without_the_app() -> None:
    """Why create_app imports the adapters lazily: importing the domain must not load them."""
    probe = (
        "import sys, workshop.domain.records, workshop.domain.report; "
        "print(sorted(m for m in sys.modules if m.startswith(('workshop.web', 'workshop.services', 'workshop.realtime'))))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.strip() == "[]", result.stdout
