"""Where the project's folders are, resolved from the package so every entry point agrees."""
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = ROOT / "data"
SCHEMA_DIR = ROOT / "schemas"
