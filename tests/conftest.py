"""Shared fixtures: real data sets from ../shared/data, and Debian's chromium for Playwright."""
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("DEEPBROOK_SHARED_DATA", ROOT.parent / "shared" / "data"))
ASSETS_DATA = ROOT / "assets" / "data"

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def shared_data():
    """The folder of real data sets; a clear skip only where the folder itself is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data folder {SHARED_DATA} is absent")
    return SHARED_DATA


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
