"""The Dask path: the same partitions, the same function, the same corpus as the local path."""

from __future__ import annotations

import pandas as pd
import pytest

from discourse import store

pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")


def _assert_same_corpus(a, b):
    a, b = store.read_corpus(a), store.read_corpus(b)
    pd.testing.assert_frame_equal(a.comments, b.comments)
    pd.testing.assert_frame_equal(a.threads, b.threads)
    pd.testing.assert_frame_equal(a.spans, b.spans)
    assert [r.summary() for r in a.ingest] == [r.summary() for r in b.ingest]


def test_dask_local_cluster_equals_jobs_and_resumes(interleaved_threads, tmp_path):
    from discourse.dask import analyze_dask, read_dask

    src = tmp_path / "comments.jsonl"
    interleaved_threads.to_json(src, orient="records", lines=True)
    raw = store.ingest(src, tmp_path / "raw", n_partitions=4, chunk_rows=50)
    local = store.analyze(raw, tmp_path / "local", jobs=2)
    ddf = read_dask(raw)
    assert ddf.npartitions == 4
    assert sorted(ddf["thread_id"].compute().unique()) == sorted(interleaved_threads["thread_id"].unique())
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        out = analyze_dask(raw, tmp_path / "dask", client=client)
    _assert_same_corpus(local, out)
    # Resume: forget two partitions; the local scheduler redoes only those.
    manifest = store.read_manifest(out)
    for pid in ("0", "3"):
        del manifest["partitions"][pid]
    (out / "manifest.json").write_text(__import__("json").dumps(manifest))
    analyze_dask(raw, out)
    _assert_same_corpus(local, out)
