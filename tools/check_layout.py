"""Check the layout of the C core that docs/design.md describes.

    python tools/check_layout.py

1. Templates are one level deep: a csrc/**/*_template.h is included by .c
   files only, never by another header (a template or not).
2. Folders depend downwards: csrc/'s folders include each other only in the
   order docs/design.md states on its line "Folder order: A, B <- C <- D"
   (written with "←"; lowest first; folders separated by commas share a
   level and do not include each other). A folder may include its own
   headers, csrc/'s own (ffnn.h, template.h) and those of the folders
   below it; so there is no include cycle between folders.
3. Every hop is greppable: each row of design.md's hop lists (its ```text
   blocks; a row is: step, name, file, what the step does) names a function
   that the file declares or defines under that full name, as
   `git grep -w NAME` or ctags find it: for csrc/ a declaration or
   definition at file scope (a prototype, a definition, or a declaration by
   a function type such as ffnn_pool_task or ffnn_rows_kernel_f32); for
   src/ffnn/ a `def`, `cdef` or `cpdef` of the name's last part
   (NeuralNetwork.fit, _training.fit, Net.train).

Exits 1 listing every failure, else prints what it checked.
"""
import glob
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CSRC = os.path.join(ROOT, "csrc")
DESIGN = os.path.join(ROOT, "docs", "design.md")

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)
# A preprocessor line with its continuation lines.
DIRECTIVE = re.compile(r"^[ \t]*#(?:[^\n]*\\\n)*[^\n]*", re.M)
TEXT_BLOCK = re.compile(r"^```text\n(.*?)^```", re.M | re.S)
HOP = re.compile(r"^\s*(\d+[a-z]?)\s+(\S+)\s+((?:csrc|src)/\S+)")
ORDER = re.compile(r"^Folder order:\s*(.+)$", re.M)


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def relative(path):
    return os.path.relpath(path, ROOT).replace(os.sep, "/")


def c_files():
    """Every .c and .h file under csrc/."""
    return sorted(glob.glob(os.path.join(CSRC, "**", "*.[ch]"), recursive=True))


def includes(path):
    """The csrc/ files that `path` includes: "a/b.h" from csrc/, "b.h" beside it."""
    found = []
    for name in INCLUDE.findall(read(path)):
        for base in (os.path.dirname(path), CSRC):
            target = os.path.normpath(os.path.join(base, name))
            if os.path.exists(target):
                found.append(target)
                break
    return found


def folder(path):
    """The folder of csrc/ a file is in; "" for csrc/ itself."""
    parts = os.path.relpath(path, CSRC).split(os.sep)
    return parts[0] if len(parts) > 1 else ""


def check_templates(graph):
    """Failures of rule 1."""
    return [f"{relative(src)} includes the template {relative(dst)}: only .c files may"
            for src, targets in graph.items() if not src.endswith(".c")
            for dst in targets if dst.endswith("_template.h")]


def stated_order():
    """{folder: level} from design.md's "Folder order:" line, or None."""
    match = ORDER.search(read(DESIGN))
    if not match:
        return None
    levels = {}
    for level, group in enumerate(re.split(r"\s*(?:←|<-)\s*", match.group(1).strip())):
        for name in re.split(r"[,\s]+", group.strip(" .`")):
            name = name.strip("`/")
            if name:
                levels[name.removeprefix("csrc/")] = level
    return levels


def check_folders(graph):
    """Failures of rule 2, and the folders' dependencies."""
    levels = stated_order()
    if levels is None:
        return [f"{relative(DESIGN)} states no line 'Folder order: ...'"], {}
    failures, uses = [], {}
    for src, targets in graph.items():
        a = folder(src)
        if a == "":
            continue
        if a not in levels:
            failures.append(f"csrc/{a}/ is not in design.md's folder order")
            levels[a] = -1
        for dst in targets:
            b = folder(dst)
            if b in ("", a):
                continue
            uses.setdefault(a, set()).add(b)
            if levels.get(b, len(levels)) >= levels[a]:
                failures.append(f"{relative(src)} includes {relative(dst)}: csrc/{a}/ may not "
                                f"use csrc/{b}/ (design.md's folder order)")
    # A cycle would need an edge upwards or sideways, which the order forbids;
    # this says so directly, whatever the order states.
    for a in sorted(uses):
        seen, todo = set(), list(uses[a])
        while todo:
            b = todo.pop()
            if b == a:
                failures.append(f"an include cycle between csrc/ folders passes through csrc/{a}/")
                break
            if b not in seen:
                seen.add(b)
                todo.extend(uses.get(b, ()))
    return failures, uses


def file_scope_c(text):
    """The C code at file scope: comments, directives and brace blocks blanked."""
    text = DIRECTIVE.sub(" ", COMMENT.sub(" ", text))
    out, depth = [], 0
    for ch in text:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        out.append(ch if depth == 0 and ch != "}" else " ")
    return "".join(out)


def declared_in_c(name, path):
    """Whether the C file declares or defines `name` at file scope."""
    return re.search(rf"\b{re.escape(name)}\b", file_scope_c(read(path))) is not None


def defined_in_python(name, path):
    """Whether the Python or Cython file defines the last part of a dotted name."""
    last = name.split(".")[-1]
    return re.search(rf"^\s*(?:async\s+)?c?p?def\b[^\n(]*\b{re.escape(last)}\s*\(",
                     read(path), re.M) is not None


def check_hops():
    """Failures of rule 3, and how many hops were checked."""
    failures, count = [], 0
    for block in TEXT_BLOCK.findall(read(DESIGN)):
        for line in block.splitlines():
            match = HOP.match(line)
            if not match:
                continue
            count += 1
            _, name, where = match.groups()
            path = os.path.join(ROOT, where)
            if not os.path.isfile(path):
                failures.append(f"hop {name}: {where} does not exist")
            elif where.startswith("csrc/") and not declared_in_c(name, path):
                failures.append(f"hop {name}: not declared or defined by that name in {where}")
            elif where.startswith("src/") and not defined_in_python(name, path):
                failures.append(f"hop {name}: not defined in {where}")
    if count == 0:
        failures.append(f"{relative(DESIGN)} has no hop lists (```text blocks of rows "
                        "'step name file ...')")
    return failures, count


def main():
    graph = {path: includes(path) for path in c_files()}
    failures = check_templates(graph)
    folder_failures, uses = check_folders(graph)
    hop_failures, hops = check_hops()
    failures += folder_failures + hop_failures
    if failures:
        print("check_layout: " + str(len(failures)) + " failure(s)")
        for failure in failures:
            print(f"  {failure}")
        return 1
    templates = sum(p.endswith("_template.h") for p in graph)
    print(f"check_layout: {templates} templates, each included by .c files only; "
          "folders depend downwards (" +
          "; ".join(f"{a} uses {', '.join(sorted(b))}" for a, b in sorted(uses.items())) +
          f"); all {hops} hops of docs/design.md declared or defined by name")
    return 0


if __name__ == "__main__":
    sys.exit(main())
