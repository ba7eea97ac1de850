"""Grading speed: a class of 30 answer files, as a ratio to just reading the files.

The baseline is ``pandas.read_csv`` over the same 30 files and a concat, run in the same
process: grading must cost a small multiple of reading the answers. Answers are drawn
with a seeded generator so that the class agrees on some items and not on others.

Run: ``.venv/bin/python -m bench.teach_grading``
"""

from __future__ import annotations

import random
import tempfile
import warnings
from pathlib import Path

import pandas as pd

from bench._common import markdown_table, save, timed


def make_class(folder: Path, key: dict, n_students: int, rng: random.Random, *, skip: float = 0.05) -> list[Path]:
    paths = []
    for s in range(n_students):
        lines = ["student_id,item_id,answer"]
        for it in key["items"]:
            if rng.random() < skip:
                continue  # partial sheets are normal in a class
            values = [o["value"] for o in it["options"]]
            value = it["tool"] if rng.random() < 0.7 else rng.choice(values)
            lines.append(f"S{s:02d},{it['id']},{value}")
        path = folder / f"S{s:02d}.csv"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def main():
    import discourse
    from discourse.teach import grade, make_exercise

    corpus = discourse.analyze(discourse.read(Path(__file__).resolve().parent.parent / "corpora" / "zimmer-concession-2017.txt"))
    rows = []
    for n_items, n_students in ((10, 30), (22, 30), (22, 120)):
        ex = make_exercise(corpus, "tone", n=n_items)
        folder = Path(tempfile.mkdtemp(prefix="teach-grade-"))
        paths = make_class(folder, ex.key, n_students, random.Random(n_items * 1000 + n_students))

        def read_only():
            return pd.concat([pd.read_csv(p, dtype=str) for p in paths], ignore_index=True)

        def run():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return grade(ex.key, paths)

        run()  # warm the imports (nltk) once
        _, base = timed(read_only, repeat=5)
        result, t = timed(run, repeat=5)
        rows.append({"students": n_students, "items": len(ex.items), "answers": len(result.answers),
                     "read_csv_s": round(base, 4), "grade_s": round(t, 4), "ratio": round(t / base, 1),
                     "alpha": round(result.agreement["alpha"], 3)})
    print(markdown_table(rows))
    save("teach_grading", rows)


if __name__ == "__main__":
    main()
