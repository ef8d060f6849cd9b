"""Shared fixtures: real data sets from ../shared/data, and Debian's chromium for Playwright."""
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("DEEPBROOK_SHARED_DATA", ROOT.parent / "shared" / "data"))
ASSETS_DATA = ROOT / "assets" / "data"
H2O_PYUNIT = Path(os.environ.get("DEEPBROOK_H2O_PYUNIT", ROOT.parent / "shared" / "h2o-pyunit"))

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def _folder(path, what):
    """``path`` when it is a folder; a clear skip only where the folder itself is absent."""
    if not path.is_dir():
        pytest.skip(f"{what} folder {path} is absent")
    return path


@pytest.fixture(scope="session")
def shared_data():
    """The folder of real data sets."""
    return _folder(SHARED_DATA, "shared data")


@pytest.fixture(scope="session")
def pyunit_dir():
    """H2O-3's Deep Learning pyunits with their runner, import shim and data (../shared/h2o-pyunit)."""
    return _folder(H2O_PYUNIT, "H2O pyunit")


@pytest.fixture(scope="session")
def prostate_path():
    """prostate.csv.gz ships with the project in assets/data, so this never skips."""
    return ASSETS_DATA / "prostate.csv.gz"


@pytest.fixture(scope="session")
def mnist(shared_data):
    """MNIST arrays (x_train, y_train, x_test, y_test) as uint8."""
    with np.load(shared_data / "mnist.npz") as z:
        return z["x_train"], z["y_train"], z["x_test"], z["y_test"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Point Playwright at Debian's chromium (never `playwright install`)."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM,
            "args": [*browser_type_launch_args.get("args", []), *CHROMIUM_ARGS]}


@pytest.fixture
def context(context):
    context.set_default_timeout(20_000)
    yield context
