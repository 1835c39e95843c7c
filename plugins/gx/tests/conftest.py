import os
import sys

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
sys.path.insert(0, os.path.dirname(__file__))
