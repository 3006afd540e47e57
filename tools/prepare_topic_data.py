#!/usr/bin/python3
"""Turns the development data of ../shared/data/topics into the JSON Lines
that `avis train nb` reads ({"labels": [...], "text": ...}), in a scratch
directory. Nothing it writes belongs in the repository.

  prepare_topic_data.py DATA_DIR OUT_DIR

writes, in OUT_DIR:
  orangesum-train.jsonl       OrangeSum articles mapped onto the taxonomy
  orangesum-test.jsonl        the held-out tenth (by title), for benchmarks
  orangesum-model.jsonl       orangesum-train.jsonl with the labels the
                              default model learns from (model_labels())
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

# The sections are not the taxonomy's topics. 'monde' is foreign news of
# every kind, and labelled geopolitics it teaches that an election or a
# government abroad is geopolitics; a title that names national politics
# (an election, a parliament, a government, a party, a coup) and nothing
# between states makes the article politics. A title that reports a
# regulatory act (an authorisation, a ban, an approval, a regulator's
# decision: a medicine authorised, a pesticide banned, a fine from the
# CNIL) makes regulation a second topic: nothing else in the data teaches
# regulation in the words of health, technology or the environment.
NATIONAL_POLITICS_TITLE = re.compile(
    r"\b(élections?|électoral\w*|présidentielles?|législatives|municipales"
    r"|sénatoriales|primaires?|scrutin|référendum|électeurs|électrices"
    r"|votent|candidat\w*|parlement\w*|députés?|sénat\w*|gouvernement"
    r"|premier ministre|première ministre|président élu|présidente élue"
    r"|opposition|opposants?|parti|partis|coalition|coup d'[ÉEée]tat|putsch\w*"
    r"|junte|destitution|impeachment|investiture|réélu\w*|démission\w*"
    r"|remaniement)\b", re.I)
BETWEEN_STATES_TITLE = re.compile(
    r"\b(sommet|diplomat\w*|ambassad\w*|OTAN|ONU|sanctions|guerre|missiles?"
    r"|frappes?|armées?|militaires?|troupes|soldats|accord|traité|frontières?"
    r"|G7|G20|UE|Union européenne|Brexit|ingérence|homologue)\b", re.I)
REGULATORY_TITLE = re.compile(
    r"\b(autoris(e|é|ée|és|ées|ent|ation|ations)"
    r"|interdi(t|te|ts|tes|ction|ctions|re|sent)|homologu(é|ée|és|ées|er)"
    r"|homologation|sanctionn\w*|régulateur\w*|réglementation\w*"
    r"|CNIL|ANSM|Anses|Arcep|Arcom|CSA|AMF|DGCCRF|Autorité de la concurrence"
    r"|Conseil d'[ÉE]tat|Cour de justice de l'UE|retir\w* du marché"
    r"|mise sur le marché|feu vert|conformité|agrément|moratoire)\b", re.I)

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


def model_labels(topic, title):
    """The labels the default model learns a training article under: its
    section's topic, corrected by its title."""
    if (topic == "geopolitics" and NATIONAL_POLITICS_TITLE.search(title)
            and not BETWEEN_STATES_TITLE.search(title)):
        topic = "politics"
    if REGULATORY_TITLE.search(title):
        return [topic, "regulation"]
    return [topic]


def write(f, labels, text):
    f.write(json.dumps({"labels": labels, "text": text}, ensure_ascii=False))
    f.write("\n")


def orangesum(data, out):
    path = os.path.join(data, "topics", "orangesum.jsonl.gz")
    with gzip.open(path, "rt", encoding="utf-8") as src, \
            open(os.path.join(out, "orangesum-train.jsonl"), "w") as train, \
            open(os.path.join(out, "orangesum-test.jsonl"), "w") as test, \
            open(os.path.join(out, "orangesum-unlabelled.jsonl"), "w") as unl, \
            open(os.path.join(out, "orangesum-model.jsonl"), "w") as model:
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
            if not topic:
                continue
            title = d.get("title") or ""
            if held_out(title):
                write(test, [topic], text)
            else:
                write(train, [topic], text)
                write(model, model_labels(topic, title), text)


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
