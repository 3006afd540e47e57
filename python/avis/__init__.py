"""French sentiment and topic analysis: Python binding of libavis.

    import avis

    model = avis.Model()                  # the installed data, or $AVIS_DATA_DIR
    result = model.analyze("Un film magnifique, vraiment émouvant.")
    result["sentiment"]["label"]          # 'positive'
    model.analyze_many(texts, threads=4)  # one analyzer a thread

A result is the dict of the JSON schema (docs/json-schema.md). A model is
loaded once and shared by every thread; each thread analyses with its own
analyzer, which Model.analyze() creates for it. Failures raise AvisError
subclasses carrying the library's detailed message.

The shared library is found through $AVIS_LIBRARY (a path), else where
`cmake --install` put it beside this package, else the system's library
search (libavis.so.0). The default data is $AVIS_DATA_DIR, else the
installed data.
"""

import ctypes
import ctypes.util
import json
import os
import threading

__all__ = [
    "Model", "Analyzer", "analyze", "version", "default_data_dir",
    "AvisError", "OutOfMemoryError", "InvalidArgumentError", "DataError",
    "InputError", "EmptyInputError", "BinaryInputError", "EncodingError",
    "InputTooLargeError", "StemmerError",
]

# The oldest library version this binding works with (AVIS_VERSION_NUMBER).
_REQUIRED_VERSION = (0, 1)

# ---- Errors ----------------------------------------------------------------


class AvisError(Exception):
    """A failure of the library: `code` is the negative avis_error code,
    `name` its short name, `message` the library's detailed message."""

    name = "error"

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


class OutOfMemoryError(AvisError, MemoryError):
    name = "out_of_memory"


class InvalidArgumentError(AvisError, ValueError):
    name = "invalid_argument"


class DataError(AvisError):
    """A data file (lexicon, list, model) could not be read or is malformed."""
    name = "data"


class InputError(AvisError):
    """The text given could not be analysed."""
    name = "input"


class EmptyInputError(InputError):
    name = "empty"


class BinaryInputError(InputError):
    name = "binary"


class EncodingError(InputError):
    name = "encoding"


class InputTooLargeError(InputError):
    name = "too_large"


class StemmerError(AvisError):
    name = "stemmer"


_ERRORS = {
    -1: OutOfMemoryError, -2: InvalidArgumentError, -3: DataError,
    -4: EmptyInputError, -5: BinaryInputError, -6: EncodingError,
    -7: InputTooLargeError, -8: DataError, -9: StemmerError,
}

# ---- The library -----------------------------------------------------------

_p = ctypes.c_void_p
_pp = ctypes.POINTER(ctypes.c_void_p)
_SIGNATURES = {
    "avis_version": (ctypes.c_char_p, []),
    "avis_version_number": (ctypes.c_int, []),
    "avis_default_data_dir": (ctypes.c_char_p, []),
    "avis_strerror": (ctypes.c_char_p, [ctypes.c_int]),
    "avis_last_error": (ctypes.c_char_p, []),
    "avis_free": (None, [_p]),
    "avis_model_options_new": (ctypes.c_int, [_pp]),
    "avis_model_options_free": (None, [_p]),
    "avis_model_options_set_data_dir": (ctypes.c_int, [_p, ctypes.c_char_p]),
    "avis_model_options_add_lexicon": (ctypes.c_int, [_p, ctypes.c_char_p, ctypes.c_int]),
    "avis_model_options_use_default_lexicon": (ctypes.c_int, [_p, ctypes.c_int]),
    "avis_model_options_set_strict": (ctypes.c_int, [_p, ctypes.c_int]),
    "avis_model_options_set_topic_model": (ctypes.c_int, [_p, ctypes.c_char_p]),
    "avis_model_options_use_topics": (ctypes.c_int, [_p, ctypes.c_int]),
    "avis_model_options_set_sentiment_model": (ctypes.c_int, [_p, ctypes.c_char_p]),
    "avis_model_load": (ctypes.c_int, [_pp, _p]),
    "avis_model_free": (None, [_p]),
    "avis_model_lexicon_count": (ctypes.c_size_t, [_p]),
    "avis_model_lexicon_info": (ctypes.c_int, [
        _p, ctypes.c_size_t, ctypes.POINTER(ctypes.c_char_p),
        ctypes.POINTER(ctypes.c_size_t), ctypes.POINTER(ctypes.c_size_t),
        ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_int)]),
    "avis_analyzer_new": (ctypes.c_int, [_pp, _p]),
    "avis_analyzer_free": (None, [_p]),
    "avis_analyzer_set_max_bytes": (ctypes.c_int, [_p, ctypes.c_size_t]),
    "avis_analyze": (ctypes.c_int, [_p, ctypes.c_char_p, ctypes.c_size_t, _pp]),
    "avis_result_free": (None, [_p]),
    "avis_result_to_json": (ctypes.c_int, [_p, ctypes.c_uint, _pp,
                                           ctypes.POINTER(ctypes.c_size_t)]),
}
_JSON_TOKENS = 0x1
_LEXICON_FORMATS = {"auto": 0, "tsv": 1, "feel": 2, "vader": 3}
_FORMAT_NAMES = {v: k for k, v in _LEXICON_FORMATS.items()}


def _installed(name, exists):
    """A path that `cmake --install` recorded in avis/_paths.py, relative to
    this package, when it exists; None in the source tree, which has no
    such module."""
    try:
        from . import _paths
    except ImportError:
        return None
    path = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                         getattr(_paths, name)))
    return path if exists(path) else None


def _load_library():
    path = os.environ.get("AVIS_LIBRARY") or _installed("LIBRARY", os.path.isfile) \
        or ctypes.util.find_library("avis") or "libavis.so.0"
    try:
        lib = ctypes.CDLL(path)
    except OSError as e:
        raise ImportError(f"avis: cannot load the avis library ({path}): {e}; "
                          "set AVIS_LIBRARY to the path of libavis.so") from e
    for name, (restype, argtypes) in _SIGNATURES.items():
        try:
            fn = getattr(lib, name)
        except AttributeError as e:
            raise ImportError(f"avis: {path} lacks {name}: too old a library") from e
        fn.restype, fn.argtypes = restype, argtypes
    number = lib.avis_version_number()
    if (number >> 16, (number >> 8) & 0xFF) < _REQUIRED_VERSION:
        raise ImportError(f"avis: {path} is version {lib.avis_version().decode()}, "
                          f"this binding needs {'.'.join(map(str, _REQUIRED_VERSION))}")
    return lib


_lib = _load_library()


def _check(code):
    """Raises the error for a failed call, in the thread that made it."""
    if code != 0:
        message = _lib.avis_last_error().decode("utf-8", "replace")
        if not message:
            message = _lib.avis_strerror(code).decode()
        raise _ERRORS.get(code, AvisError)(code, message)


def _path(p):
    return os.fsencode(os.fspath(p))


def version():
    """Version of the loaded library, "MAJOR.MINOR.PATCH"."""
    return _lib.avis_version().decode()


def default_data_dir():
    """The data directory that installing avis fills (avis_default_data_dir())."""
    return os.fsdecode(_lib.avis_default_data_dir())


# ---- Model and analyzers ---------------------------------------------------


class _Handle:
    """Owns a loaded model: freed once the Model and every Analyzer built on
    it are gone, so that no analyzer outlives its model."""

    def __init__(self, ptr):
        self.ptr = ptr

    def __del__(self):
        if self.ptr:
            _lib.avis_model_free(self.ptr)
            self.ptr = None


class Analyzer:
    """A workspace bound to a model. Used by one thread at a time: calls
    from several threads are serialised. Model.analyze() keeps one per
    thread, which is what most programs need."""

    def __init__(self, model, max_bytes=None):
        self._handle = model._handle
        self._lock = threading.Lock()
        ptr = ctypes.c_void_p()
        _check(_lib.avis_analyzer_new(ctypes.byref(ptr), self._handle.ptr))
        self._ptr = ptr
        limit = model.max_bytes if max_bytes is None else max_bytes
        if limit is not None:
            _check(_lib.avis_analyzer_set_max_bytes(self._ptr, limit))

    def __del__(self):
        ptr = getattr(self, "_ptr", None)
        if ptr:
            _lib.avis_analyzer_free(ptr)
            self._ptr = None

    def analyze(self, text, tokens=False):
        """The analysis of `text` (str, or bytes in UTF-8 or Windows-1252)
        as a dict; `tokens` adds the token list."""
        if isinstance(text, str):
            data = text.encode("utf-8", "surrogatepass")
        elif isinstance(text, (bytes, bytearray, memoryview)):
            data = bytes(text)
        else:
            raise TypeError(f"avis: text must be str or bytes, not {type(text).__name__}")
        result = ctypes.c_void_p()
        with self._lock:
            _check(_lib.avis_analyze(self._ptr, data, len(data), ctypes.byref(result)))
        try:
            out, size = ctypes.c_void_p(), ctypes.c_size_t()
            _check(_lib.avis_result_to_json(result, _JSON_TOKENS if tokens else 0,
                                            ctypes.byref(out), ctypes.byref(size)))
        finally:
            _lib.avis_result_free(result)
        try:
            return json.loads(ctypes.string_at(out, size.value).decode("utf-8"))
        finally:
            _lib.avis_free(out)


class Model:
    """Loaded lexicons, modifier lists, stop words and topic model:
    immutable, shared by every thread.

    data_dir: the default data (lexicons/, models/); None takes
        $AVIS_DATA_DIR, else the data installed with this package, else
        the library's installed data (default_data_dir()).
    lexicons: extra polarity lexicons, loaded after the default one: paths,
        or (path, format) pairs with format "auto", "tsv", "feel" or "vader".
    default_lexicon: load the data directory's polarity lexicon.
    strict: a malformed lexicon line fails the load instead of being skipped.
    topic_model: a topic model file instead of the data directory's one;
        topics=False tags no topics.
    sentiment_model: a supervised sentiment classifier to report too.
    max_bytes: the analyzers' input limit (None: the library's default).
    """

    def __init__(self, data_dir=None, lexicons=(), *, default_lexicon=True,
                 strict=False, topic_model=None, topics=True,
                 sentiment_model=None, max_bytes=None):
        if data_dir is None:
            data_dir = os.environ.get("AVIS_DATA_DIR") or \
                _installed("DATA_DIR", os.path.isdir) or default_data_dir()
        self.data_dir = os.fspath(data_dir)
        self.max_bytes = max_bytes
        opts = ctypes.c_void_p()
        _check(_lib.avis_model_options_new(ctypes.byref(opts)))
        try:
            _check(_lib.avis_model_options_set_data_dir(opts, _path(self.data_dir)))
            for lexicon in lexicons:
                path, fmt = (lexicon, "auto") if isinstance(lexicon, (str, bytes, os.PathLike)) \
                    else lexicon
                if fmt not in _LEXICON_FORMATS:
                    raise ValueError(f"avis: unknown lexicon format {fmt!r} "
                                     f"({', '.join(_LEXICON_FORMATS)})")
                _check(_lib.avis_model_options_add_lexicon(opts, _path(path),
                                                           _LEXICON_FORMATS[fmt]))
            _check(_lib.avis_model_options_use_default_lexicon(opts, int(bool(default_lexicon))))
            _check(_lib.avis_model_options_set_strict(opts, int(bool(strict))))
            _check(_lib.avis_model_options_use_topics(opts, int(bool(topics))))
            if topic_model is not None:
                _check(_lib.avis_model_options_set_topic_model(opts, _path(topic_model)))
            if sentiment_model is not None:
                _check(_lib.avis_model_options_set_sentiment_model(opts, _path(sentiment_model)))
            model = ctypes.c_void_p()
            _check(_lib.avis_model_load(ctypes.byref(model), opts))
        finally:
            _lib.avis_model_options_free(opts)
        self._handle = _Handle(model)
        self._local = threading.local()

    @property
    def lexicons(self):
        """The polarity lexicons loaded, in load order, as dicts."""
        out = []
        for i in range(_lib.avis_model_lexicon_count(self._handle.ptr)):
            path = ctypes.c_char_p()
            entries, skipped = ctypes.c_size_t(), ctypes.c_size_t()
            fmt, emotions = ctypes.c_int(), ctypes.c_int()
            _check(_lib.avis_model_lexicon_info(
                self._handle.ptr, i, ctypes.byref(path), ctypes.byref(entries),
                ctypes.byref(skipped), ctypes.byref(fmt), ctypes.byref(emotions)))
            out.append({"path": os.fsdecode(path.value), "entries": entries.value,
                        "skipped": skipped.value,
                        "format": _FORMAT_NAMES.get(fmt.value, "?"),
                        "emotions": bool(emotions.value)})
        return out

    def analyzer(self, max_bytes=None):
        """A new analyzer of this model, for a thread of its own."""
        return Analyzer(self, max_bytes)

    def analyze(self, text, tokens=False):
        """The analysis of one text as a dict, with this thread's analyzer."""
        analyzer = getattr(self._local, "analyzer", None)
        if analyzer is None:
            analyzer = self._local.analyzer = Analyzer(self)
        return analyzer.analyze(text, tokens)

    def analyze_many(self, texts, threads=None, tokens=False, errors="raise"):
        """The analyses of several texts, in their order, by `threads`
        threads (default: one per core), each with its own analyzer.

        errors="raise" raises the error of the first text that failed;
        errors="record" puts {"error": {"code", "message"}} in its place.
        """
        if errors not in ("raise", "record"):
            raise ValueError("avis: errors must be 'raise' or 'record'")
        texts = list(texts)
        results = [None] * len(texts)
        failures = []
        next_index = iter(range(len(texts)))
        lock = threading.Lock()

        def work():
            analyzer = Analyzer(self)
            while True:
                with lock:
                    i = None if failures else next(next_index, None)
                if i is None:
                    return
                try:
                    results[i] = analyzer.analyze(texts[i], tokens)
                except Exception as e:  # raised again below, in the caller's thread
                    if errors == "record" and isinstance(e, AvisError):
                        results[i] = {"error": {"code": e.name, "message": e.message}}
                    else:
                        with lock:
                            failures.append((i, e))

        count = max(1, min(threads or os.cpu_count() or 1, len(texts)))
        if count == 1:
            work()
        else:
            workers = [threading.Thread(target=work, name=f"avis-{n}") for n in range(count)]
            for w in workers:
                w.start()
            for w in workers:
                w.join()
        if failures:
            raise min(failures, key=lambda f: f[0])[1]
        return results


_default_model = None
_default_lock = threading.Lock()


def analyze(text, tokens=False):
    """The analysis of one text with the default model (loaded on first use
    from $AVIS_DATA_DIR or the installed data)."""
    global _default_model
    with _default_lock:
        if _default_model is None:
            _default_model = Model()
    return _default_model.analyze(text, tokens)
