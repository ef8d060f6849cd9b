"""The README's pictures exist and stay small (the browser tests rewrite them, cropped to one view)."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAX_BYTES = 300_000


def test_every_readme_image_exists_and_is_small():
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", (ROOT / "README.md").read_text())
    assert len(images) >= 3
    for rel in images:
        path = ROOT / rel
        assert path.is_file(), f"README shows {rel}, which does not exist"
        assert path.stat().st_size <= MAX_BYTES, f"{rel} is {path.stat().st_size} bytes; crop it to the view"
