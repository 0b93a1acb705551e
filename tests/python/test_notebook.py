"""examples/notebook/demo.ipynb runs top to bottom in a real Jupyter kernel (nbclient), and
its remote frame shows itself inline as a PNG."""

import base64
from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parents[2] / "examples" / "notebook" / "demo.ipynb"


def test_the_notebook_runs_and_shows_a_remote_frame():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(notebook, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "connection: connected - receiving video" in text
    assert "320x240, camera frame number" in text and "(240, 320, 3) uint8" in text and "closed" in text
    images = [o.data["image/png"] for o in outputs if o.output_type == "execute_result" and "image/png" in o.get("data", {})]
    assert len(images) == 1
    png = base64.b64decode(images[0])
    assert png.startswith(b"\x89PNG") and int.from_bytes(png[16:20], "big") == 320  # IHDR width
