#!/usr/bin/python3
"""Turns the development data of ../shared/data/topics into the JSON Lines
that `avis train nb` reads ({"labels": [...], "text": ...}), in a scratch
directory. Nothing it writes belongs in the repository.

  prepare_topic_data.py DATA_DIR OUT_DIR

writes, in OUT_DIR:
  orangesum-train.jsonl       OrangeSum articles mapped onto the taxonomy
  orangesum-test.jsonl        the held-out tenth (by title), for benchmarks
  orangesum-unlabelled.jsonl  'france', 'societe/insolite' and 'auto'
  legal.jsonl                 articles of business, consumer, telecoms and
                              finance codes and the data-protection texts
The split and the samples depend only on the data, so that a model built
from them is reproducible bit for bit.
"""
import gzip
import hashlib
import json
import os
import re
import sys

CATEGORY_TOPIC = {
    ("politique", None): "politics",
    ("monde", None): "geopolitics",
    ("societe", "sante"): "health",
    ("societe", "environnement"): "environment",
    ("societe", "high-tech"): "technology",
    ("societe", "culture"): "culture",
    ("societe", "people"): "culture",
    ("societe", "media"): "culture",
    ("societe", "fait-divers"): "society",
}
# The car pages fit economy only weakly (TAXONOMY.md): as labelled economy
# they teach "economy means cars", so they are left to the seed words.
UNLABELLED = {("france", None), ("societe", "insolite"), ("auto", "news"),
              ("auto", "ecomobilite"), ("auto", "electrique")}

# Codes whose articles read like the regulation of firms and markets.
LEGAL_CODES = {
    "code-de-commerce": 16,
    "code-de-la-consommation": 8,
    "code-des-postes-et-des-communications-electroniques": 8,
    "code-monetaire-et-financier": 24,
    "code-de-la-propriete-intellectuelle": 16,
}


def held_out(title):
    """One article in ten, chosen by its title so that repeated articles
    fall on the same side."""
    digest = hashlib.sha1(title.strip().lower().encode("utf-8")).digest()
    return digest[0] % 10 == 0


def write(f, labels, text):
    f.write(json.dumps({"labels": labels, "text": text}, ensure_ascii=False))
    f.write("\n")


def orangesum(data, out):
    path = os.path.join(data, "topics", "orangesum.jsonl.gz")
    with gzip.open(path, "rt", encoding="utf-8") as src, \
            open(os.path.join(out, "orangesum-train.jsonl"), "w") as train, \
            open(os.path.join(out, "orangesum-test.jsonl"), "w") as test, \
            open(os.path.join(out, "orangesum-unlabelled.jsonl"), "w") as unl:
        for line in src:
            d = json.loads(line)
            text = "\n\n".join(x for x in (d.get("title"), d.get("heading"),
                                            d.get("article")) if x)
            if not d.get("article"):
                continue
            key = (d.get("category"), d.get("subcategory"))
            if key in UNLABELLED:
                if not held_out(d.get("title") or ""):
                    write(unl, [], text)
                continue
            topic = CATEGORY_TOPIC.get(key)
            if topic:
                dest = test if held_out(d.get("title") or "") else train
                write(dest, [topic], text)


def legal(data, out):
    codes = os.path.join(data, "topics", "regulation",
                         "codes_en_vigueur_articles.jsonl.gz")
    seen = {}
    with gzip.open(codes, "rt", encoding="utf-8") as src, \
            open(os.path.join(out, "legal.jsonl"), "w") as dst:
        for line in src:
            d = json.loads(line)
            step = LEGAL_CODES.get(d.get("code"))
            if not step or len(d.get("text", "")) < 300:
                continue
            seen[d["code"]] = seen.get(d["code"], 0) + 1
            if seen[d["code"]] % step == 0:
                write(dst, [], d["text"])
        for name in ("loi_78-17_informatique_libertes.md",
                     "rgpd_fr_recitals_art1-23.md"):
            with open(os.path.join(data, "topics", "regulation", name),
                      encoding="utf-8") as f:
                parts = re.split(r"\n(?=#+ |Article )", f.read())
            for part in parts:
                if len(part) >= 300:
                    write(dst, [], part)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    data, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    orangesum(data, out)
    legal(data, out)


if __name__ == "__main__":
    main()
