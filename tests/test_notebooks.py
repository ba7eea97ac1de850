"""The notebooks run top to bottom on a fresh clone, with their outputs stripped in git."""

from __future__ import annotations

import pytest

from .conftest import ROOT


@pytest.mark.parametrize("name, expect", [
    ("quickstart.ipynb", ["read as page (like-buttons layout)", "topics"]),
    ("corpus.ipynb", ["read as reddit", "read as convokit", "who-answers-whom edges"]),
    ("teaching.ipynb", ["tone: 8 questions -> tone.html", "6 students, 8 items", "Grade(6 students, 8 items", "1 problem)"]),
])
def test_notebooks_run_top_to_bottom(name, expect):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    path = ROOT / "notebooks" / name
    nb = nbformat.read(path, as_version=4)
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in nb.cells if c.cell_type == "code"), \
        "outputs must be stripped"
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
    text = "\n".join(str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", ""))
                     for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    for needle in expect:
        assert needle in text
