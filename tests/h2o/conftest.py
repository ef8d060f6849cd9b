"""Fixtures for deepbrook.h2o: H2O's own pyunit data (``pyunit_dir`` in tests/conftest.py) and a clean registry."""
import pytest


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
