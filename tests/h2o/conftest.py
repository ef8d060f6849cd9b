"""Fixtures for deepbrook.h2o: H2O's own pyunit data (../shared/h2o-pyunit/data/smalldata) and a clean registry."""
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PYUNIT = Path(os.environ.get("DEEPBROOK_H2O_PYUNIT", ROOT.parent / "shared" / "h2o-pyunit"))


@pytest.fixture(scope="session")
def pyunit_dir():
    """The H2O pyunit folder (tests, shim, runner, data); a clear skip only where the folder itself is absent."""
    if not PYUNIT.is_dir():
        pytest.skip(f"H2O pyunit folder {PYUNIT} is absent")
    return PYUNIT


@pytest.fixture(scope="session")
def smalldata(pyunit_dir):
    return pyunit_dir / "data" / "smalldata"


@pytest.fixture
def h2o():
    """The package, initialized, with every kept frame and model removed after the test."""
    import deepbrook.h2o as h2o
    h2o.init()
    yield h2o
    h2o.remove_all()


@pytest.fixture
def prostate(h2o, smalldata):
    return h2o.import_file(str(smalldata / "logreg" / "prostate.csv"))


@pytest.fixture
def iris(h2o, smalldata):
    return h2o.import_file(str(smalldata / "iris" / "iris_wheader.csv"))
