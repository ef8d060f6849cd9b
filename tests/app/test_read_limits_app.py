"""A served notebook parses under the server's read limits (issue 15 item 8); a cell cannot raise them."""
import gzip

import pytest

from deepbrook.app.context import AppState, CellContext
from deepbrook.app.routines import RoutineError, run
from deepbrook.engine import ParseError


@pytest.fixture
def bombs(tmp_path):
    (tmp_path / "bomb.csv.gz").write_bytes(gzip.compress(b"a,b,c\n" + b"1,2,3\n" * 1_000_000, 9))
    return {"gzip": tmp_path / "bomb.csv.gz"}


def test_a_served_notebook_uses_the_servers_limits(bombs):
    from deepbrook.app.context import AppState, CellContext
    from deepbrook.app.routines import RoutineError, run

    app = AppState(data_roots=[bombs["gzip"].parent], max_decompressed_mb=1)
    ctx = CellContext(app)
    with pytest.raises(ParseError, match="bomb.csv.gz expands to more than 1 MB"):
        run(ctx, 'parseFiles "bomb.csv.gz"')
    with pytest.raises(RoutineError, match="'limits' is not a parse option"):
        run(ctx, 'parseFiles "bomb.csv.gz", limits: {max_decompressed_bytes: 1e15}')
    assert app.workspace.names("frame") == []
