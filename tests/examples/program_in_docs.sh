#!/bin/sh
# The complete program shown in the API guide is examples/minimal.c, which
# the tests build and run: the guide cannot drift from a working program.
# Usage: program_in_docs.sh GUIDE.md PROGRAM.c
set -eu
guide=$1 program=$2
# The first ```c block after the marker line.
shown=$(awk '/<!-- program: examples\/minimal.c -->/ { want = 1; next }
             want && /^```c$/ { inside = 1; next }
             inside && /^```$/ { exit }
             inside { print }' "$guide")
if [ -z "$shown" ]; then
  echo "$guide: no program block after <!-- program: examples/minimal.c -->" >&2
  exit 1
fi
if ! printf '%s\n' "$shown" | diff -u "$program" - >&2; then
  echo "$guide shows a program that differs from $program" >&2
  exit 1
fi
echo "the guide's program is $program"
