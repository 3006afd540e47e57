#!/usr/bin/python3
"""Sentiment accuracy of avis beside Pattern, on label<TAB>text sets.

    bench/eval_sentiment.py --bin build/bench/eval_sentiment [FILE ...]

Without FILE, runs the development sets films_dev.tsv, tvseries_dev.tsv and
tweets_dev.tsv from ../shared/data/sentiment (beside the repository), each
skipped when absent. For every set it prints accuracy, macro-F1 and the
confusion matrix of:

  avis (label)  the label avis gives, neutral band included; on a two-class
                set a neutral answer counts as wrong;
  avis (sign)   two-class sets only: score > 0 is positive;
  pattern       pattern.fr.sentiment() polarity. On a two-class set, two
                rows: polarity > 0 is positive, and polarity >= 0.1, the
                threshold of Pattern's own positive(). On a three-class
                set, |polarity| below a neutral band is neutral; the band
                is the one with the best macro-F1 on the set's _train split
                when it exists (so the comparison favours Pattern), else
                0.1.

Standard library only, plus Pattern when installed (python3-pattern).
"""

import argparse
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
DEFAULT_SETS = os.path.join(REPO, "..", "shared", "data", "sentiment")
DEV_SETS = ("films_dev.tsv", "tvseries_dev.tsv", "tweets_dev.tsv")
CLASSES = ("neg", "neu", "pos")
PATTERN_BANDS = (0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3)


def read_set(path):
    gold, texts = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\r\n")
            if not line:
                continue
            label, _, text = line.partition("\t")
            gold.append(label)
            texts.append(text)
    return gold, texts


def avis_predictions(binary, data_dir, path):
    out = subprocess.run([binary, data_dir, path], check=True,
                         capture_output=True, text=True).stdout
    labels, scores = [], []
    for line in out.splitlines():
        _, pred, score = line.split("\t")
        labels.append(pred)
        scores.append(float(score))
    return labels, scores


def load_pattern():
    try:
        from pattern.fr import sentiment
    except ImportError:
        return None
    return lambda text: sentiment(text)[0]


def three_way(polarity, band):
    if polarity > band:
        return "pos"
    if polarity < -band:
        return "neg"
    return "neu"


def metrics(gold, pred):
    """Accuracy, macro-F1 over the gold classes, confusion counts."""
    classes = sorted(set(gold))
    confusion = {(g, p): 0 for g in CLASSES for p in CLASSES}
    for g, p in zip(gold, pred):
        confusion[(g, p)] = confusion.get((g, p), 0) + 1
    correct = sum(1 for g, p in zip(gold, pred) if g == p)
    f1s = []
    for c in classes:
        tp = confusion.get((c, c), 0)
        fp = sum(confusion.get((g, c), 0) for g in CLASSES if g != c)
        fn = sum(confusion.get((c, p), 0) for p in CLASSES if p != c)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1s.append(2 * precision * recall / (precision + recall)
                   if precision + recall else 0.0)
    return correct / len(gold), sum(f1s) / len(f1s), confusion


def best_pattern_band(polarity, train_path):
    """The neutral band with the best macro-F1 on a training split."""
    if not os.path.exists(train_path):
        return 0.1, "default"
    gold, texts = read_set(train_path)
    values = [polarity(t) for t in texts]
    best = max(PATTERN_BANDS, key=lambda b: metrics(
        gold, [three_way(v, b) for v in values])[1])
    return best, "best on " + os.path.basename(train_path)


def print_confusion(name, gold_classes, confusion):
    print("  confusion %s (rows gold, columns predicted %s):"
          % (name, "/".join(CLASSES)))
    for g in gold_classes:
        print("    %s %s" % (g, " ".join("%6d" % confusion[(g, p)]
                                          for p in CLASSES)))


def evaluate(path, binary, data_dir, polarity):
    gold, texts = read_set(path)
    classes = sorted(set(gold))
    two_class = set(classes) <= {"neg", "pos"}
    print("%s: %d documents, classes %s"
          % (os.path.basename(path), len(gold), "/".join(classes)))
    rows = []
    start = time.perf_counter()
    labels, scores = avis_predictions(binary, data_dir, path)
    avis_seconds = time.perf_counter() - start
    if len(labels) != len(gold):
        sys.exit("%s: avis answered %d lines for %d documents"
                 % (path, len(labels), len(gold)))
    rows.append(("avis (label)", labels))
    if two_class:
        rows.append(("avis (sign)",
                     ["pos" if s > 0 else "neg" for s in scores]))
    pattern_seconds = None
    if polarity:
        start = time.perf_counter()
        values = [polarity(t) for t in texts]
        pattern_seconds = time.perf_counter() - start
        if two_class:
            rows.append(("pattern (>0)",
                         ["pos" if v > 0 else "neg" for v in values]))
            rows.append(("pattern (>=0.1)",
                         ["pos" if v >= 0.1 else "neg" for v in values]))
        else:
            train = path.replace("_dev.", "_train.")
            band, why = best_pattern_band(polarity, train)
            print("    pattern neutral band %.2f (%s)" % (band, why))
            rows.append(("pattern (band %.2f)" % band,
                         [three_way(v, band) for v in values]))
    width = max(len(name) for name, _ in rows)
    print("    %-*s %8s %9s" % (width, "", "accuracy", "macro-F1"))
    results = []
    for name, pred in rows:
        accuracy, f1, confusion = metrics(gold, pred)
        results.append((name, accuracy, f1, confusion))
        print("    %-*s %8.3f %9.3f" % (width, name, accuracy, f1))
    neutral = sum(1 for p in labels if p == "neu")
    print("    avis predicted neutral: %d of %d" % (neutral, len(labels)))
    for name, _, _, confusion in results:
        if name != "avis (sign)":
            print_confusion(name, classes, confusion)
    timing = "    time: avis %.2f s (process, model load included)" % avis_seconds
    if pattern_seconds is not None:
        timing += ", pattern %.2f s" % pattern_seconds
    print(timing)
    print()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bin", default=os.path.join(
        REPO, "build", "bench", "eval_sentiment"),
        help="the eval_sentiment program (default: build/bench/)")
    parser.add_argument("--data-dir", default=REPO,
                        help="avis data directory (default: the repository)")
    parser.add_argument("--sets", default=DEFAULT_SETS,
                        help="directory of the development sets")
    parser.add_argument("files", nargs="*", help="label<TAB>text files")
    args = parser.parse_args()

    if not os.access(args.bin, os.X_OK):
        sys.exit("eval_sentiment.py: no program at %s (build the bench "
                 "targets, or pass --bin)" % args.bin)
    files = args.files or [os.path.join(args.sets, name) for name in DEV_SETS]
    polarity = load_pattern()
    if polarity is None:
        print("pattern.fr is not installed: avis only\n")
    for path in files:
        if not os.path.exists(path):
            print("%s: absent, skipped\n" % path)
            continue
        evaluate(path, args.bin, args.data_dir, polarity)


if __name__ == "__main__":
    main()
