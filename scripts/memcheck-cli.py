#!/usr/bin/env python3
"""Runs the CLI tests (ctest's cli.* tests) with the avis program under
Valgrind's memcheck: any invalid read or write, use of uninitialised memory
or leak makes the program exit with status 99, which fails the test.

Usage: scripts/memcheck-cli.py BUILD_DIR [TEST_REGEX]

The commands are ctest's own, with the paths of `avis` and `analyze`
replaced by wrappers that run them under Valgrind."""
import json
import os
import stat
import subprocess
import sys
import tempfile

VALGRIND = ["valgrind", "--quiet", "--error-exitcode=99", "--leak-check=full",
            "--errors-for-leak-kinds=definite,indirect",
            "--show-leak-kinds=definite,indirect", "--track-origins=yes"]


def write_wrapper(path, target, log_dir):
    log = os.path.join(log_dir, "%s.%%p.log" % os.path.basename(path))
    with open(path, "w") as f:
        f.write("#!/bin/sh\nexec %s --log-file=%s %s \"$@\"\n" % (
            " ".join(VALGRIND), log, target))
    os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR)


def main():
    build = os.path.abspath(sys.argv[1])
    regex = sys.argv[2] if len(sys.argv) > 2 else r"^cli\."
    shown = subprocess.run(["ctest", "--test-dir", build, "-R", regex,
                            "--show-only=json-v1"], check=True,
                           capture_output=True, text=True).stdout
    tests = json.loads(shown)["tests"]
    real = {name: os.path.join(build, "cli", name) for name in ("avis", "analyze")}
    failed = []
    with tempfile.TemporaryDirectory() as tmp:
        wrap_dir = os.path.join(tmp, "bin")
        logs = os.path.join(tmp, "logs")
        os.mkdir(wrap_dir)
        os.mkdir(logs)
        for name, target in real.items():
            write_wrapper(os.path.join(wrap_dir, name), target, logs)
        for test in tests:
            command = [real_to_wrapper(arg, real, wrap_dir) for arg in test["command"]]
            env = dict(os.environ)
            for prop in test.get("properties", []):
                if prop["name"] == "ENVIRONMENT":
                    env.update(v.split("=", 1) for v in prop["value"])
            print("== %s" % test["name"], flush=True)
            status = subprocess.run(command, env=env).returncode
            reports = [f for f in os.listdir(logs) if os.path.getsize(os.path.join(logs, f))]
            for f in reports:
                with open(os.path.join(logs, f)) as log:
                    sys.stdout.write(log.read())
            for f in os.listdir(logs):
                os.remove(os.path.join(logs, f))
            if status not in (0, 77) or reports:
                failed.append(test["name"])
    print("memcheck: %d CLI tests, %d failed%s" % (
        len(tests), len(failed), (": " + ", ".join(failed)) if failed else ""))
    return 1 if failed or not tests else 0


def real_to_wrapper(arg, real, wrap_dir):
    for name, target in real.items():
        if arg == target:
            return os.path.join(wrap_dir, name)
    return arg


if __name__ == "__main__":
    sys.exit(main())
