"""The Parquet corpus on disk: streaming build, identical results, resume without duplicates."""

from __future__ import annotations

import json
import re
import warnings

import pandas as pd
import pytest
from click.testing import CliRunner

import discourse
from discourse import store
from discourse.cli import cli
from discourse.errors import DiscourseWarning, SchemaError

KEY = ["thread_id", "comment_id"]


def _sorted(df):
    return df.sort_values(KEY, kind="stable").reset_index(drop=True)


def _in_memory(path, **options):
    # A Parquet corpus holds the per-thread analysis; topics are a corpus-level stage run on demand.
    return discourse.analyze(discourse.read(path), topics="none", **options)


@pytest.fixture
def jsonl(interleaved_threads, tmp_path):
    path = tmp_path / "comments.jsonl"
    interleaved_threads.to_json(path, orient="records", lines=True, force_ascii=False)
    return path


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("suffix", [".jsonl", ".csv", ".parquet"])
def test_store_streamed_analysis_equals_in_memory(interleaved_threads, tmp_path, suffix, jobs):
    src = tmp_path / f"comments{suffix}"
    {".jsonl": lambda p: interleaved_threads.to_json(p, orient="records", lines=True, force_ascii=False),
     ".csv": lambda p: interleaved_threads.to_csv(p, index=False),
     ".parquet": lambda p: interleaved_threads.to_parquet(p, index=False)}[suffix](src)
    # Chunks of 37 rows cut threads across chunk boundaries; 5 partitions mix them.
    out = store.analyze(src, tmp_path / "corpus", jobs=jobs, n_partitions=5, chunk_rows=37)
    got = store.read_corpus(out)
    want = _in_memory(src)
    pd.testing.assert_frame_equal(_sorted(got.comments), _sorted(want.comments))
    pd.testing.assert_frame_equal(got.threads.sort_values("thread_id").reset_index(drop=True),
                                  want.threads.sort_values("thread_id").reset_index(drop=True))
    assert got.ingest[0].seen == got.ingest[0].kept == len(interleaved_threads)
    assert got.ingest[0].threads == 24


def test_store_partitions_hold_whole_threads_in_input_order(jsonl, tmp_path):
    out = store.analyze(jsonl, tmp_path / "corpus", n_partitions=4, chunk_rows=10)
    owner = {}
    for pid, part in store.iter_partitions(out):
        for t, rows in part.comments.groupby("thread_id"):
            assert owner.setdefault(t, pid) == pid
            assert rows["position"].tolist() == list(range(len(rows)))
    assert len(owner) == 24
    files = sorted(p.name for p in (out / "comments").iterdir())
    assert files == [f"part-{i:05d}.parquet" for i in range(4)]
    assert not (out / ".staging").exists()


def test_store_write_read_round_trip_keeps_types(interleaved_threads, tmp_path):
    analysed = discourse.analyze(discourse.Corpus.from_frames(interleaved_threads))
    back = store.read_corpus(store.write_corpus(analysed, tmp_path / "c", n_partitions=3))
    pd.testing.assert_frame_equal(_sorted(back.comments), _sorted(analysed.comments))
    assert back.spans is not None and list(back.spans.columns) == list(analysed.spans.columns)


def _interrupt_after(monkeypatch, n):
    real = store.build_partition
    calls = {"n": 0}

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] > n:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(store, "build_partition", flaky)


def test_store_resume_after_interruption_gives_no_duplicates(jsonl, tmp_path, monkeypatch):
    out = tmp_path / "corpus"
    _interrupt_after(monkeypatch, 2)
    with pytest.raises(KeyboardInterrupt):
        store.analyze(jsonl, out, n_partitions=6)
    manifest = store.read_manifest(out)
    assert len(manifest["partitions"]) == 2 and not manifest["complete"]
    assert manifest["staged"]
    monkeypatch.undo()
    store.analyze(jsonl, out, n_partitions=6)
    got = store.read_corpus(out)
    assert not got.comments.duplicated(KEY).any()
    pd.testing.assert_frame_equal(_sorted(got.comments), _sorted(_in_memory(jsonl).comments))


def test_store_resume_redoes_a_partition_missing_from_the_manifest(jsonl, tmp_path):
    # A kill between writing a partition's files and entering it in the manifest.
    out = store.analyze(jsonl, tmp_path / "corpus", n_partitions=3)
    before = store.read_corpus(out).comments
    manifest = json.loads((out / "manifest.json").read_text())
    del manifest["partitions"]["1"]
    manifest["complete"] = False
    (out / "manifest.json").write_text(json.dumps(manifest))
    assert len(store.read_corpus(out).comments) < len(before)
    store.analyze(jsonl, out, n_partitions=3)
    after = store.read_corpus(out).comments
    assert not after.duplicated(KEY).any()
    pd.testing.assert_frame_equal(after, before)


def test_store_refuses_other_options_and_foreign_directories(jsonl, tmp_path):
    out = store.analyze(jsonl, tmp_path / "corpus", n_partitions=2)
    with pytest.raises(SchemaError, match="already holds a Parquet corpus built from other options"):
        store.analyze(jsonl, out, n_partitions=2, infer_replies="never")
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("mine")
    with pytest.raises(SchemaError, match="the directory is not empty and holds no manifest.json"):
        store.analyze(jsonl, tmp_path / "busy")


def test_store_reads_non_tabular_formats_whole(seed_path, tmp_path):
    got = store.read_corpus(store.analyze(seed_path, tmp_path / "corpus"))
    want = _in_memory(seed_path)
    pd.testing.assert_frame_equal(got.comments, want.comments)
    assert got.ingest[0].summary() == want.ingest[0].summary()


def test_store_renames_thread_ids_that_collide_across_files(tmp_path):
    for name in ("a", "b"):
        (tmp_path / f"{name}.csv").write_text(f"thread_id,comment_id,text\nt1,1,from {name}\nt1,2,more\n")
    files = [tmp_path / "a.csv", tmp_path / "b.csv"]
    got = store.read_corpus(store.analyze(files, tmp_path / "corpus", n_partitions=2))
    want = discourse.analyze(discourse.read(files), topics="none")
    assert sorted(got.comments["thread_id"].unique()) == ["b:t1", "t1"]
    pd.testing.assert_frame_equal(_sorted(got.comments), _sorted(want.comments))


def test_store_repairs_are_counted_once_across_partitions(tiny_comments, tmp_path):
    path = tmp_path / "tiny.csv"
    tiny_comments.to_csv(path, index=False)
    with pytest.warns(DiscourseWarning, match="reply links repaired: 1 orphan"):
        out = store.analyze(path, tmp_path / "corpus", n_partitions=2)
    assert store.read_corpus(out).ingest[0].repaired == {"orphans": 1}


def test_store_mixed_type_column_is_kept_as_text_with_a_warning(tmp_path):
    path = tmp_path / "mixed.jsonl"
    path.write_text('{"comment_id": "1", "text": "a", "score": 3}\n{"comment_id": "2", "text": "b", "score": "n/a"}\n')
    with pytest.warns(DiscourseWarning, match="columns mixing types were stored as text: comments.score"):
        out = store.analyze(path, tmp_path / "corpus")
    assert store.read_corpus(out).comments["score"].tolist() == ["3", "n/a"]


def test_store_thread_table_and_summary_match_in_memory(jsonl, tmp_path):
    out = store.analyze(jsonl, tmp_path / "corpus", n_partitions=4)
    c = store.read_corpus(out).comments
    table = store.thread_table(out).set_index("thread_id").sort_index()
    g = c.groupby("thread_id")
    assert table["comments"].tolist() == g.size().tolist()
    assert table["max_depth"].tolist() == g["depth"].max().tolist()
    assert table["sentiment_mean"].tolist() == pytest.approx(g["sentiment_compound"].mean().tolist())
    summary = store.corpus_summary(out)
    assert (summary["threads"], summary["comments"]) == (24, 192)
    assert summary["authors"] == c["author"].nunique()
    assert summary["sentiment"]["mean"] == pytest.approx(c["sentiment_compound"].mean())
    assert sum(summary["sentiment"]["histogram"].values()) == 192
    assert summary["depth"] == {str(k): int(v) for k, v in c["depth"].value_counts().sort_index().items()}


def test_store_cli_directory_output_resumes_and_summarizes(jsonl, tmp_path):
    runner = CliRunner()
    out = tmp_path / "corpus"
    first = runner.invoke(cli, ["analyze", str(jsonl), "-o", f"{out}/", "--jobs", "2"])
    assert first.exit_code == 0, first.output
    assert "192 records seen, 192 comments kept" in first.stderr
    again = runner.invoke(cli, ["analyze", str(jsonl), "-o", str(out), "--jobs", "2"])
    assert again.exit_code == 0, again.output
    assert "wrote 192 comments in 1 partition" in again.stderr
    summary = runner.invoke(cli, ["summarize", str(out), "-o", str(tmp_path / "threads.csv")])
    assert summary.exit_code == 0, summary.output
    assert json.loads(summary.stdout)["comments"] == 192
    assert len(pd.read_csv(tmp_path / "threads.csv")) == 24
    back = runner.invoke(cli, ["analyze", str(out), "-o", str(tmp_path / "flat.csv")])
    assert back.exit_code == 0, back.output
    assert len(pd.read_csv(tmp_path / "flat.csv")) == 192


def test_store_cli_spans_with_directory_output_is_a_usage_error(jsonl, tmp_path):
    result = CliRunner().invoke(cli, ["analyze", str(jsonl), "-o", f"{tmp_path}/c/", "--spans", "s.csv"])
    assert result.exit_code == 2
    assert "with a directory output the spans are stored in" in result.stderr


def test_store_read_manifest_of_a_plain_directory_says_how_to_build_one(tmp_path):
    with pytest.raises(discourse.InputFormatError, match="not a discourse Parquet corpus; build one with"):
        store.read_manifest(tmp_path)


@pytest.mark.parametrize("name, content, message", [
    ("empty.csv", b"", "empty.csv: the file is empty; nothing to read."),
    ("notext.csv", b"comment_id,words\n1,hi\n", "the comments table needs a 'text' column; got columns ['comment_id', 'words']"),
    ("twotexts.csv", b"comment_id,body,message\n1,a,b\n", "'body' and 'message' could each be it"),
    ("reltime.csv", b"cid,text,time\na,hi,2 years ago\n",
     "could not parse ['2 years ago'] in comments ['a']. The table's column 'time' was read as created_at"),
    ("noid.jsonl", b'{"text": "hi"}\n', "the comments table needs a 'comment_id' column"),
    ("blank.jsonl", b"\n\n", "blank.jsonl: the file is empty; nothing to read."),
    ("bad.jsonl", b'\n{"comment_id": 2,\n', "bad.jsonl, line 2: invalid JSON (Expecting property name enclosed in "
     "double quotes, column 18); no line of the file holds a JSON object"),
    ("list.jsonl", b'"a"\n[1, 2]\n', "list.jsonl, line 1: a JSON str, not an object; no line of the file holds"),
    ("bin.parquet", b"PAR1 not really", "bin.parquet: not a readable Parquet file"),
    ("ragged.csv", b"comment_id,text,extra\n1,a,x,y\n2,b,z\n", "ragged.csv: data row 1 has 4 fields but the header"),
])
def test_store_streamed_input_errors_name_the_file(tmp_path, name, content, message):
    (tmp_path / name).write_bytes(content)
    with pytest.raises(discourse.DiscourseError) as err:
        store.analyze(tmp_path / name, tmp_path / "corpus")
    assert message in str(err.value)


def test_store_json_array_and_cp1252_csv_are_read_whole_like_read(tmp_path):
    (tmp_path / "a.json").write_text('[{"comment_id": "1", "text": "Nice"}, {"comment_id": "2", "text": "Bad"}]')
    (tmp_path / "b.csv").write_bytes("comment_id,text\n1,caf\u00e9 \u2013 ok\n".encode("cp1252"))
    for name in ("a.json", "b.csv"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DiscourseWarning)
            got = store.read_corpus(store.analyze(tmp_path / name, tmp_path / f"{name}-corpus"))
            want = _in_memory(tmp_path / name)
        pd.testing.assert_frame_equal(got.comments, want.comments)


def test_store_semicolon_csv_is_read_like_read(tmp_path):
    # Excel's CSV where the comma is the decimal mark: the streamed reader read one column.
    (tmp_path / "s.csv").write_text("comment_id;parent_id;text\n1;;Hallo Welt\n2;1;Antwort, mit Komma\n")
    got = store.read_corpus(store.analyze(tmp_path / "s.csv", tmp_path / "corpus"))
    want = _in_memory(tmp_path / "s.csv")
    pd.testing.assert_frame_equal(got.comments, want.comments)
    assert got.comments["text"].tolist() == ["Hallo Welt", "Antwort, mit Komma"]


def test_store_a_deleted_partition_file_is_an_error_not_silently_fewer_rows(jsonl, tmp_path):
    out = store.analyze(jsonl, tmp_path / "corpus", n_partitions=3)
    (out / "comments" / "part-00001.parquet").unlink()
    with pytest.raises(discourse.InputFormatError, match="comments/part-00001.parquet is missing, but the manifest"):
        store.read_corpus(out)


def test_store_jsonl_read_in_byte_ranges_by_workers_equals_one_reader(jsonl, tmp_path, monkeypatch):
    one = store.read_corpus(store.analyze(jsonl, tmp_path / "one", n_partitions=3, chunk_rows=20))
    monkeypatch.setattr(store, "_PARALLEL_READ_BYTES", 0)
    monkeypatch.setattr(store, "_jsonl_ranges", lambda path, k, real=store._jsonl_ranges: real(path, 5))
    many = store.read_corpus(store.analyze(jsonl, tmp_path / "many", n_partitions=3, chunk_rows=20, jobs=2))
    pd.testing.assert_frame_equal(one.comments, many.comments)
    pd.testing.assert_frame_equal(one.threads, many.threads)
    assert many.ingest[0].seen == len(one.comments)


def test_store_jsonl_bad_line_in_a_later_byte_range_is_skipped_with_its_true_line(jsonl, tmp_path, monkeypatch):
    lines = jsonl.read_text(encoding="utf-8").split("\n")
    want = _in_memory(jsonl)
    lines[150] = '{"comment_id": "x", "text": '
    jsonl.write_text("\n".join(lines), encoding="utf-8")
    monkeypatch.setattr(store, "_PARALLEL_READ_BYTES", 0)
    monkeypatch.setattr(store, "_jsonl_ranges", lambda path, k, real=store._jsonl_ranges: real(path, 4))
    with pytest.warns(DiscourseWarning, match=r"comments.jsonl: 1 line not a JSON object, skipped as unparseable "
                      r"\(line 151; line 151: invalid JSON"):
        out = store.analyze(jsonl, tmp_path / "corpus", jobs=2)
    report = store.read_corpus(out).ingest[0]
    assert report.skipped == {"unparseable": 1} and report.balanced
    assert "1 line not a JSON object skipped (line 151)" in report.notes
    assert report.kept == len(want.comments) - 1


def test_store_jsonl_bad_lines_are_skipped_like_read(jsonl, tmp_path):
    lines = jsonl.read_text(encoding="utf-8").rstrip("\n").split("\n")
    lines.insert(3, "[1, 2]")
    lines[-1] = lines[-1][:20]  # a dump whose last line was cut short
    jsonl.write_text("\n".join(lines), encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DiscourseWarning)
        got = store.read_corpus(store.ingest(jsonl, tmp_path / "corpus"))
        want = discourse.read(jsonl)
    r, w = got.ingest[0], want.ingest[0]
    assert (r.seen, r.kept, r.skipped) == (w.seen, w.kept, w.skipped) == (w.seen, w.seen - 2, {"unparseable": 2})
    assert [n for n in r.notes if "JSON object" in n] == [n for n in w.notes if "JSON object" in n]


def test_store_cli_summarize_help_has_an_example():
    result = CliRunner().invoke(cli, ["summarize", "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output and "discourse summarize corpus/" in result.output


# ----------------------------------------------------------------------------- topics out of core


def _subject_corpus(subject_comments, tmp_path, name="corpus", n_partitions=3):
    df = subject_comments.reset_index(drop=True).assign(thread_id=[f"t{i % 7}" for i in range(len(subject_comments))])
    corpus = discourse.Corpus.from_frames(df.drop(columns="subject"))
    return store.write_corpus(corpus, tmp_path / name, n_partitions=n_partitions), df


def test_store_topics_fill_every_partition_and_the_summary(subject_comments, tmp_path):
    out, df = _subject_corpus(subject_comments, tmp_path)
    info = store.add_topics(out, n_topics=3, n_seeds=2)
    assert info["done"] == [0, 1, 2] and info["sample"] == 60 and info["comments"] == 60
    parts = [part.comments for _, part in store.iter_partitions(out)]
    assert len(parts) == 3 and all(len(p) for p in parts)
    for p in parts:
        assert {"topic_id", "topic_label", "topic_weight"} <= set(p.columns)
        assert (p["topic_id"] >= 0).all() and (p["topic_label"] != "").all()
    got = pd.concat(parts).merge(df[["comment_id", "subject"]], on="comment_id")
    # Each subject is one topic: the seeded subjects come back whole.
    assert got.groupby("subject")["topic_id"].nunique().eq(1).all() and got["topic_id"].nunique() == 3
    summary = store.corpus_summary(out)
    assert sorted(t["comments"] for t in summary["topics"]["topics"]) == [20, 20, 20]
    assert summary["topics"]["unassigned"] == 0 and summary["topics"]["note"]


def test_store_topics_sample_bounds_the_fit_and_every_comment_is_assigned(subject_comments, tmp_path):
    out, _ = _subject_corpus(subject_comments, tmp_path)
    info = store.add_topics(out, n_topics=3, n_seeds=2, sample_size=30)
    assert info["sample"] == 30 and "random sample of 30 of the 60 comments" in info["summary"]["note"]
    comments = store.read_corpus(out).comments
    assert len(comments) == 60 and comments["topic_id"].notna().all() and (comments["topic_id"] >= 0).all()


def test_store_topics_resumed_run_gives_the_same_result(subject_comments, tmp_path, monkeypatch):
    whole, _ = _subject_corpus(subject_comments, tmp_path, "whole")
    store.add_topics(whole, n_topics=3, n_seeds=2, sample_size=40)
    want = _sorted(store.read_corpus(whole).comments)

    broken, _ = _subject_corpus(subject_comments, tmp_path, "broken")
    real = store._write_parquet
    calls = []

    def fail_on_second(df, path):
        calls.append(path)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(df, path)

    monkeypatch.setattr(store, "_write_parquet", fail_on_second)
    with pytest.raises(KeyboardInterrupt):
        store.add_topics(broken, n_topics=3, n_seeds=2, sample_size=40)
    monkeypatch.setattr(store, "_write_parquet", real)
    assert store.read_manifest(broken)["topics"]["done"] == [0]
    info = store.add_topics(broken, n_topics=3, n_seeds=2, sample_size=40)
    assert info["done"] == [0, 1, 2]
    pd.testing.assert_frame_equal(_sorted(store.read_corpus(broken).comments), want)


def test_store_topics_other_options_redo_every_partition(subject_comments, tmp_path):
    out, _ = _subject_corpus(subject_comments, tmp_path)
    store.add_topics(out, n_topics=3, n_seeds=2)
    store.add_topics(out, n_topics=2, n_seeds=2)
    comments = store.read_corpus(out).comments
    assert sorted(comments["topic_id"].unique()) == [0, 1]
    assert store.read_manifest(out)["topics"]["requested"]["n_topics"] == 2


def test_store_cli_analyze_to_a_directory_runs_topics(subject_comments, tmp_path):
    from click.testing import CliRunner

    from discourse.cli import cli

    src = tmp_path / "c.jsonl"
    subject_comments.assign(thread_id=[f"t{i % 7}" for i in range(60)]).drop(columns="subject").to_json(
        src, orient="records", lines=True)
    result = CliRunner().invoke(cli, ["analyze", str(src), "-o", str(tmp_path / "corpus") + "/", "--topics", "3", "-q"])
    assert result.exit_code == 0, result.output
    comments = store.read_corpus(tmp_path / "corpus").comments
    assert comments["topic_id"].nunique() == 3 and (comments["topic_label"] != "").all()
    summary = CliRunner().invoke(cli, ["summarize", str(tmp_path / "corpus"), "-q"])
    assert '"topics"' in summary.output
    none = CliRunner().invoke(cli, ["analyze", str(src), "-o", str(tmp_path / "plain") + "/", "--topics", "none", "-q"])
    assert none.exit_code == 0 and "topic_id" not in store.read_corpus(tmp_path / "plain").comments.columns


# ----------------------------------------------------------------------------- partition size and memory budget


def test_store_output_is_the_same_for_every_partition_size(jsonl, tmp_path):
    size = jsonl.stat().st_size
    got = {}
    for part_bytes in (size, size // 3, 4096):
        out = store.analyze(jsonl, tmp_path / f"c{part_bytes}", partition_bytes=part_bytes, jobs=2)
        got[part_bytes] = store.read_corpus(out)
    # The hash spreads 24 threads over the partitions: more partitions for smaller sizes.
    counts = [store.read_manifest(tmp_path / f"c{p}")["n_partitions"] for p in got]
    assert counts[0] == 1 and counts[-1] > counts[1] > 1
    first, *rest = got.values()
    for other in rest:
        pd.testing.assert_frame_equal(_sorted(other.comments), _sorted(first.comments))
        pd.testing.assert_frame_equal(other.spans.sort_values(KEY + ["kind", "start", "end", "label"], kind="stable")
                                      .reset_index(drop=True),
                                      first.spans.sort_values(KEY + ["kind", "start", "end", "label"], kind="stable")
                                      .reset_index(drop=True))


@pytest.mark.parametrize(("memory", "jobs", "expected_mib"), [
    (2 * 2**30, 1, 32), (2 * 2**30, 2, 9), (4 * 2**30, 2, 29), (2 * 2**30, 3, 3), (16 * 2**30, 8, 32),
])
def test_store_partition_bytes_for_divides_the_budget_among_workers(memory, jobs, expected_mib):
    assert store.partition_bytes_for(memory, jobs=jobs) // 2**20 == expected_mib


def test_store_partition_bytes_for_a_budget_too_small_says_what_it_needs():
    with pytest.raises(SchemaError, match=r"a memory budget of 1 GiB is too small for 2 workers: .* at least "):
        store.partition_bytes_for(2**30, jobs=2)
    assert store.partition_bytes_for(2**30, jobs=2, strict=False) == store.MIN_PARTITION_BYTES


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"partition_bytes": 100}, "partition_bytes must be a whole number of bytes, at least 4096 (4 KiB); got 100."),
    ({"partition_bytes": 2.5e6}, "partition_bytes must be a whole number of bytes, at least 4096"),
    ({"memory": 0}, "memory must be a whole number of bytes, at least 1; got 0."),
    ({"memory": 2**31, "partition_bytes": 2**20}, "give a memory budget or a partition size, not both"),
])
def test_store_analyze_rejects_bad_sizes(jsonl, tmp_path, kwargs, message):
    with pytest.raises(SchemaError, match=re.escape(message)):
        store.analyze(jsonl, tmp_path / "corpus", **kwargs)
    assert not (tmp_path / "corpus").exists()


def test_store_ingest_partition_bytes_sets_the_partition_count(tmp_path, interleaved_threads):
    # 40 copies of the 192 comments (24 threads each, ids made unique): about 1.5 MB of input.
    big = pd.concat([interleaved_threads.assign(thread_id=interleaved_threads["thread_id"] + f"-{k}")
                     for k in range(40)], ignore_index=True)
    src = tmp_path / "big.jsonl"
    big.to_json(src, orient="records", lines=True, force_ascii=False)
    out = store.ingest(src, tmp_path / "raw", partition_bytes=64 * 1024)
    n = store.read_manifest(out)["n_partitions"]
    assert n == -(-src.stat().st_size // (64 * 1024))


def test_store_resume_with_other_jobs_keeps_the_partitions(jsonl, tmp_path, monkeypatch):
    out = tmp_path / "corpus"
    # A budget-derived size differs with jobs; the partitions of the first run are kept.
    monkeypatch.setattr(store, "partition_bytes_for", lambda memory, *, jobs=1, strict=True: 4096 * 5 * jobs)
    store.analyze(jsonl, out, jobs=1)
    n = store.read_manifest(out)["n_partitions"]
    assert n > 1
    store.analyze(jsonl, out, jobs=2)
    assert store.read_manifest(out)["n_partitions"] == n
    assert len(store.read_corpus(out).comments) == 192


def test_store_resume_with_another_partition_size_is_refused_with_a_hint(jsonl, tmp_path):
    out = store.analyze(jsonl, tmp_path / "corpus", partition_bytes=8 * 1024)
    with pytest.raises(SchemaError, match="already holds a Parquet corpus of .* partitions from these inputs; this "
                                          "run's partition size would make 1. Resume with the first run's"):
        store.analyze(jsonl, out, partition_bytes=2**20)


@pytest.mark.parametrize(("args", "message"), [
    (["--memory", "lots"], "Error: Invalid value for '--memory': must be a size such as 2G, 512MiB or 1500000 "
                           "(bytes); got 'lots'.\n"),
    (["--partition-size", "-3M"], "Error: Invalid value for '--partition-size': must be a size such as 2G, 512MiB "
                                  "or 1500000 (bytes); got '-3M'.\n"),
    (["--memory", "0"], "Error: Invalid value for '--memory': must be at least 1 byte; got '0'.\n"),
    (["--partition-size", "1K"], "Error: Invalid value for '--partition-size': must be at least 4K; got '1K'.\n"),
    (["--memory", "1G", "--jobs", "2"], "Error: a memory budget of 1 GiB is too small for 2 workers"),
    (["--memory", "2G", "--partition-size", "8M"], "Error: give --memory or --partition-size, not both"),
])
def test_store_cli_size_options_errors(jsonl, tmp_path, args, message):
    result = CliRunner().invoke(cli, ["analyze", str(jsonl), "-o", f"{tmp_path}/c/", "--topics", "none", *args])
    assert result.exit_code in (1, 2)
    assert message in result.stderr, result.stderr


def test_store_cli_size_options_need_a_directory_output(jsonl, tmp_path):
    result = CliRunner().invoke(cli, ["analyze", str(jsonl), "-o", str(tmp_path / "out.csv"), "--memory", "4G"])
    assert result.exit_code == 2
    assert "--memory sizes the partitions of a Parquet corpus" in result.stderr


@pytest.mark.parametrize(("text", "expected"), [
    ("1500000", 1_500_000), ("16K", 16 * 1024), ("8M", 8 * 2**20), ("8MiB", 8 * 2**20), ("8mb", 8 * 2**20),
    ("1.5G", 3 * 2**29), ("2 GB", 2 * 2**30),
])
def test_store_cli_sizes_read_units_as_powers_of_1024(text, expected):
    from discourse.cli import ByteSize

    assert ByteSize().convert(text, None, None) == expected


def test_store_cli_partition_size_sets_the_partitions(jsonl, tmp_path):
    out = tmp_path / "c"
    result = CliRunner().invoke(cli, ["analyze", str(jsonl), "-o", f"{out}/", "--topics", "none",
                                      "--partition-size", "8K"])
    assert result.exit_code == 0, result.output
    assert store.read_manifest(out)["n_partitions"] == -(-jsonl.stat().st_size // (8 * 1024))


@pytest.mark.parametrize("name, content", [
    ("pushshift.csv", "id,parent_id,link_id,author,created_utc,body\n"
                      "c1,t3_abc,t3_abc,alice,1600000000,First.\nc2,t1_c1,t3_abc,bob,1600000100,\"No, alice.\"\n"
                      "c3,t1_c2,t3_abc,alice,1600000200,Yes.\nd1,t3_xyz,t3_xyz,carl,1600000300,Other thread.\n"),
    # The first records lack "reply_to", so the first chunks have no parent column at all.
    ("chat.jsonl", '{"message_id": 1, "user": "ann", "message": "Hi all"}\n'
                   '{"message_id": 2, "user": "bo", "message": "Hello"}\n'
                   '{"message_id": 3, "reply_to": 1, "user": "cy", "message": "Hi ann"}\n'),
])
def test_store_reads_other_tools_column_names_like_read(tmp_path, name, content):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    got = store.read_corpus(store.analyze(path, tmp_path / "corpus", n_partitions=2, chunk_rows=1))
    want = _in_memory(path)
    pd.testing.assert_frame_equal(_sorted(got.comments), _sorted(want.comments))
    assert got.ingest[0].notes == want.ingest[0].notes
    assert any(n.startswith("columns read as the contract names them") for n in got.ingest[0].notes)


@pytest.mark.parametrize("read_bytes", [1, 64, 2**20])
@pytest.mark.parametrize("k", [1, 2, 3, 5])
@pytest.mark.parametrize("stdlib", [False, True])
def test_store_jsonl_chunks_read_what_json_loads_reads(tmp_path, monkeypatch, read_bytes, k, stdlib):
    # Lines orjson refuses (NaN, a number past 64 bits or past a double, a lone surrogate) go to json.loads;
    # blank lines, a byte-order mark and CRLF as before; any byte ranges and read sizes.
    lines = [b'\xef\xbb\xbf{"comment_id": "1", "text": "caf\xc3\xa9", "score": NaN}', b"", b"  \t",
             b'{"comment_id": "2", "text": "\\ud800 lone", "n": 123456789012345678901234567890}',
             b'{"comment_id": "3", "text": "x\xe2\x80\xa8y \\u00e9", "score": 1.5e300, "n": -7}\r',
             b'{"comment_id": "4", "text": "ok", "d": {"a": [1, 2.25]}, "score": 0.1, "big": 1e400, "k": 1, "k": 2}']
    path = tmp_path / "c.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    want = [json.loads(line.removeprefix(b"\xef\xbb\xbf")) for line in lines if line.strip()]
    monkeypatch.setattr(store, "_READ_BYTES", read_bytes)
    if stdlib:  # without orjson installed
        monkeypatch.setattr(store, "_json_line_parser", lambda: json.loads)
    monkeypatch.setattr(store, "_records_frame", list)  # the records themselves, not a table of them
    got = [rec for a, b in store._jsonl_ranges(path, k)
           for chunk in store._jsonl_chunks(path, a, b, 2) for rec in chunk]
    assert repr(got) == repr(want)  # (repr: NaN equals NaN, and 1 is not 1.0)


def test_store_duplicate_ids_are_skipped_and_counted_like_read(tmp_path):
    src = tmp_path / "dup.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in [
        {"thread_id": "t", "comment_id": "1", "text": "a"}, {"thread_id": "t", "comment_id": "1", "text": "a"},
        {"thread_id": "t", "comment_id": "2", "text": "b"}, {"thread_id": "t", "comment_id": "2", "text": "c"}]))
    with pytest.warns(DiscourseWarning, match=r"dup.jsonl: 2 rows repeat a comment id .* \(e\.g\. t/2\)"):
        got = store.read_corpus(store.ingest(src, tmp_path / "corpus"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DiscourseWarning)
        want = discourse.read(src)
    r, w = got.ingest[0], want.ingest[0]
    assert (r.seen, r.kept, r.skipped) == (w.seen, w.kept, w.skipped) == (
        4, 2, {"conflicting duplicate id": 1, "duplicate id": 1})
    assert got.comments["text"].tolist() == ["a", "b"]
