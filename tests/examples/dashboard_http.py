"""The dashboard example's HTTP side: pages, POST /api/analyze with raw text
and JSON, the byte offsets of the answer, size limits, bad JSON, idle
connections, concurrent requests and a clean stop.

Usage: dashboard_http.py DASHBOARD SOURCE_DIR
"""
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time

DASHBOARD, SOURCE = sys.argv[1], sys.argv[2]
ARTICLES = os.path.join(SOURCE, "examples", "articles")
MAX_BYTES = 65536
TIMEOUT = 2

results = {"passed": 0, "failed": 0}


def check(name, condition, detail=""):
    if condition:
        results["passed"] += 1
        print(f"ok - {name}")
    else:
        results["failed"] += 1
        print(f"not ok - {name} {detail}")


def start_server():
    proc = subprocess.Popen(
        [DASHBOARD, "--port", "0", "--data-dir", SOURCE, "--threads", "3",
         "--max-bytes", str(MAX_BYTES), "--timeout", str(TIMEOUT)],
        stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    if "listening on http://127.0.0.1:" not in line:
        proc.kill()
        sys.exit(f"the dashboard did not start: {line!r}")
    port = int(line.rsplit(":", 1)[1].strip(" /\n"))
    return proc, port


def request(port, method, path, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, response.getheader("Content-Type", ""), data


def analyze(port, body, content_type="text/plain"):
    status, ctype, data = request(port, "POST", "/api/analyze", body,
                                  {"Content-Type": content_type})
    return status, ctype, json.loads(data)


def read(name):
    with open(os.path.join(ARTICLES, name), "rb") as f:
        return f.read()


def test_pages(port):
    status, ctype, page = request(port, "GET", "/")
    check("GET / serves the page", status == 200 and ctype.startswith("text/html")
          and b'src="/app.js"' in page)
    for path, kind in (("/app.js", "text/javascript"), ("/report.css", "text/css")):
        status, ctype, _ = request(port, "GET", path)
        check(f"GET {path}", status == 200 and ctype.startswith(kind), ctype)
    status, ctype, data = request(port, "GET", "/missing")
    check("unknown page: 404 in JSON", status == 404
          and json.loads(data)["error"]["code"] == "not_found")
    status, _, data = request(port, "GET", "/api/analyze")
    check("GET /api/analyze: 405", status == 405
          and json.loads(data)["error"]["code"] == "method_not_allowed")


def test_analysis(port):
    article = read("critique-film-positive.txt")
    status, ctype, raw = analyze(port, article)
    check("raw text analysed", status == 200 and ctype.startswith("application/json")
          and raw["sentiment"]["label"] == "positive", f"{status} {raw}")
    check("the answer carries the decoded text",
          raw.get("text", "").encode() == article)
    text = raw["text"].encode()
    drivers = raw["sentiment"]["drivers"]
    check("driver spans are byte offsets into the text", drivers and all(
        text[d["start"]:d["start"] + d["length"]].decode() == d["text"]
        for d in drivers))
    check("one sentence entry a sentence",
          len(raw["sentences"]) == raw["stats"]["sentences"] > 1)

    status, _, as_json = analyze(
        port, json.dumps({"text": article.decode()}), "application/json")
    check("JSON {\"text\"} gives the same analysis", status == 200
          and as_json == raw)

    legacy = read("avis-cp1252.txt")
    status, _, cp = analyze(port, legacy)
    check("a Windows-1252 file is decoded", status == 200
          and cp["encoding"] == "windows-1252"
          and cp["text"] == legacy.decode("cp1252"))


def test_bad_requests(port):
    for body, code in (('{"text": ', "bad_json"), ("[1, 2]", "missing_text"),
                       ('{"text": 3}', "missing_text"), ("\xff", "bad_json")):
        status, _, answer = analyze(port, body.encode("latin-1"), "application/json")
        check(f"bad JSON {body!r}: 400 {code}", status == 400
              and answer["error"]["code"] == code and answer["error"]["message"])
    status, _, answer = analyze(port, b"   \n")
    check("empty text: 422", status == 422 and answer["error"]["code"] == "empty")
    status, _, answer = analyze(port, b"abc\0def" * 10)
    check("binary body: 422", status == 422 and answer["error"]["code"] == "binary")
    status, _, answer = analyze(port, json.dumps({"text": "a\u0000b"}), "application/json")
    check("NUL inside JSON text: 422 binary", status == 422
          and answer["error"]["code"] == "binary")


def test_limits(port):
    big = b"Un texte. " * (MAX_BYTES // 10 + 10)
    status, _, answer = analyze(port, big)
    check("oversized body: 413", status == 413
          and answer["error"]["code"] == "too_large")

    # Without Content-Length (chunked), the limit holds as the body arrives.
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    chunks = (big[i:i + 8192] for i in range(0, len(big), 8192))
    conn.request("POST", "/api/analyze", body=chunks, encode_chunked=True,
                 headers={"Content-Type": "text/plain"})
    response = conn.getresponse()
    answer = json.loads(response.read())
    conn.close()
    check("oversized chunked body: 413", response.status == 413
          and answer["error"]["code"] == "too_large")

    status, _, answer = analyze(port, b"Bon. " * (MAX_BYTES // 5 - 1))
    check("a body just under the limit is analysed", status == 200, str(status))

    # A client that stops half-way is disconnected after the idle timeout.
    sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT + 5)
    sock.sendall(b"POST /api/analyze HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc")
    started = time.monotonic()
    try:
        closed = sock.recv(1024) == b""
    except (ConnectionResetError, socket.timeout):
        closed = False
    elapsed = time.monotonic() - started
    sock.close()
    check("an idle connection is closed after the timeout",
          closed and elapsed < TIMEOUT + 3, f"closed={closed} after {elapsed:.1f}s")


def test_concurrency(port):
    article = read("critique-restaurant-negative.txt")
    answers = [None] * 12

    def worker(i):
        answers[i] = analyze(port, article)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(answers))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    check("concurrent requests all answered alike",
          all(a and a[0] == 200 and a[2] == answers[0][2] for a in answers)
          and answers[0][2]["sentiment"]["label"] == "negative")


def main():
    proc, port = start_server()
    try:
        for test in (test_pages, test_analysis, test_bad_requests, test_limits,
                     test_concurrency):
            test(port)
        status, _, _ = request(port, "GET", "/")
        check("still serving after the bad requests", status == 200)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            code = None
    check("SIGTERM stops the server cleanly", code == 0, f"exit {code}")
    print(f"{results['passed']} passed, {results['failed']} failed")
    sys.exit(1 if results["failed"] else 0)


main()
