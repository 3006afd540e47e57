"""Tests of the Python binding, run by ctest with Debian's python3:
    AVIS_LIBRARY=build/src/libavis.so AVIS_DATA_DIR=. PYTHONPATH=python \
        python3 -m unittest discover -s python/tests -v
"""
import json
import os
import subprocess
import sys
import tempfile
import threading
import unittest

import avis

SOURCE = os.environ.get("AVIS_DATA_DIR") or os.path.join(os.path.dirname(__file__), "..", "..")
ARTICLES = os.path.join(SOURCE, "examples", "articles")


def article(name):
    with open(os.path.join(ARTICLES, name), "rb") as f:
        return f.read()


class ModelTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.model = avis.Model(SOURCE)

    def test_version(self):
        self.assertRegex(avis.version(), r"^\d+\.\d+\.\d+$")
        self.assertTrue(avis.default_data_dir())

    def test_analyze_returns_the_json_schema(self):
        r = self.model.analyze(article("critique-film-positive.txt").decode())
        self.assertEqual(r["sentiment"]["label"], "positive")
        self.assertGreater(r["sentiment"]["score"], 0.3)
        self.assertEqual(r["version"], avis.version())
        self.assertEqual(len(r["sentences"]), r["stats"]["sentences"])
        self.assertIn("topics", r)
        self.assertNotIn("tokens", r)
        self.assertEqual(r["sentiment"]["label"],
                         self.model.analyze(article("critique-film-positive.txt"))["sentiment"]["label"])

    def test_negative_and_tokens(self):
        r = self.model.analyze(article("critique-restaurant-negative.txt"), tokens=True)
        self.assertEqual(r["sentiment"]["label"], "negative")
        self.assertEqual(len(r["tokens"]), r["stats"]["tokens"])

    def test_same_result_as_the_command_line_library_json(self):
        # The dict is the library's JSON: a str and its UTF-8 bytes agree.
        text = "Je n’ai pas aimé la fin, trop longue. Les acteurs sont excellents !"
        self.assertEqual(self.model.analyze(text), self.model.analyze(text.encode()))

    def test_windows_1252_bytes(self):
        r = self.model.analyze(article("avis-cp1252.txt"))
        self.assertEqual(r["encoding"], "windows-1252")

    def test_driver_offsets_are_utf8_bytes(self):
        text = "Un accueil déplorable, mais un dessert délicieux."
        r = self.model.analyze(text)
        data = text.encode()
        drivers = r["sentiment"]["drivers"]
        self.assertTrue(drivers)
        for d in drivers:
            self.assertEqual(data[d["start"]:d["start"] + d["length"]].decode(), d["text"])

    def test_lexicons(self):
        lexicons = self.model.lexicons
        self.assertEqual(len(lexicons), 1)
        self.assertTrue(lexicons[0]["path"].endswith("fr-polarity.tsv"))
        self.assertGreater(lexicons[0]["entries"], 1000)
        self.assertEqual(lexicons[0]["format"], "tsv")

    def test_extra_lexicon_changes_the_score(self):
        with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False, encoding="utf-8") as f:
            f.write("zorglub\t-1.0\n")
        try:
            model = avis.Model(SOURCE, lexicons=[(f.name, "tsv")], default_lexicon=False)
            r = model.analyze("Quel zorglub.")
            self.assertEqual(r["sentiment"]["label"], "negative")
            self.assertEqual([lx["path"] for lx in model.lexicons], [f.name])
        finally:
            os.unlink(f.name)


class ErrorTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.model = avis.Model(SOURCE)

    def test_empty_input(self):
        with self.assertRaises(avis.EmptyInputError) as cm:
            self.model.analyze("  \n ")
        self.assertEqual(cm.exception.code, -4)
        self.assertIn("empty", cm.exception.message)
        self.assertIsInstance(cm.exception, avis.InputError)

    def test_binary_input(self):
        with self.assertRaises(avis.BinaryInputError):
            self.model.analyze(b"\x00\x01\x02 PDF" * 20)

    def test_too_large(self):
        model = avis.Model(SOURCE, max_bytes=100)
        with self.assertRaises(avis.InputTooLargeError):
            model.analyze("Bon. " * 100)
        self.assertEqual(model.analyze("Bon.")["sentiment"]["label"], "positive")

    def test_wrong_type(self):
        with self.assertRaises(TypeError):
            self.model.analyze(42)

    def test_missing_data_dir_names_the_file(self):
        with self.assertRaises(avis.DataError) as cm:
            avis.Model("/nonexistent/avis-data")
        self.assertIn("/nonexistent/avis-data/lexicons/", str(cm.exception))

    def test_malformed_lexicon_in_strict_mode(self):
        with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False) as f:
            f.write("bon\t0.5\nmauvais\tnot-a-number\n")
        try:
            avis.Model(SOURCE, lexicons=[(f.name, "tsv")])  # skipped and counted
            with self.assertRaises(avis.DataError) as cm:
                avis.Model(SOURCE, lexicons=[(f.name, "tsv")], strict=True)
            self.assertIn(f.name, cm.exception.message)
        finally:
            os.unlink(f.name)

    def test_unknown_lexicon_format(self):
        with self.assertRaises(ValueError):
            avis.Model(SOURCE, lexicons=[("x.tsv", "yaml")])


class BatchTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.model = avis.Model(SOURCE)
        names = sorted(n for n in os.listdir(ARTICLES) if n.endswith(".txt"))
        cls.texts = [article(n) for n in names] * 5

    def test_threads_give_the_sequential_results(self):
        expected = [self.model.analyze(t) for t in self.texts]
        for threads in (1, 2, 4):
            self.assertEqual(self.model.analyze_many(self.texts, threads=threads), expected)

    def test_errors_raise_the_first_failure(self):
        texts = ["Un film magnifique.", "", "Bof.", b"\x00" * 10]
        with self.assertRaises(avis.EmptyInputError):
            self.model.analyze_many(texts, threads=2)

    def test_errors_recorded_in_place(self):
        texts = ["Un film magnifique.", "", b"\x00" * 10, "Un service horrible."]
        out = self.model.analyze_many(texts, threads=3, errors="record")
        self.assertEqual(out[0]["sentiment"]["label"], "positive")
        self.assertEqual(out[1]["error"]["code"], "empty")
        self.assertEqual(out[2]["error"]["code"], "binary")
        self.assertEqual(out[3]["sentiment"]["label"], "negative")

    def test_empty_batch(self):
        self.assertEqual(self.model.analyze_many([]), [])

    def test_model_analyze_from_several_threads(self):
        text = article("depeche-economie.txt")
        expected = self.model.analyze(text)
        got = []

        def work():
            for _ in range(5):
                got.append(self.model.analyze(text))

        threads = [threading.Thread(target=work) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(len(got), 20)
        self.assertTrue(all(g == expected for g in got))

    def test_shared_analyzer_is_serialised(self):
        analyzer = self.model.analyzer()
        text = article("post-reseau-social.txt")
        expected = analyzer.analyze(text)
        got = []
        threads = [threading.Thread(target=lambda: got.append(analyzer.analyze(text)))
                   for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertTrue(len(got) == 6 and all(g == expected for g in got))

    def test_analyzers_outlive_their_model_object(self):
        analyzer = avis.Model(SOURCE).analyzer()  # the Model object is gone
        self.assertEqual(analyzer.analyze("Super !")["sentiment"]["label"], "positive")


class DefaultModelTest(unittest.TestCase):
    def test_module_analyze_uses_avis_data_dir(self):
        # In a fresh interpreter, so that the default model is loaded here.
        code = "import avis, json; print(json.dumps(avis.analyze('Quel bonheur !')['sentiment']['label']))"
        env = dict(os.environ, AVIS_DATA_DIR=SOURCE)
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                             text=True, check=True).stdout
        self.assertEqual(json.loads(out), "positive")

    def test_missing_library_is_an_import_error(self):
        code = "import avis"
        env = dict(os.environ, AVIS_LIBRARY="/nonexistent/libavis.so")
        run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
        self.assertNotEqual(run.returncode, 0)
        self.assertIn("ImportError", run.stderr)
        self.assertIn("AVIS_LIBRARY", run.stderr)


if __name__ == "__main__":
    unittest.main()
