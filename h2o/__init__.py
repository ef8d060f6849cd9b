"""``deepbrook.h2o``: H2O-3's Python client API, answered in-process by Deepbrook's engine.

Existing scripts run with ``import deepbrook.h2o as h2o`` (or the import hook of the pyunit runner). There is no
server: frames and models live in this process; see README "Coming from H2O" for what is not covered.
"""
from . import estimators, exceptions, grid  # noqa: F401
from .api import (__version__, as_list, cluster, connect, create_frame, download_csv, export_file,  # noqa: F401
                  get_frame, get_grid, get_model, import_file, init, load_model, ls, no_progress, rapids, remove,
                  remove_all, save_model, show_progress, shutdown, upload_custom_metric, upload_file)
from .frame import H2OFrame  # noqa: F401
