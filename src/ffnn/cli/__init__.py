"""The `ffnn` command (also `python -m ffnn`).

With no arguments it runs the book's experiment on the MNIST sample shipped
with the package: a 784-200-10 network, learning rate 0.1, trained one sample
at a time, then scored on the sample's test images. Other commands evaluate
a saved network, draw what it imagines each digit looks like, and read your
own images.

Every file a command will write, and every optional extra it will need, is
checked before any data is read or any sample trained. Ctrl-C while `train
--save` trains saves the network as it was after its last completed sample.

Exit status: 0 on success; 2 for a usage error, found while reading the
command line (an unknown option, a missing argument, a value of the wrong
kind such as ``--epochs 0`` or ``--seed -1``); 1 for every other error (a
file missing, damaged or not writable, a network that does not fit the data,
a value the network refuses, a missing optional extra); 130 after Ctrl-C.
Each error is one line on stderr, ``ffnn COMMAND: error: ...``.

The package, by job: ``parser`` (the command line and its converters),
``paths`` (every output and input path checked before any work), ``data``
(the images of --data, --download and --test), ``train`` (the train
command) and ``commands`` (evaluate, backquery, predict and export).
"""
from __future__ import annotations

import os
import sys

from ffnn.cli.commands import COMMANDS
from ffnn.cli.errors import USER_ERRORS, one_line
from ffnn.cli.parser import Parser, build_parser
from ffnn.cli.paths import check_outputs

__all__ = ["COMMANDS", "build_parser", "check_outputs", "main"]


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version"):
        argv = ["train", *argv]
    args, unknown = build_parser().parse_known_args(argv)
    if unknown:  # reported as the command's, like its other usage errors
        Parser(prog=f"ffnn {args.command}").error(f"unrecognized arguments: {' '.join(unknown)}")
    if args.command == "backquery" and (args.label is not None) != (args.out is not None):
        Parser(prog="ffnn backquery").error(
            "--label needs --out IMAGE.png" if args.out is None else "--out goes with --label, not with --all")
    try:
        check_outputs(args)
        return COMMANDS[args.command](args)
    except BrokenPipeError:
        # The reader of the output has gone (`ffnn evaluate ... | head`): no
        # one to tell, and Python's own flush at exit must not complain either.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except USER_ERRORS as exc:
        print(f"ffnn {args.command}: error: {one_line(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"ffnn {args.command}: interrupted", file=sys.stderr)
        return 130
