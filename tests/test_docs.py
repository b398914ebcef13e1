"""Every example of README.md and docs/*.md runs, against the installed ffnn.

Each page's ```python blocks run in order, in one namespace, from a fresh
temporary directory: a page is one test. An HTML comment on the line before a
block changes how it is run:

- ``<!-- test: skip-unless-mnist -->``: the block needs the full MNIST set,
  which it finds in the directory ``mnist`` (a link to the tests'
  ``full_mnist_dir``); without it the page stops there and is skipped.
- ``<!-- test: skip (reason) -->``: shown, never run (downloads, say).

Lines of other blocks that run the ``ffnn`` command must parse with
``ffnn.cli.build_parser()``. The pages are read from the source tree; where
the tests run without it (from a wheel's test directory) there is nothing to
collect and the tests are skipped.
"""
from __future__ import annotations

import os
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import pytest

import ffnn
from ffnn.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent
PAGES = [p for p in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))] if p.is_file()]
FENCE = re.compile(r"^(\s*)(```+)\s*(\S*)")
DIRECTIVE = re.compile(r"^<!--\s*test:\s*(.*?)\s*-->$")
COMMAND_LINE = re.compile(r"(ffnn|python -m ffnn)(?=$|\s+(#|-|[a-z][a-z-]*(\s|$)))")
SHELLS = {"", "sh", "bash", "shell", "console"}


@dataclass
class Block:
    language: str
    line: int  # line of the block's first line of code, counting from 1
    code: str
    directive: str | None


def blocks(page: Path) -> list[Block]:
    """The fenced code blocks of a Markdown page, with the test directive before each."""
    lines = page.read_text(encoding="utf-8").splitlines()
    found, i = [], 0
    while i < len(lines):
        fence = FENCE.match(lines[i])
        if not fence:
            i += 1
            continue
        indent, ticks, language = fence.groups()
        before = next((lines[j].strip() for j in range(i - 1, -1, -1) if lines[j].strip()), "")
        directive = DIRECTIVE.match(before)
        end = next((j for j in range(i + 1, len(lines)) if lines[j].strip().startswith(ticks)), len(lines))
        code = "\n".join(line[len(indent):] for line in lines[i + 1:end])
        found.append(Block(language.lower(), i + 2, code, directive.group(1) if directive else None))
        i = end + 1
    return found


def python_blocks(page: Path) -> list[Block]:
    return [b for b in blocks(page) if b.language in ("python", "py")]


def cli_lines(page: Path) -> list[tuple[int, list[str]]]:
    """(line number, arguments) of each `ffnn ...` or `python -m ffnn ...` line in shell blocks."""
    commands = []
    for block in blocks(page):
        if block.language not in SHELLS:
            continue
        for offset, line in enumerate(block.code.splitlines()):
            # A command line starts the line with `ffnn`, then nothing, an option or a
            # command name. Output shown in a block ("ffnn 0.1.0, 784-200-10, ...",
            # "  ffnn avx2 float32 ...") is not one, and need not be shell syntax.
            command = COMMAND_LINE.match(line)
            if command:
                words = shlex.split(line[command.end(1):], comments=True)
                commands.append((block.line + offset, words))
    return commands


def page_id(page: Path) -> str:
    return str(page.relative_to(ROOT))


@pytest.fixture
def clean_process(tmp_path, monkeypatch):
    """A fresh working directory; environment and SIMD level restored afterwards."""
    monkeypatch.chdir(tmp_path)
    environment, level = dict(os.environ), ffnn.simd_level()
    yield tmp_path
    os.environ.clear()
    os.environ.update(environment)
    ffnn.set_simd_level(level)


@pytest.mark.slow
@pytest.mark.parametrize("page", [p for p in PAGES if python_blocks(p)], ids=page_id)
def test_python_blocks_run_in_order(page, clean_process, request):
    namespace: dict = {"__name__": "__docs__"}
    for block in python_blocks(page):
        where = f"{page_id(page)}:{block.line}"
        if block.directive == "skip-unless-mnist":
            mnist = clean_process / "mnist"
            if not mnist.exists():
                mnist.symlink_to(request.getfixturevalue("full_mnist_dir"), target_is_directory=True)
        elif block.directive is not None and re.fullmatch(r"skip \(.+\)", block.directive):
            continue
        elif block.directive is not None:
            pytest.fail(f"{where}: unknown test directive {block.directive!r}; "
                        "use skip-unless-mnist or skip (reason)")
        # Blank lines first, so that tracebacks give the line numbers of the page itself.
        exec(compile("\n" * (block.line - 1) + block.code, str(page), "exec"), namespace)


def test_pages_have_python_blocks():
    """The collector finds the examples (a broken fence pattern would silently test nothing)."""
    if not PAGES:
        pytest.skip("README.md and docs/ are not next to the tests (running from an installed wheel)")
    names = {page_id(p) for p in PAGES if python_blocks(p)}
    assert {"README.md", os.path.join("docs", "start.md"), os.path.join("docs", "gradient.md")} <= names


@pytest.mark.parametrize("page", [p for p in PAGES if cli_lines(p)], ids=page_id)
def test_command_lines_parse(page):
    parser = build_parser()
    for line, arguments in cli_lines(page):
        # As `ffnn` itself does: no command, or only options, means `train`.
        if not arguments or arguments[0].startswith("-") and arguments[0] not in ("-h", "--help", "--version"):
            arguments = ["train", *arguments]
        if {"-h", "--help", "--version"} & set(arguments):
            continue  # these print and exit
        try:
            parser.parse_args(arguments)
        except SystemExit:
            pytest.fail(f"{page_id(page)}:{line}: `ffnn {shlex.join(arguments)}` does not parse")


def test_collector_reads_directives_and_line_numbers(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(
        "Text\n\n```python\nx = 1\n```\n\n<!-- test: skip-unless-mnist -->\n```python\ny = 2\n```\n"
        "\n```\nffnn train --lr 0.2  # a comment\nls\nffnn 0.1.0, 784-200-10\n  ffnn avx2 float32\nffnn\n```\n",
        encoding="utf-8",
    )
    found = python_blocks(page)
    assert [(b.line, b.code, b.directive) for b in found] == [(4, "x = 1", None), (9, "y = 2", "skip-unless-mnist")]
    assert cli_lines(page) == [(13, ["train", "--lr", "0.2"]), (17, [])]
