#!/usr/bin/env python3
"""Size rules from docs/ARCHITECTURE.md, as a test:
  - no source folder holds more than MAX_CC_PER_FOLDER .cc files;
  - no function is longer than MAX_FUNCTION_LINES lines, except those listed (with their current
    length) in tests/architecture/known_long_functions.txt, which may only shrink.
Also prints the longest functions (a report, not a rule): `check_sizes.py [ROOT] [--report N]`.
Functions are found by a heuristic that fits the project's clang-format style: a definition
starts at indentation 0 or 2 with a line ending in `{` whose text holds `(`, and ends at the next
`}` at the same indentation. Lambdas and local classes count toward their enclosing function."""
import os
import re
import sys

MAX_CC_PER_FOLDER = 20
MAX_FUNCTION_LINES = 100
SOURCE_DIRS = ["orchestrator", "steps", "runbooks", "include", "tests"]
NOT_FUNCTION = re.compile(r"^\s*(namespace|class|struct|enum|union|extern|template\s*<[^>]*>\s*(class|struct))\b")


def functions(path):
    """(name, first line, length) for each function defined in the file."""
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = f.read().split("\n")
    out = []
    i = 0
    while i < len(lines):
        line = lines[i]
        indent = len(line) - len(line.lstrip(" "))
        stripped = line.strip()
        if indent not in (0, 2) or not stripped or NOT_FUNCTION.match(line) or \
                stripped.startswith(("//", "#", "}", "case ", "if ", "for ", "while ", "switch ",
                                     "else", "do ", "try", "return", "public", "private",
                                     "protected")):
            i += 1
            continue
        # The signature may span lines: it ends at the first line ending in `{` (or `;`).
        j = i
        while j < len(lines) and j < i + 8 and not lines[j].rstrip().endswith(("{", ";", "}")):
            j += 1
        if j >= len(lines) or not lines[j].rstrip().endswith("{"):
            i += 1
            continue
        signature = " ".join(l.strip() for l in lines[i:j + 1])
        head = signature.split("(")[0]
        if "(" not in signature or "=" in head or head.strip() == "":
            i = j + 1
            continue
        end = j + 1
        closing = " " * indent + "}"
        while end < len(lines) and not (lines[end].startswith(closing) and
                                        (len(lines[end]) == indent + 1 or
                                         lines[end][indent + 1] in ";) /")):
            end += 1
        name = re.sub(r"\s+", " ", head).strip().split(" ")[-1].lstrip("*&")
        out.append((name, i + 1, end - i + 1))
        i = end + 1
    return out


def main(argv):
    report = 0
    args = []
    rest = argv[1:]
    while rest:
        a = rest.pop(0)
        if a == "--report":
            report = int(rest.pop(0)) if rest and rest[0].isdigit() else 20
        else:
            args.append(a)
    root = args[0] if args else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    root = os.path.abspath(root)
    problems = []
    found = []
    for top in SOURCE_DIRS:
        for dirpath, _, files in os.walk(os.path.join(root, top)):
            ccs = [f for f in files if f.endswith(".cc")]
            rel_dir = os.path.relpath(dirpath, root)
            if len(ccs) > MAX_CC_PER_FOLDER:
                problems.append(f"{rel_dir}: {len(ccs)} .cc files (at most {MAX_CC_PER_FOLDER}); split it by domain")
            for f in files:
                if f.endswith((".cc", ".h")):
                    rel = os.path.join(rel_dir, f)
                    found += [(n, rel, line, length) for n, line, length in functions(os.path.join(root, rel))]
    known = {}
    known_file = os.path.join(root, "tests", "architecture", "known_long_functions.txt")
    if os.path.exists(known_file):
        with open(known_file, encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if line and not line.startswith("#"):
                    where, length = line.rsplit(" ", 1)
                    known[where] = int(length)
    seen = set()
    for name, rel, line, length in found:
        key = f"{rel}:{name}"
        if length <= MAX_FUNCTION_LINES:
            continue
        seen.add(key)
        if key not in known:
            problems.append(f"{rel}:{line}: {name} is {length} lines (at most {MAX_FUNCTION_LINES}); break it up")
        elif length > known[key]:
            problems.append(f"{rel}:{line}: {name} grew to {length} lines (known: {known[key]})")
    for key in known:
        if key not in seen:
            problems.append(f"known long function no longer over {MAX_FUNCTION_LINES} lines, remove it from known_long_functions.txt: {key}")
    if report:
        print(f"longest functions (> 80 lines marked *):")
        for name, rel, line, length in sorted(found, key=lambda x: -x[3])[:report]:
            print(f"  {'*' if length > 80 else ' '} {length:4d}  {rel}:{line}  {name}")
    for p in problems:
        print(p)
    print(f"{len(found)} functions; {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
