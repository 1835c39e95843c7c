import sys
from pathlib import Path

# Cross-package test support (the built CLI as a real serve process).
sys.path.insert(0, str(Path(__file__).resolve().parents[4] / "test" / "support"))
