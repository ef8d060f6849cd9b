"""Deepbrook's Flow-like notebook app (Panel). Reaches the engine only through ``deepbrook.engine``."""
