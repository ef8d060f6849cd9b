"""Deepbrook installs as one distribution with deepbrook.engine / deepbrook.app / deepbrook.h2o, and nothing else
leaks."""
import os
import re
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def _tree_packages(folder, dotted):
    return {dotted + ("." + ".".join(p.parent.relative_to(ROOT / folder).parts) if p.parent != ROOT / folder else "")
            for p in (ROOT / folder).rglob("__init__.py") if "__pycache__" not in p.parts}


def test_every_subpackage_is_listed_in_pyproject():
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    in_tree = _tree_packages("engine", "deepbrook.engine") | _tree_packages("app", "deepbrook.app") | \
        _tree_packages("h2o", "deepbrook.h2o")
    assert in_tree - listed == set(), "add these to [tool.setuptools] packages"
    assert listed - in_tree == set(), "listed packages that do not exist"


def test_console_script_and_mapping_declared():
    assert PYPROJECT["project"]["scripts"]["deepbrook"] == "deepbrook.app.cli:main"
    assert PYPROJECT["tool"]["setuptools"]["package-dir"] == {"deepbrook.engine": "engine", "deepbrook.app": "app",
                                                              "deepbrook.h2o": "h2o"}


@pytest.mark.slow
def test_editable_install_into_a_fresh_venv(tmp_path):
    """pip install -e . in a brand-new venv maps deepbrook.engine/app onto engine/ and app/; `import engine` fails."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    fresh_python = venv / "bin" / "python"
    # pip from the test venv installs into the fresh one; dependencies are not reinstalled (--no-deps).
    subprocess.run([sys.executable, "-m", "pip", "--python", str(fresh_python), "install", "-q", "--no-deps",
                    "-e", str(ROOT)], check=True, cwd=tmp_path)
    fresh_site = subprocess.run([str(fresh_python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                check=True, capture_output=True, text=True).stdout.strip()
    assert any(re.match(r"__editable__.*deepbrook.*", p.name) for p in Path(fresh_site).iterdir())
    # Only the fresh venv's site-packages provides deepbrook; the test venv lends its third-party packages.
    deps = sysconfig.get_paths()["purelib"]
    probe = ("import sys, deepbrook.engine, deepbrook.app, deepbrook.h2o; "
             "print(deepbrook.engine.__file__); print(deepbrook.app.__file__); print(deepbrook.h2o.__file__)\n"
             "try:\n import engine\n print('LEAK')\nexcept ModuleNotFoundError:\n print('no-engine')\n"
             "try:\n import app\n print('LEAK')\nexcept ModuleNotFoundError:\n print('no-app')\n")
    shadow = tmp_path / "shadow"          # the test venv's own editable finder must not be what resolves deepbrook
    shadow.mkdir()
    out = subprocess.run([str(fresh_python), "-S", "-c",
                          f"import site; site.addsitedir({fresh_site!r}); "
                          f"import sys; sys.path.append({deps!r})\n" + probe],
                         check=True, capture_output=True, text=True, cwd=shadow, env={"PATH": os.environ["PATH"]}).stdout
    lines = out.split()
    assert lines[0] == str(ROOT / "engine" / "__init__.py")
    assert lines[1] == str(ROOT / "app" / "__init__.py")
    assert lines[2] == str(ROOT / "h2o" / "__init__.py")
    assert lines[3:] == ["no-engine", "no-app"]


def test_dockerfile_passes_hadolint_and_runs_deepbrook_serve():
    hadolint = Path(sys.executable).parent / "hadolint"
    result = subprocess.run([str(hadolint), str(ROOT / "Dockerfile")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    text = (ROOT / "Dockerfile").read_text()
    assert re.search(r'^CMD \["deepbrook", "serve"', text, re.M)
    assert "libgomp1" in text and "DEEPBROOK_CACHE_DIR" in text
    assert re.search(r"^USER 1000\n(#.*\n)*RUN deepbrook warmup$", text, re.M)  # warm, user-owned cache
    assert "/liveness" in text.split("HEALTHCHECK", 1)[1]


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "scripts/test.sh" in readme and "scripts/serve.sh" in readme
    assert "scripts/test.sh" in ci and "set -euo pipefail" in ci and "timeout" in ci
    assert "workqueue" not in ci.replace("never workqueue", "")


@pytest.mark.slow
def test_wheel_holds_only_deepbrook_with_the_bundled_example(tmp_path):
    """A regular (non-editable) install, as in the Docker image: one `deepbrook` tree, example notebook and data."""
    import zipfile
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", str(ROOT), "-w", str(tmp_path)],
                   check=True, cwd=tmp_path)
    [wheel] = tmp_path.glob("deepbrook-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    top = {n.split("/")[0] for n in names if not n.startswith("deepbrook-")}
    assert top == {"deepbrook"}
    assert "deepbrook/engine/__init__.py" in names and "deepbrook/app/cli.py" in names
    assert "deepbrook/app/examples/welcome.flow.json" in names
    assert "deepbrook/app/examples/data/prostate.csv.gz" in names
    assert zipfile.ZipFile(wheel).getinfo("deepbrook/app/examples/data/prostate.csv.gz").file_size > 1000


def test_docker_cmd_refuses_without_login_and_origins_and_keeps_secrets_out_of_the_image(tmp_path):
    """The image's CMD listens on 0.0.0.0: it starts only with the login and origins given at run time."""
    import json as json_

    from deepbrook.app.access import UnsafeServeError, access_settings
    from deepbrook.app.cli import build_parser

    text = (ROOT / "Dockerfile").read_text()
    cmd = json_.loads(re.search(r"^CMD (\[.*\])", text, re.M).group(1))
    assert cmd[:2] == ["deepbrook", "serve"] and "0.0.0.0" in cmd and "--basic-auth" not in cmd
    env_lines = [line for line in text.splitlines() if re.match(r"\s*(ENV|ARG)\b", line) or line.startswith("    ")]
    assert not [line for line in env_lines if re.search(r"AUTH|SECRET|PASSWORD|ORIGIN", line)]
    args = build_parser().parse_args(cmd[1:])
    with pytest.raises(UnsafeServeError, match="--basic-auth"):
        access_settings(args.address, args.port, environ={})
    users = tmp_path / "users.json"
    users.write_text('{"ana": "a long passphrase"}')
    panel_args, env = access_settings(args.address, args.port, environ={
        "DEEPBROOK_BASIC_AUTH": str(users), "DEEPBROOK_ALLOW_WEBSOCKET_ORIGIN": "deepbrook.example.org:5006"})
    assert "deepbrook.example.org:5006" in panel_args and env["DEEPBROOK_BASIC_AUTH"] == str(users)
