#!/usr/bin/python3
"""LDA comparison helpers: train the peers on a pre-tokenised stream, turn
every model into the same form (topic-word matrix over one vocabulary and a
document-topic prior), and score all of them with one implementation of
held-out perplexity and coherence. run.sh drives it.

  compare.py vocab TRAIN_TOKENS OUT_VOCAB
  compare.py gensim VOCAB TRAIN_TOKENS K PASSES WORKERS OUT.npz
  compare.py sklearn VOCAB TRAIN_TOKENS K ITERATIONS JOBS OUT.npz
  compare.py avis VOCAB TOPICS_JSON OUT.npz
  compare.py evaluate VOCAB HELDOUT_TOKENS REFERENCE_TOKENS NAME=MODEL.npz...
  compare.py peak-rss OUT_FILE -- COMMAND...
  compare.py summary WORK_DIR

Held-out perplexity is document completion: the first half of each
held-out document (its tokens in the training vocabulary) gives the topic
mixture, by 50 fixed-point steps theta_k ~ alpha_k + sum_i r_ik, and the
second half is scored under it. Coherence is over each topic's 10 most
probable words, from document co-occurrence in the reference corpus: UMass
(Mimno et al. 2011, log((D(wi,wj) + 1) / D(wj)) with wj ranked higher) and
NPMI (-1 for pairs never seen together), averaged over pairs then topics:
the definitions of `avis evaluate lda` (docs/lda.md).
"""
import json
import os
import subprocess
import sys
import time

import numpy as np


def read_docs(path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            toks = line.split()
            if toks:
                yield toks


def load_vocab(path):
    with open(path, encoding="utf-8") as f:
        words = [w.rstrip("\n") for w in f]
    return words, {w: i for i, w in enumerate(words)}


def cmd_vocab(train, out):
    seen = {}
    for doc in read_docs(train):
        for w in doc:
            seen.setdefault(w, len(seen))
    with open(out, "w", encoding="utf-8") as f:
        for w in seen:
            f.write(w + "\n")


def doc_ids(path, index):
    for doc in read_docs(path):
        ids = [index[w] for w in doc if w in index]
        if ids:
            yield np.array(ids, dtype=np.int64)


def report_training(name, seconds, tokens, sweeps):
    print(json.dumps({"name": name, "train_seconds": seconds,
                      "tokens": tokens, "sweeps": sweeps,
                      "tokens_per_second_per_sweep": tokens * sweeps / seconds}))


def cmd_gensim(vocab_path, train, k, passes, workers, out):
    from gensim.models import LdaMulticore
    words, index = load_vocab(vocab_path)
    id2word = dict(enumerate(words))
    corpus, tokens = [], 0
    for ids in doc_ids(train, index):
        u, c = np.unique(ids, return_counts=True)
        corpus.append(list(zip(u.tolist(), c.tolist())))
        tokens += len(ids)
    start = time.monotonic()
    lda = LdaMulticore(corpus, num_topics=int(k), id2word=id2word,
                       passes=int(passes), workers=int(workers), random_state=1)
    seconds = time.monotonic() - start
    report_training("gensim", seconds, tokens, int(passes))
    np.savez(out, phi=lda.get_topics(), alpha=np.asarray(lda.alpha, dtype=float))


def bag_matrix(train, index):
    from scipy.sparse import csr_matrix
    rows, cols, tokens = [], [], 0
    for d, ids in enumerate(doc_ids(train, index)):
        rows.append(np.full(len(ids), d))
        cols.append(ids)
        tokens += len(ids)
    r, c = np.concatenate(rows), np.concatenate(cols)
    x = csr_matrix((np.ones(len(r)), (r, c)), shape=(r.max() + 1, len(index)))
    x.sum_duplicates()
    return x, tokens


def cmd_sklearn(vocab_path, train, k, iterations, jobs, out):
    from sklearn.decomposition import LatentDirichletAllocation
    _, index = load_vocab(vocab_path)
    x, tokens = bag_matrix(train, index)
    start = time.monotonic()
    lda = LatentDirichletAllocation(n_components=int(k), learning_method="batch",
                                    max_iter=int(iterations), n_jobs=int(jobs),
                                    random_state=1)
    lda.fit(x)
    seconds = time.monotonic() - start
    report_training("sklearn", seconds, tokens, int(iterations))
    phi = lda.components_ / lda.components_.sum(axis=1, keepdims=True)
    np.savez(out, phi=phi, alpha=np.full(int(k), lda.doc_topic_prior_))


def cmd_avis(vocab_path, topics_json, out):
    _, index = load_vocab(vocab_path)
    topics = json.load(open(topics_json, encoding="utf-8"))
    phi = np.zeros((len(topics), len(index)))
    for t in topics:
        phi[t["id"], :] = t["floor"]
        for w in t["words"]:
            if w["word"] in index:
                phi[t["id"], index[w["word"]]] = w["weight"]
    np.savez(out, phi=phi, alpha=np.array([t["alpha"] for t in topics]))


def completion(phi, alpha, docs):
    ll, n = 0.0, 0
    for ids in docs:
        if len(ids) < 2:
            continue
        half = len(ids) // 2
        obs, rest = ids[:half], ids[half:]
        p_obs = phi[:, obs]                      # K x n
        theta = np.full(phi.shape[0], 1.0 / phi.shape[0])
        for _ in range(50):
            r = theta[:, None] * p_obs
            r /= r.sum(axis=0, keepdims=True)
            theta = alpha + r.sum(axis=1)
            theta /= theta.sum()
        ll += np.log(theta @ phi[:, rest]).sum()
        n += len(rest)
    return float(np.exp(-ll / n)), n


def coherence(phi, ref_sets, ndocs, top=10):
    from scipy.sparse import csr_matrix
    best = np.argsort(-phi, axis=1, kind="stable")[:, :top]
    words = np.unique(best)
    col = {w: i for i, w in enumerate(words)}
    rows, cols = [], []
    for d, s in enumerate(ref_sets):
        hit = [col[w] for w in s if w in col]
        rows += [d] * len(hit)
        cols += hit
    x = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(ndocs, len(words)))
    df = np.asarray(x.sum(axis=0)).ravel()
    co = (x.T @ x).toarray()
    umass, npmi = [], []
    for t in best:
        u, p = [], []
        for m in range(1, top):
            for l in range(m):
                i, j = col[t[m]], col[t[l]]
                both = co[i, j]
                if df[j]:
                    u.append(np.log((both + 1) / df[j]))
                if both == 0:
                    p.append(-1.0)
                else:
                    pij = both / ndocs
                    p.append(1.0 if pij >= 1 else
                             np.log(pij / (df[i] / ndocs * df[j] / ndocs)) / -np.log(pij))
        umass.append(np.mean(u) if u else 0.0)
        npmi.append(np.mean(p))
    return float(np.mean(umass)), float(np.mean(npmi))


def cmd_evaluate(vocab_path, heldout, reference, models):
    _, index = load_vocab(vocab_path)
    held = list(doc_ids(heldout, index))
    ref_sets = [set(ids.tolist()) for ids in doc_ids(reference, index)]
    for spec in models:
        name, path = spec.split("=", 1)
        m = np.load(path)
        phi = m["phi"] / m["phi"].sum(axis=1, keepdims=True)
        ppl, n = completion(phi, m["alpha"], held)
        umass, npmi = coherence(phi, ref_sets, len(ref_sets))
        print(json.dumps({"name": name, "perplexity": ppl, "heldout_tokens": n,
                          "umass": umass, "npmi": npmi}))


def tree_rss_kb(pid):
    """Resident memory of a process and all its descendants, in kB."""
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    stack += [int(c) for c in f.read().split()]
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            pass
    return total


def cmd_peak_rss(out, command):
    proc = subprocess.Popen(command)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, tree_rss_kb(proc.pid))
        time.sleep(0.1)
    with open(out, "w") as f:
        f.write(f"{peak}\n")
    sys.exit(proc.returncode)


def time_report(time_file):
    """Wall seconds, CPU seconds (user + system, every process waited for)
    and largest single-process RSS (kB) from /usr/bin/time -v."""
    wall, cpu, rss = None, 0.0, None
    for line in open(time_file):
        line = line.strip()
        if line.startswith("Elapsed (wall clock)"):
            parts = [float(x) for x in line.rsplit(" ", 1)[1].split(":")]
            wall = sum(x * 60 ** i for i, x in enumerate(reversed(parts)))
        elif line.startswith(("User time", "System time")):
            cpu += float(line.rsplit(" ", 1)[1])
        elif line.startswith("Maximum resident set size"):
            rss = int(line.rsplit(" ", 1)[1])
    return wall, cpu, rss


def avis_training(log):
    """Training seconds (after reading) and token count from avis's stderr."""
    read = total = tokens = sweeps = None
    for line in open(log):
        words = line.split()
        if "documents in" in line and words[1] == "read":
            read = float(words[-2])
        elif line.startswith("avis: wrote"):
            total = float(words[-2])
        elif "tokens," in line and "topics," in line:
            tokens = int(words[2])
        elif line.strip().startswith("iteration "):
            sweeps = int(words[1].split("/")[1])
    return total - read, tokens, sweeps


def cmd_summary(work):
    quality = {}
    for line in open(os.path.join(work, "quality.jsonl")):
        q = json.loads(line)
        quality[q["name"]] = q
    print("| tool | train s | process s (wall) | process CPU s | tokens/s per "
          "sweep | peak RSS (sum of processes) | largest process RSS | "
          "perplexity | NPMI | UMass |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name in ("avis", "gensim", "sklearn"):
        wall, cpu, rss = time_report(os.path.join(work, name + ".time"))
        peak = int(open(os.path.join(work, name + ".rss")).read())
        if name == "avis":
            secs, tokens, sweeps = avis_training(os.path.join(work, "avis.log"))
        else:
            t = json.loads(open(os.path.join(work, name + ".train.json")).read())
            secs, tokens, sweeps = t["train_seconds"], t["tokens"], t["sweeps"]
        q = quality[name]
        print(f"| {name} | {secs:.1f} | {wall:.1f} | {cpu:.1f} "
              f"| {tokens * sweeps / secs / 1e6:.2f}M "
              f"| {peak / 1024:.0f} MB | {rss / 1024:.0f} MB | {q['perplexity']:.0f} "
              f"| {q['npmi']:.4f} | {q['umass']:.4f} |")


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    cmd, args = argv[1], argv[2:]
    if cmd == "vocab":
        cmd_vocab(*args)
    elif cmd == "gensim":
        cmd_gensim(*args)
    elif cmd == "sklearn":
        cmd_sklearn(*args)
    elif cmd == "avis":
        cmd_avis(*args)
    elif cmd == "evaluate":
        cmd_evaluate(args[0], args[1], args[2], args[3:])
    elif cmd == "peak-rss":
        cmd_peak_rss(args[0], args[2:])
    elif cmd == "summary":
        cmd_summary(*args)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
