"""Decompression bombs and oversized frames (issue 15 item 8): the read stops while streaming, with a clear error.

The bombs are generated here, small (tens of KB) but expanding far past the low limits the tests set; the same
code path guards a server's 2 GB default. Each test also checks that the read stopped early (a fraction of the
bomb read) rather than failing after it filled the memory.
"""
import bz2
import gzip
import time
import zipfile

import numpy as np
import pandas as pd
import pytest

from deepbrook.engine import ParseError, ReadLimits, import_file, parse, parse_setup

ROWS = b"1,2,3\n" * 2_000_000  # 12 MB of CSV that compresses to ~25 KB
MB = 1 << 20


@pytest.fixture(scope="module")
def bombs(tmp_path_factory):
    d = tmp_path_factory.mktemp("bombs")
    gz, bz, zp = d / "bomb.csv.gz", d / "bomb.csv.bz2", d / "bomb.zip"
    gz.write_bytes(gzip.compress(b"a,b,c\n" + ROWS, 9))
    bz.write_bytes(bz2.compress(b"a,b,c\n" + ROWS, 9))
    with zipfile.ZipFile(zp, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("inner.csv", b"a,b,c\n" + ROWS)
    return {"gzip": gz, "bz2": bz, "zip": zp}


@pytest.mark.parametrize("kind", ["gzip", "bz2", "zip"])
def test_a_decompression_bomb_stops_at_the_limit(bombs, kind):
    path = bombs[kind]
    assert path.stat().st_size < 100_000
    limits = ReadLimits(max_decompressed_bytes=2 * MB)
    start = time.perf_counter()
    with pytest.raises(ParseError, match=r"expands to more than 2 MB once decompressed.*max_decompressed_bytes") \
            as err:
        parse(parse_setup(str(path), limits=limits))
    assert path.name in str(err.value)
    assert time.perf_counter() - start < 5


def test_a_zip_member_whose_header_declares_too_much_is_refused_before_reading(bombs):
    with pytest.raises(ParseError, match="inner.csv expands to more than 1 MB"):
        parse(parse_setup(str(bombs["zip"]), limits=ReadLimits(max_decompressed_bytes=MB)))


def test_the_frame_memory_limit_stops_the_read(bombs):
    limits = ReadLimits(max_frame_bytes=4 * MB)  # 2 M rows x 3 float64 columns = 48 MB
    with pytest.raises(ParseError, match=r"needs more than 4 MB of memory as a frame.*max_frame_bytes"):
        parse(parse_setup(str(bombs["gzip"]), limits=limits))


def test_plain_files_are_checked_by_size(tmp_path):
    p = tmp_path / "big.csv"
    p.write_bytes(b"a,b,c\n" + ROWS[:3 * MB])
    with pytest.raises(ParseError, match="big.csv expands to more than 1 MB"):
        parse(parse_setup(str(p), limits=ReadLimits(max_decompressed_bytes=MB)))


def test_parquet_is_checked_before_reading(tmp_path):
    p = tmp_path / "wide.parquet"
    pd.DataFrame({f"x{i}": np.arange(100_000, dtype=np.float64) for i in range(8)}).to_parquet(p)
    with pytest.raises(ParseError, match="wide.parquet needs more than 1 MB of memory"):
        parse(parse_setup(str(p), limits=ReadLimits(max_frame_bytes=MB)))


def test_within_the_limits_nothing_changes(bombs):
    frame = parse(parse_setup(str(bombs["gzip"]), limits=ReadLimits(max_decompressed_bytes=64 * MB)))
    assert (frame.nrows, frame.names) == (2_000_000, ["a", "b", "c"])
    assert import_file(str(bombs["zip"])).nrows == 2_000_000  # default limits


@pytest.mark.parametrize("bad", [0, -1, "big", True])
def test_limits_must_be_positive_numbers(bad):
    with pytest.raises(ValueError, match="must be a positive number of bytes"):
        ReadLimits(max_decompressed_bytes=bad)

