"""Deepbrook inside Jupyter: a notebook executed by nbclient shows Panel output bundles and no errors."""
import nbformat
import pytest
from nbclient import NotebookClient


EXEC = "application/vnd.holoviews_exec.v0+json"
LOAD = "application/vnd.holoviews_load.v0+json"


def mimes(cell):
    return {m for o in cell.outputs for m in o.get("data", {})}


def text_of(cell):
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("import panel as pn\npn.extension('tabulator')\nimport deepbrook.app as dba"),
        # a whole Deepbrook notebook, run in the kernel: parse the bundled data and show its summary
        nbformat.v4.new_code_cell('view = dba.notebook([\'parseFiles "prostate.csv.gz"\', '
                                  '\'getFrameSummary "prostate.hex"\'], run=True)\nview'),
        nbformat.v4.new_code_cell("nb = view.notebook\n"
                                  "print([c.status for c in nb.cells], dba.jupyter.default_app().workspace.names())"),
        # one view on its own: the frames list of the same kernel-wide workspace
        nbformat.v4.new_code_cell("from deepbrook.app import views\nfrom deepbrook.app.jupyter import "
                                  "JupyterContext, default_app\nviews.frames_view(JupyterContext(default_app()))"),
    ]
    NotebookClient(nb, timeout=180, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path_factory.mktemp("nb"))}}).execute()
    return nb


def test_no_errors(executed):
    errors = [o for c in executed.cells for o in c.outputs if o.output_type == "error"]
    assert not errors, errors


def test_extension_loads_and_views_render_as_panel_bundles(executed):
    assert LOAD in mimes(executed.cells[0])
    for cell in (executed.cells[1], executed.cells[3]):
        assert {EXEC, "text/html", "text/plain"} <= mimes(cell)


def test_routines_ran_in_the_kernel(executed):
    assert text_of(executed.cells[2]).strip() == "['ok', 'ok'] ['prostate.hex']"


def test_model_view_follows_a_training_job(tmp_path):
    """`deepbrook.app.model_view(job)` renders while the model trains and after it is done."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("import panel as pn\npn.extension('tabulator')\nimport deepbrook.app as dba\n"
                                  "from deepbrook.engine import DeepLearning, import_file\n"
                                  "from deepbrook.app.context import BUNDLED_DATA_DIRS\n"
                                  "frame = import_file(str(BUNDLED_DATA_DIRS[0] / 'prostate.csv.gz'))"),
        nbformat.v4.new_code_cell("job = DeepLearning(hidden=[4], epochs=2, seed=1, model_id='jm').train_async("
                                  "y='CAPSULE', training_frame=frame)\ndba.model_view(job)"),
        nbformat.v4.new_code_cell("model = job.result(timeout=120)\nprint(job.status)\ndba.model_view(model)"),
    ]
    NotebookClient(nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    errors = [o for c in nb.cells for o in c.outputs if o.output_type == "error"]
    assert not errors, errors
    assert {EXEC, "text/html"} <= mimes(nb.cells[1]) and {EXEC, "text/html"} <= mimes(nb.cells[2])
    assert text_of(nb.cells[2]).strip() == "DONE"
