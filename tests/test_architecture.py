"""The engine knows nothing of the app; kernels follow the project's numba conventions."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
UI_MODULES = {"panel", "bokeh", "holoviews", "hvplot", "app", "deepbrook.app", "pyviz_comms"}


def _imports(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module


def _is_ui(module):
    return any(module == m or module.startswith(m + ".") for m in UI_MODULES)


def test_engine_never_imports_ui_code():
    offenders = [f"{p.relative_to(ROOT)}:{line} imports {mod}"
                 for p in sorted((ROOT / "engine").rglob("*.py"))
                 for line, mod in _imports(p) if _is_ui(mod)]
    assert offenders == []


def test_detector_catches_a_ui_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import os\nfrom panel.widgets import Button\nimport bokeh.plotting as bp\n")
    found = [mod for _, mod in _imports(bad) if _is_ui(mod)]
    assert found == ["panel.widgets", "bokeh.plotting"]


def test_app_uses_only_the_engine_public_api():
    offenders = [f"{p.relative_to(ROOT)}:{line} imports {mod}"
                 for p in sorted((ROOT / "app").rglob("*.py"))
                 for line, mod in _imports(p)
                 if mod.startswith("deepbrook.engine.") or mod == "engine" or mod.startswith("engine.")]
    assert offenders == []


def test_h2o_client_uses_only_the_engine_public_api_and_never_the_app():
    """deepbrook.h2o is an adapter: engine names from deepbrook.engine only, nothing of the app."""
    offenders = [f"{p.relative_to(ROOT)}:{line} imports {mod}"
                 for p in sorted((ROOT / "h2o").rglob("*.py"))
                 for line, mod in _imports(p)
                 if mod.startswith("deepbrook.engine.") or mod.split(".")[0] in ("engine", "app")
                 or mod.startswith("deepbrook.app")]
    assert offenders == []


def _njit_decorators(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            for dec in node.decorator_list:
                call = dec if isinstance(dec, ast.Call) else None
                func = call.func if call else dec
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name in {"njit", "jit"}:
                    yield node.name, call


def test_every_kernel_uses_the_shared_jit_options():
    """cache=True, nogil=True and the project's fastmath set come from config.JIT, never hard-coded."""
    problems = []
    kernels = 0
    for path in sorted((ROOT / "engine").rglob("*.py")):
        for name, call in _njit_decorators(path):
            kernels += 1
            where = f"{path.relative_to(ROOT)}::{name}"
            if call is None:
                problems.append(f"{where}: bare @njit (use @njit(**config.JIT))")
                continue
            if any(kw.arg in {"cache", "nogil", "fastmath"} for kw in call.keywords):
                problems.append(f"{where}: hard-codes cache/nogil/fastmath instead of **JIT")
            if not any(kw.arg is None and "JIT" in ast.unparse(kw.value) for kw in call.keywords):
                problems.append(f"{where}: missing **JIT")
    assert problems == []
    assert kernels > 0 or not (ROOT / "engine" / "kernels").exists()


def test_jit_options_keep_nan_semantics():
    from deepbrook.engine import config
    assert config.JIT["cache"] and config.JIT["nogil"]
    assert "nnan" not in config.FASTMATH and "ninf" not in config.FASTMATH


RAW_HTML_PANES = ("pn.pane.Markdown", "pn.pane.HTML", "pn.pane.Alert", "panel.pane.Markdown", "panel.pane.HTML",
                  "panel.pane.Alert")


def test_app_renders_markdown_and_html_only_through_the_sanitizer():
    """Every Markdown/HTML pane of the app is deepbrook.app.safe_html's: user text never reaches the page unsanitized."""
    offenders = [f"{path.relative_to(ROOT)}:{n}" for path in (ROOT / "app").rglob("*.py")
                 if path.name != "safe_html.py"
                 for n, line in enumerate(path.read_text().splitlines(), 1)
                 if any(raw in line for raw in RAW_HTML_PANES)]
    assert offenders == [], "use deepbrook.app.safe_html's Markdown/HTML/Alert"
