"""Check that every function of csrc/ffnn.h can be found by its full name.

    python tools/check_c_names.py

The templates paste a suffix onto each name (FN(ffnn_sigmoid) becomes
ffnn_sigmoid_f32), so a search for a full name would find only its
declaration in ffnn.h. The rule (csrc/template.h) is that the name is also
written out where it is defined: in the .c file, or beside the #include of
the template that defines it. For each function declared in csrc/ffnn.h this
looks for its full name, as a whole word, in the other .c and .h files under
csrc/. (tools/check_layout.py checks the names of the internal functions on
the paths docs/design.md describes.)
Exits 1 listing the functions named nowhere else, else prints how many were
checked.
"""
import glob
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CSRC = os.path.join(ROOT, "csrc")
HEADER = os.path.join(CSRC, "ffnn.h")

COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)
# A declaration: the return type, the name, its parameter list, then ';'.
# Macros are upper case, so a lower-case ffnn_ name before '(' is a function.
DECLARATION = re.compile(r"\b(ffnn_[a-z0-9_]+)\s*\([^;{}]*\)\s*;")


def declared_functions(path):
    """The functions declared in the header at path, in their order there."""
    with open(path, encoding="utf-8") as f:
        code = COMMENT.sub(" ", f.read())
    names = []
    for name in DECLARATION.findall(code):
        if name not in names:
            names.append(name)
    return names


def other_sources(header):
    """The text of every .c and .h file under csrc/ but the header."""
    paths = sorted(glob.glob(os.path.join(CSRC, "**", "*.c"), recursive=True) +
                   glob.glob(os.path.join(CSRC, "**", "*.h"), recursive=True))
    texts = []
    for path in paths:
        if os.path.samefile(path, header):
            continue
        with open(path, encoding="utf-8") as f:
            texts.append(f.read())
    return texts


def main():
    names = declared_functions(HEADER)
    if not names:
        print(f"check_c_names: no function declarations found in {HEADER}")
        return 1
    texts = other_sources(HEADER)
    missing = [name for name in names
               if not any(re.search(rf"\b{name}\b", t) for t in texts)]
    if missing:
        print("check_c_names: declared in csrc/ffnn.h but named in no other "
              "csrc file (write the full name where it is defined):")
        for name in missing:
            print(f"  {name}")
        return 1
    print(f"check_c_names: all {len(names)} functions of csrc/ffnn.h are "
          "named where they are defined")
    return 0


if __name__ == "__main__":
    sys.exit(main())
