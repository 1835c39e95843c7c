"""Serve a floe-quality plugin from Python."""
