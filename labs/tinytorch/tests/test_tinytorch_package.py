"""The package as a whole: lazy top-level names, no matplotlib, ImportErrors surface,
nothing random or printed at import, and only what runs unchanged under Pyodide."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import tinytorch

TINYTORCH_ROOT = Path(__file__).resolve().parents[1]
PACKAGE = TINYTORCH_ROOT / "tinytorch"
SOURCES = sorted(PACKAGE.rglob("*.py"))

# Imports the package may use: numpy and stdlib modules that exist in Pyodide and start
# no threads or processes and touch no files.
ALLOWED_IMPORTS = {"__future__", "collections", "contextlib", "importlib", "math", "numpy",
                   "time", "typing", "tinytorch"}  # fmt: skip

BLOCKER = """
import sys
class Blocker:
    def __init__(self, names):
        self.names = names
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in self.names:
            raise ModuleNotFoundError(f"No module named {name!r} (blocked by the test)", name=name)
        return None
sys.meta_path.insert(0, Blocker(BLOCKED))
"""

IMPORT_ALL = """
import importlib, pkgutil, tinytorch
for info in pkgutil.walk_packages(tinytorch.__path__, "tinytorch."):
    importlib.import_module(info.name)
"""


def _python(*parts: str, blocked: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    """Run the code ``parts`` (each dedented) in a fresh interpreter, with ``blocked``
    top-level modules made unimportable."""
    prelude = f"BLOCKED = {blocked!r}\n" + BLOCKER if blocked else ""
    code = prelude + "".join(textwrap.dedent(part) for part in parts)
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=TINYTORCH_ROOT, capture_output=True, text=True, timeout=120, check=False,
        env={"PYTHONPATH": str(TINYTORCH_ROOT), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip


def test_every_module_imports_with_matplotlib_blocked():
    done = _python(
        IMPORT_ALL,
        """
        assert "matplotlib" not in sys.modules
        try:
            import matplotlib
        except ImportError as exc:
            print("blocked:", exc)
        print(len([m for m in sys.modules if m.startswith("tinytorch.")]))
        """,
        blocked=("matplotlib",),
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "blocked: No module named 'matplotlib' (blocked by the test)"
    assert int(lines[1]) == len(SOURCES) - 1  # every module but tinytorch/__init__


def test_importing_the_package_imports_nothing_heavy():
    done = _python(
        "import sys, tinytorch; print(sorted(m for m in ('numpy', 'tinytorch.core') if m in sys.modules))"
    )
    assert (done.returncode, done.stdout) == (0, "[]\n"), done.stderr


def test_a_missing_dependency_surfaces_as_the_import_error_it_is():
    done = _python(
        """
        try:
            from tinytorch import Tensor
        except ImportError as exc:
            print(type(exc).__name__, exc.name)
        """,
        blocked=("numpy",),
    )
    assert (done.returncode, done.stdout) == (0, "ModuleNotFoundError numpy\n"), done.stderr


def test_import_is_silent_and_leaves_the_random_state_alone():
    done = _python(
        """
        import numpy as np
        np.random.seed(123)
        before = np.random.get_state()[1].copy()
        """,
        IMPORT_ALL,
        """
        assert (np.random.get_state()[1] == before).all(), "import changed np.random"
        """,
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_source_is_pyodide_safe_and_never_swallows_errors(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots = {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            roots = {(node.module or "").split(".")[0]}
        else:
            roots = set()
        assert roots <= ALLOWED_IMPORTS, (
            f"{path.name}:{node.lineno} imports {roots - ALLOWED_IMPORTS}"
        )
        if isinstance(node, ast.ExceptHandler):
            caught = ast.unparse(node.type) if node.type else "everything"
            assert not re.search(r"ImportError|ModuleNotFoundError|Exception|everything", caught), (
                f"{path.name}:{node.lineno} catches {caught}"
            )
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            assert node.func.id not in ("open", "exec", "eval"), f"{path.name}:{node.lineno}"


def test_top_level_names_load_lazily_from_their_modules():
    from tinytorch.core.tensor import Tensor
    from tinytorch.perf.quantization import quantize_int8

    assert tinytorch.Tensor is Tensor and tinytorch.quantize_int8 is quantize_int8
    for name in tinytorch.__all__:
        assert getattr(tinytorch, name) is not None
    assert "Adam" in dir(tinytorch)
    with pytest.raises(AttributeError, match=r"^module 'tinytorch' has no attribute 'Tensr'$"):
        tinytorch.Tensr  # noqa: B018


def test_version_is_readable_without_importing():
    text = (PACKAGE / "__init__.py").read_text(encoding="utf-8")
    found = re.search(r"""^__version__\s*=\s*["']([^"']+)["']""", text, re.MULTILINE)
    assert found and found[1] == tinytorch.__version__ == "0.1.0"
