"""README "Coming from H2O": the H2O script, with the imports the README gives, runs and prints what it says."""
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _blocks():
    text = (ROOT / "README.md").read_text()
    section = text[text.index("## Coming from H2O"):]
    return re.findall(r"```python\n(.*?)```", section, flags=re.S)


def test_the_h2o_script_runs_with_deepbrook_imports(tmp_path):
    before, after = _blocks()[:2]
    h2o_imports = [line for line in before.splitlines() if line.startswith(("import h2o", "from h2o"))]
    assert len(h2o_imports) == 3 and len(after.strip().splitlines()) == 3
    script = before.replace("\n".join(h2o_imports), after.strip())
    script = script.replace('"assets/data/prostate.csv.gz"', repr(str(ROOT / "assets/data/prostate.csv.gz")))
    run = subprocess.run([sys.executable, "-c", script + "\nprint(path)\n"], cwd=tmp_path, capture_output=True,
                         text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.strip().splitlines()
    assert lines[1].endswith(" bernoulli") and 0.5 < float(lines[1].split()[0]) <= 1
    assert lines[2].endswith("(20, 7)") and lines[2].startswith("[(")
    saved = Path(lines[3])
    assert saved.parent == tmp_path / "results" and saved.is_file()
