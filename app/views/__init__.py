"""What each routine shows: one small module per view, each a Panel Viewer over a param.Parameterized state.

Every button in a view writes a literal routine call into a new cell (`ctx.run_routine`), so a notebook stays
a replayable script. The routines (app/routines.py) call exactly these functions.
"""
from .assist_view import assist_view
from .compare_view import compare_view
from .builder_view import model_builder_view
from .frame_data_view import frame_data_view
from .frame_view import frame_summary_view, frames_view
from .grid_view import StoredGrid, grid_view, grids_view
from .import_view import import_files_view
from .job_view import job_model_key, job_view, jobs_view
from .model_view import model_view
from .models_view import models_view
from .parse_view import display_paths, parse_setup_view
from .predict_view import predict_view
from .predictions_view import predictions_view
from .split_view import split_frame_view
from .transfer_view import export_done_view, export_frame_view, import_model_view

__all__ = ["assist_view", "compare_view", "display_paths", "export_done_view", "export_frame_view", "frame_data_view",
           "import_model_view", "frame_summary_view", "frames_view", "grid_view", "grids_view", "StoredGrid",
           "import_files_view", "job_model_key", "job_view",
           "jobs_view", "model_builder_view", "model_view", "models_view", "parse_setup_view", "predict_view",
           "predictions_view", "split_frame_view"]
