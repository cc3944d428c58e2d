"""Entry point of the `flowmark` command: builds the parser from the subcommand modules.

Exit codes: 0 success, 1 bug (unexpected exception), 2 user error (a `FlowmarkError`, a
bad option, a full disk), 130 interrupted (Ctrl-C or SIGTERM: partial outputs are removed).
Tracebacks are shown only with `--debug`.

Rule for command modules (listed in `COMMAND_MODULES`): importing one only builds its
parser. It defines `register(subparsers)`, which adds its subcommand(s) and sets `func` (a
callable taking the parsed namespace and returning an exit code), and it imports torch,
OpenCV, numpy-heavy code or Qt only inside `func`, so `flowmark --help` and usage errors
stay fast. Shared options and choice lists come from `flowmark_core.cli.common`.
"""

from __future__ import annotations

import argparse
import errno
import importlib
import signal
import sys
import traceback
from collections.abc import Sequence
from types import FrameType

from flowmark_core import __version__
from flowmark_core.cli.common import HelpFormatter, OneLineParser
from flowmark_core.errors import Cancelled, FlowmarkError

COMMAND_MODULES: tuple[str, ...] = (
    "flowmark_core.cli.animate_cmd",
    "flowmark_core.cli.keypoints_cmd",
    "flowmark_core.cli.models_cmd",
    "flowmark_core.cli.data_cmd",
    "flowmark_core.cli.evaluate_cmd",
    "flowmark_core.cli.train_prior_cmd",
    "flowmark_core.cli.generate_cmd",
    "flowmark_core.cli.adapt_cmd",
    "flowmark_core.cli.track_cmd",
    "flowmark_core.cli.smooth_cmd",
)

_Parser = OneLineParser  # the name subcommand modules and tests used before


def build_parser() -> argparse.ArgumentParser:
    """Build the full `flowmark` parser with every registered subcommand."""
    parser = OneLineParser(
        prog="flowmark",
        description="Animate a still image with the motion of a video, with stable landmarks.",
        formatter_class=HelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"flowmark {__version__}")
    parser.add_argument("--debug", action="store_true", help="show full tracebacks on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=OneLineParser)
    sub.required = True
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def _terminate_as_interrupt(_signum: int, _frame: FrameType | None) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # one clean-up, not two
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    """Run the `flowmark` command and return its exit status."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args_list
    previous = signal.getsignal(signal.SIGTERM)
    try:
        signal.signal(signal.SIGTERM, _terminate_as_interrupt)  # `timeout`, systemd: as Ctrl-C
    except ValueError:  # not the main thread (embedded use): leave signals alone
        previous = None
    try:
        args = build_parser().parse_args(args_list)
        code = args.func(args)
        return int(code or 0)
    except KeyboardInterrupt:
        sys.stderr.write("flowmark: interrupted; partial outputs were removed\n")
        return 130
    except Cancelled as exc:
        sys.stderr.write(f"flowmark: cancelled: {exc}\n")
        return 130
    except FlowmarkError as exc:
        if debug:
            traceback.print_exc()
        sys.stderr.write(f"flowmark: error: {exc}\n")
        return 2
    except SystemExit as exc:
        return int(exc.code or 0) if isinstance(exc.code, int) else 2
    except OSError as exc:
        if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
            return _internal_error(exc, debug)
        if debug:
            traceback.print_exc()
        where = f" ({exc.filename})" if exc.filename else ""
        sys.stderr.write(f"flowmark: error: no space left on the device{where}\n")
        return 2
    except Exception as exc:  # a bug: say so, short unless --debug
        return _internal_error(exc, debug)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _internal_error(exc: Exception, debug: bool) -> int:
    if debug:
        traceback.print_exc()
    sys.stderr.write(
        f"flowmark: internal error ({type(exc).__name__}: {exc}); "
        "rerun with --debug and report it\n"
    )
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
