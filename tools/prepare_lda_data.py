#!/usr/bin/python3
"""Writes the OrangeSum articles as JSON Lines for `avis train lda`:

  orangesum-lda-train.jsonl   every non-empty article but the held-out tenth
  orangesum-lda-test.jsonl    the held-out tenth, for perplexity

The tenth is the one the naive Bayes benchmarks hold out (chosen by title,
tools/prepare_topic_data.py), so no benchmark sees a training article.
Each line is {"text": title, heading and article joined by blank lines}.

Usage: prepare_lda_data.py DATA_DIR OUT_DIR
"""
import gzip
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from prepare_topic_data import held_out  # noqa: E402


def main(data, out):
    src = os.path.join(data, "topics", "orangesum.jsonl.gz")
    counts = {"train": 0, "test": 0}
    with gzip.open(src, "rt", encoding="utf-8") as f, \
            open(os.path.join(out, "orangesum-lda-train.jsonl"), "w") as train, \
            open(os.path.join(out, "orangesum-lda-test.jsonl"), "w") as test:
        for line in f:
            d = json.loads(line)
            if not d.get("article"):
                continue
            text = "\n\n".join(x for x in (d.get("title"), d.get("heading"),
                                            d.get("article")) if x)
            side = "test" if held_out(d.get("title") or "") else "train"
            (test if side == "test" else train).write(
                json.dumps({"text": text}, ensure_ascii=False) + "\n")
            counts[side] += 1
    print("prepare_lda_data: %(train)d training, %(test)d held-out articles"
          % counts, file=sys.stderr)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
