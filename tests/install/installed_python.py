"""The Python package as `cmake --install` left it, imported with nothing
but PYTHONPATH pointing at the installed package directory: no
AVIS_LIBRARY, no AVIS_DATA_DIR, no loader path, no source tree. It must
load the installed library, read the installed data and analyse a French
text for real; the two variables must still override what was installed.

Usage: PYTHONPATH=PREFIX/PYTHONDIR python3 -s - PREFIX < installed_python.py
(read from standard input, so that the source tree is not on sys.path)
"""
import os
import subprocess
import sys

import avis

PREFIX = os.path.realpath(sys.argv[1])

# A match report: positive, and about sport above anything else.
TEXT = (
    "Quelle soirée magnifique au stade ! L'équipe de France a remporté le "
    "match contre l'Espagne grâce à deux buts superbes en seconde période. "
    "L'attaquant a marqué d'une frappe splendide et le gardien a réussi des "
    "arrêts décisifs. L'entraîneur a salué le courage de ses joueurs, et les "
    "supporters, ravis, ont fêté cette victoire jusqu'au bout de la nuit. "
    "L'équipe disputera la finale du championnat dimanche."
)

failures = []


def expect(condition, what):
    print(("ok - " if condition else "not ok - ") + what)
    if not condition:
        failures.append(what)


def inside_prefix(path):
    return os.path.realpath(path).startswith(PREFIX + os.sep)


def with_variable(name, value, code):
    """The output of `code` run by a child interpreter given one more
    environment variable."""
    child = subprocess.run([sys.executable, "-s", "-c", code],
                           env=dict(os.environ, **{name: value}),
                           capture_output=True, text=True, check=False)
    return (child.stdout + child.stderr).strip()


expect(inside_prefix(avis.__file__), f"avis imported from the prefix ({avis.__file__})")

result = avis.analyze(TEXT)

# The library actually mapped into this process, not only the path asked for.
with open("/proc/self/maps", encoding="utf-8") as maps:
    mapped = {line.split()[-1] for line in maps if "libavis" in line}
expect(mapped and all(inside_prefix(p) for p in mapped),
       f"the installed library is the one loaded ({sorted(mapped)})")

model = avis.Model()
expect(os.path.realpath(model.data_dir) == os.path.join(PREFIX, "share", "avis"),
       f"the default data is the installed data ({model.data_dir})")
expect(result["lexicons"] and all(inside_prefix(p) for p in result["lexicons"]),
       f"the lexicons read are the installed ones ({result['lexicons']})")

label = result["sentiment"]["label"]
expect(label == "positive",
       f"the match report is positive ({label}, score {result['sentiment']['score']})")
topics = result.get("topics") or []
expect(topics and topics[0]["id"] == "sport" and topics[0]["tagged"],
       "its first topic is sport, tagged ("
       + ", ".join(f"{t['id']} {t['share']:.2f}" for t in topics[:3]) + ")")

nowhere = os.path.join(PREFIX, "nowhere")
out = with_variable("AVIS_DATA_DIR", nowhere,
                    "import avis\n"
                    "try:\n    avis.Model()\n"
                    "except avis.DataError as e:\n    print('DataError', e)")
expect(out.startswith("DataError") and nowhere in out,
       f"AVIS_DATA_DIR overrides the installed data ({out})")
out = with_variable("AVIS_LIBRARY", os.path.join(nowhere, "libavis.so.0"),
                    "try:\n    import avis\n"
                    "except ImportError as e:\n    print('ImportError', e)")
expect(out.startswith("ImportError") and nowhere in out,
       f"AVIS_LIBRARY overrides the installed library ({out})")

sys.exit(1 if failures else 0)
