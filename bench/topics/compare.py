#!/usr/bin/python3
"""Topic and sentiment classification: avis naive Bayes against fastText
(supervised, word bigrams) and scikit-learn (CountVectorizer +
MultinomialNB), trained and tested on the same data in one run.

  compare.py AVIS REPO_ROOT [DATA_DIR]

Reports held-out macro-F1 on an OrangeSum split and on masakhanews_dev,
training time, prediction documents/s and MB/s, and 5-fold cross-validated
sentiment on films_dev. Skips cleanly when DATA_DIR (default
REPO_ROOT/../shared/data) is absent. Each system reads the raw text; the
metrics are computed here, the same way for all.

Training times are the best of REPEATS runs for avis and scikit-learn (the
machine may be shared; the best run is the least disturbed one) and of one
run for fastText, which takes far longer. avis uses every core (its
default), fastText two threads, scikit-learn one (MultinomialNB has no
threads).
"""
import json
import os
import resource
import random
import shutil
import subprocess
import sys
import tempfile
import time


def macro_f1(gold, pred):
    labels = sorted(set(gold))
    total = 0.0
    for c in labels:
        tp = sum(1 for g, p in zip(gold, pred) if g == c and p == c)
        fp = sum(1 for g, p in zip(gold, pred) if g != c and p == c)
        fn = sum(1 for g, p in zip(gold, pred) if g == c and p != c)
        total += 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return total / len(labels)


def accuracy(gold, pred):
    return sum(1 for g, p in zip(gold, pred) if g == p) / len(gold)


def read_jsonl(path):
    docs = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            if d.get("labels"):
                docs.append((d["labels"][0], d["text"]))
    return docs


def write_tsv(path, docs):
    with open(path, "w", encoding="utf-8") as f:
        for label, text in docs:
            f.write("%s\t%s\n" % (label, " ".join(text.split())))


REPEATS = 3


def cpu_seconds(who):
    r = resource.getrusage(who)
    return r.ru_utime + r.ru_stime


def timed(cmd, **kw):
    """Wall and CPU seconds (all threads) of a command."""
    t, c = time.perf_counter(), cpu_seconds(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, **kw)
    return (time.perf_counter() - t,
            cpu_seconds(resource.RUSAGE_CHILDREN) - c)


def best_of(n, fn):
    return min((fn() for _ in range(n)), key=lambda r: r[0])


def run_avis(avis, root, work, train, test, kind="topics", repeats=REPEATS):
    tr, te = os.path.join(work, "train.tsv"), os.path.join(work, "test.tsv")
    write_tsv(tr, train)
    write_tsv(te, test)
    model, pred = os.path.join(work, "m.avm"), os.path.join(work, "pred.tsv")
    fit = best_of(repeats, lambda: timed(
        [avis, "train", "nb", "--data-dir", root, "--kind", kind, "--em", "0",
         "-o", model, tr]))
    run = timed([avis, "evaluate", "--data-dir", root, "--model", model,
                 "--predictions", pred, te])[0]
    with open(pred, encoding="utf-8") as f:
        predicted = [line.split("\t")[2] for line in f]
    return predicted, fit, run


def run_fasttext(work, train, test):
    def ft_line(label, text):
        return "__label__%s %s\n" % (label, " ".join(text.lower().split()))
    tr, te = os.path.join(work, "ft.train"), os.path.join(work, "ft.test")
    with open(tr, "w", encoding="utf-8") as f:
        f.writelines(ft_line(l, t) for l, t in train)
    with open(te, "w", encoding="utf-8") as f:
        f.writelines(ft_line("x", t) for _, t in test)
    model = os.path.join(work, "ft")
    fit = timed(["fasttext", "supervised", "-input", tr, "-output", model,
                 "-wordNgrams", "2", "-epoch", "10", "-thread", "2",
                 "-seed", "1"])
    t = time.perf_counter()
    out = subprocess.run(["fasttext", "predict", model + ".bin", te],
                         check=True, capture_output=True, text=True).stdout
    run = time.perf_counter() - t
    return [l.replace("__label__", "") for l in out.split()], fit, run


def run_sklearn(train, test):
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.naive_bayes import MultinomialNB

    def fit_once():
        t, c = time.perf_counter(), cpu_seconds(resource.RUSAGE_SELF)
        vec = CountVectorizer()
        x = vec.fit_transform([t for _, t in train])
        clf = MultinomialNB().fit(x, [l for l, _ in train])
        return ((time.perf_counter() - t,
                 cpu_seconds(resource.RUSAGE_SELF) - c), vec, clf)
    runs = [fit_once() for _ in range(REPEATS)]
    fit, vec, clf = min(runs, key=lambda r: r[0][0])
    t = time.perf_counter()
    pred = list(clf.predict(vec.transform([t for _, t in test])))
    return pred, fit, time.perf_counter() - t


def compare(name, avis, root, work, train, test, kind="topics"):
    gold = [l for l, _ in test]
    mb = sum(len(t.encode("utf-8")) for _, t in test) / 1e6
    rows, loads = [], []
    for system, fn in (("avis", lambda: run_avis(avis, root, work, train,
                                                  test, kind)),
                       ("fastText", lambda: run_fasttext(work, train, test)),
                       ("sklearn", lambda: run_sklearn(train, test))):
        pred, fit, run = fn()
        loads.append(os.getloadavg()[0])
        rows.append((system, macro_f1(gold, pred), accuracy(gold, pred),
                     fit[0], fit[1], len(test) / run, mb / run))
    print("\n%s: %d training, %d test documents (%.1f MB)" %
          (name, len(train), len(test), mb))
    print("  %-9s %8s %8s %8s %8s %10s %8s" %
          ("system", "macro-F1", "accuracy", "train s", "CPU s", "docs/s",
           "MB/s"))
    for r in rows:
        print("  %-9s %8.4f %8.4f %8.2f %8.2f %10.0f %8.2f" % r)
    # The machine may be shared: the load shows how many cores were free.
    print("  load average after each system: %s" %
          ", ".join("%.2f" % x for x in loads))
    for other in rows[1:]:
        print("  avis trains %.1fx faster than %s (%.1fx less CPU), "
              "predicts %.1fx faster" %
              (other[3] / rows[0][3], other[0], other[4] / rows[0][4],
               rows[0][5] / other[5]))
    return rows


def sentiment_cv(avis, root, work, path, folds=5):
    with open(path, encoding="utf-8") as f:
        docs = [tuple(l.rstrip("\n").split("\t", 1)) for l in f if "\t" in l]
    order = list(range(len(docs)))
    random.Random(1).shuffle(order)
    totals = {}
    for k in range(folds):
        test = [docs[i] for n, i in enumerate(order) if n % folds == k]
        train = [docs[i] for n, i in enumerate(order) if n % folds != k]
        gold = [l for l, _ in test]
        for system, fn in (("avis", lambda: run_avis(avis, root, work, train,
                                                      test, "classes", 1)),
                           ("fastText", lambda: run_fasttext(work, train,
                                                             test))):
            pred = fn()[0]
            s = totals.setdefault(system, [0.0, 0.0])
            s[0] += accuracy(gold, pred) / folds
            s[1] += macro_f1(gold, pred) / folds
    print("\nfilms_dev sentiment, %d-fold cross-validation (same folds)" % folds)
    for system, (acc, f1) in totals.items():
        print("  %-9s accuracy %.4f  macro-F1 %.4f" % (system, acc, f1))


def shipped(avis, root, path):
    out = subprocess.run([avis, "evaluate", "--data-dir", root, "--model",
                          os.path.join(root, "models", "topics-fr.avm"), path],
                         capture_output=True, text=True).stdout
    for line in out.splitlines()[:5]:
        print("  " + line)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    avis, root = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    data = sys.argv[3] if len(sys.argv) > 3 else os.path.join(root, "..",
                                                              "shared", "data")
    if not os.path.isdir(os.path.join(data, "topics")):
        print("bench/topics: no data in %s, skipped" % data)
        return
    if not shutil.which("fasttext"):
        print("bench/topics: fasttext not installed, skipped")
        return
    work = tempfile.mkdtemp()
    print("%d cores; load average %.2f %.2f %.2f" %
          ((os.cpu_count() or 1,) + os.getloadavg()))
    try:
        subprocess.run(["/usr/bin/python3",
                        os.path.join(root, "tools", "prepare_topic_data.py"),
                        data, work], check=True)
        compare("OrangeSum held-out tenth", avis, root, work,
                read_jsonl(os.path.join(work, "orangesum-train.jsonl")),
                read_jsonl(os.path.join(work, "orangesum-test.jsonl")))
        compare("masakhanews_dev (trained on train50)", avis, root, work,
                read_jsonl(os.path.join(data, "topics",
                                        "masakhanews_train50.jsonl")),
                read_jsonl(os.path.join(data, "topics",
                                        "masakhanews_dev.jsonl")))
        print("\nshipped model, OrangeSum held-out tenth")
        shipped(avis, root, os.path.join(work, "orangesum-test.jsonl"))
        print("shipped model, masakhanews_dev")
        shipped(avis, root, os.path.join(data, "topics",
                                         "masakhanews_dev.jsonl"))
        sentiment_cv(avis, root, work,
                     os.path.join(data, "sentiment", "films_dev.tsv"))
    finally:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
