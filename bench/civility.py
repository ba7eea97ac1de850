"""Civility benchmark: incivility against Toxic Spans, techniques against SemEval-2021 Task 6.

Run: ``DISCOURSE_DATA=/path/to/shared/data .venv/bin/python -m bench.civility [--terms]``

Incivility (Toxic Spans, Civil Comments news comments, CC0):
- comment level: AUROC of ``incivility`` against the annotators' verdict (toxic unless a
  majority of the span annotators ticked "not toxic"); comments are split by the SemEval
  2021 Task 5 split their text belongs to. Plain VADER negativity (-compound) is the
  baseline, same comments, same run.
- span level: the SemEval-2021 Task 5 metric (per-post F1 of toxic character offsets,
  averaged; a post where both gold and prediction are empty counts 1) on ``tsd_test``.

Techniques (SemEval-2021 Task 6 texts): per-technique precision and recall of "the text
uses the technique" and micro-F1, over the 14 techniques detected and over all 20 labels
(the six not attempted count as misses). Tuned on train and dev; test reported.

``--terms`` prints, for train+dev, how often each lexicon term fires and how often its
technique was really there (what the lexicon was pruned with).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import Counter, defaultdict

import numpy as np
import pandas as pd

from bench._common import data_dir, markdown_table, save

SEMEVAL_TO_KEY = {
    "Loaded Language": "loaded_language",
    "Name calling/Labeling": "name_calling",
    "Exaggeration/Minimisation": "exaggeration",
    "Appeal to fear/prejudice": "appeal_to_fear",
    "Flag-waving": "flag_waving",
    "Reductio ad hitlerum": "reductio_ad_hitlerum",
    "Whataboutism": "whataboutism",
    "Slogans": "slogans",
    "Black-and-white Fallacy/Dictatorship": "black_and_white",
    "Thought-terminating cliché": "thought_terminating_cliche",
    "Bandwagon": "bandwagon",
    "Causal Oversimplification": "causal_oversimplification",
    "Doubt": "doubt",
    "Repetition": "repetition",
}


def _tsd(split: str) -> pd.DataFrame:
    path = data_dir("civility", "toxic-spans-civilcomments", "SemEval2021", f"tsd_{split}.csv")
    df = pd.read_csv(path, keep_default_na=False)
    df["offsets"] = df["spans"].map(lambda s: set(json.loads(s)))
    return df


def toxicity_table() -> pd.DataFrame:
    base = data_dir("civility", "toxic-spans-civilcomments", "ACL2022_components")
    comments = pd.read_csv(base / "comments.csv", keep_default_na=False, dtype={"comment_id": str})
    ann = pd.read_csv(base / "annotations.csv", dtype={"comment_id": str})
    ann["not toxic"] = ann["not toxic"].astype(str).str.lower() == "true"
    votes = ann.groupby("comment_id")["not toxic"].agg(["mean", "size"])
    df = comments.merge(votes, left_on="comment_id", right_index=True)
    df["toxic"] = (df["mean"] <= 0.5).astype(int)
    split = {}
    for name in ("train", "trial", "test"):
        for t in _tsd(name)["text"]:
            split.setdefault(t, name)
    df["split"] = df["comment_text"].map(split).fillna("unsplit")
    return df.rename(columns={"comment_text": "text"})


def incivility_auroc(df: pd.DataFrame):
    from sklearn.metrics import roc_auc_score
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    from discourse import civility

    sia = SentimentIntensityAnalyzer()
    rows = []
    for split in ("train", "trial", "test"):
        part = df[df["split"] == split].reset_index(drop=True)
        if part["toxic"].nunique() < 2:
            continue
        scored = civility.score(part)
        vader = [-sia.polarity_scores(t)["compound"] for t in part["text"]]
        rows.append({
            "split": split, "comments": len(part), "toxic share": float(part["toxic"].mean()),
            "AUROC incivility": float(roc_auc_score(part["toxic"], scored["incivility"])),
            "AUROC VADER negativity": float(roc_auc_score(part["toxic"], vader)),
            "share with any span": float((scored["incivility"] > 0).mean()),
        })
    return rows


def _f1(pred: set, gold: set) -> float:
    if not gold and not pred:
        return 1.0
    if not gold or not pred:
        return 0.0
    tp = len(pred & gold)
    if not tp:
        return 0.0
    p, r = tp / len(pred), tp / len(gold)
    return 2 * p * r / (p + r)


def span_f1(split: str):
    from discourse import civility

    df = _tsd(split)
    df["comment_id"] = [str(i) for i in range(len(df))]
    spans = civility.spans(df, kinds=["incivility"])
    rows = {}
    for label_set, name in ((None, "all categories"), ({"shouting"}, "without shouting")):
        pred = defaultdict(set)
        for c, lab, s, e in spans[["comment_id", "label", "start", "end"]].itertuples(index=False):
            if label_set and lab in label_set:
                continue
            pred[c].update(range(s, e))
        scores = [_f1(pred.get(c, set()), gold) for c, gold in zip(df["comment_id"], df["offsets"])]
        rows[name] = float(np.mean(scores))
    return {"split": split, "posts": len(df), "span F1 (all categories)": rows["all categories"],
            "span F1 (without shouting)": rows["without shouting"]}


def _semeval(split: str) -> list[dict]:
    name = {"train": "training_set_task2.txt", "dev": "dev_set_task2.txt", "test": "test_set_task2.txt"}[split]
    return json.loads(data_dir("frames", "persuasion-techniques-semeval2021", name).read_text(encoding="utf-8"))


def techniques(split: str):
    from discourse import civility

    data = _semeval(split)
    df = pd.DataFrame({"comment_id": [d["id"] for d in data], "text": [d["text"] for d in data]})
    pred = civility.score(df)["techniques"].map(lambda s: set(s.split(";")) - {""})
    gold = [{SEMEVAL_TO_KEY.get(lab["technique"], "other:" + lab["technique"]) for lab in d["labels"]} for d in data]
    rows = []
    tp_all = fp_all = fn_all = 0
    for key in civility.TECHNIQUES:
        tp = sum(key in p and key in g for p, g in zip(pred, gold))
        fp = sum(key in p and key not in g for p, g in zip(pred, gold))
        fn = sum(key not in p and key in g for p, g in zip(pred, gold))
        tp_all, fp_all, fn_all = tp_all + tp, fp_all + fp, fn_all + fn
        prec = tp / (tp + fp) if tp + fp else float("nan")
        rec = tp / (tp + fn) if tp + fn else float("nan")
        rows.append({"technique": key, "gold": tp + fn, "predicted": tp + fp, "precision": prec, "recall": rec,
                     "F1": 2 * prec * rec / (prec + rec) if tp else 0.0})
    other_fn = sum(len([g for g in gs if g.startswith("other:")]) for gs in gold)
    micro = 2 * tp_all / (2 * tp_all + fp_all + fn_all) if tp_all else 0.0
    micro_all = 2 * tp_all / (2 * tp_all + fp_all + fn_all + other_fn) if tp_all else 0.0
    summary = {"split": split, "texts": len(data), "micro-F1 (14 detected)": micro,
               "micro-F1 (all 20 labels)": micro_all, "micro precision": tp_all / (tp_all + fp_all) if tp_all + fp_all else 0.0,
               "micro recall (14)": tp_all / (tp_all + fn_all) if tp_all + fn_all else 0.0}
    return rows, summary


def term_report():
    """Per-term firing counts and precision on train+dev (what the lexicon was pruned with)."""
    from discourse import civility

    data = _semeval("train") + _semeval("dev")
    lex = civility._technique_lexicon()
    from discourse.lexicons import load

    spec = load("techniques")["techniques"]
    for key in civility.TECHNIQUES:
        terms = spec[key].get("terms", [])
        if not terms:
            continue
        fired, right = Counter(), Counter()
        for d in data:
            gold = {SEMEVAL_TO_KEY.get(lab["technique"]) for lab in d["labels"]}
            for term in terms:
                rx = civility._compile([term], [])
                if rx.search(d["text"]):
                    fired[term] += 1
                    right[term] += key in gold
        line = ", ".join(f"{t} {right[t]}/{fired[t]}" for t, _ in fired.most_common())
        print(f"{key}: {line}\n")
    del lex


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--terms", action="store_true", help="print per-term precision on train+dev and stop")
    args = ap.parse_args(argv)
    if args.terms:
        term_report()
        return
    results = {}
    tox = toxicity_table()
    results["auroc"] = incivility_auroc(tox)
    print("## Incivility vs Toxic Spans annotators (comment level)\n")
    print(markdown_table(results["auroc"]))
    results["span_f1"] = [span_f1("train"), span_f1("test")]
    print("\n## Toxic span F1 (SemEval-2021 Task 5 metric)\n")
    print(markdown_table(results["span_f1"]))
    results["techniques"] = {}
    summaries = []
    for split in ("train", "dev", "test"):
        rows, summary = techniques(split)
        results["techniques"][split] = {"per_technique": rows, "summary": summary}
        summaries.append(summary)
    print("\n## Persuasion techniques (SemEval-2021 Task 6, text level)\n")
    print(markdown_table(summaries))
    print("\nPer technique, test split:\n")
    print(markdown_table(results["techniques"]["test"]["per_technique"]))
    path = save("civility", results)
    print(f"\nsaved {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
