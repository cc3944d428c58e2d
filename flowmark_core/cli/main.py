"""Entry point of the `flowmark` command: builds the parser from the subcommand modules.

Exit codes: 0 success, 1 bug (unexpected exception), 2 user error (a `FlowmarkError`, a
bad option, a full disk, a file-system error naming its file), 130 interrupted (Ctrl-C,
SIGTERM, SIGHUP or SIGQUIT: partial outputs are removed). Tracebacks are shown only with
`--debug`. A stdout that fails after the work (a reader that left, a full device) does not
change the exit status (`stdout_guard`).

Rule for command modules (listed in `COMMAND_MODULES`): importing one only builds its
parser. It defines `register(subparsers)`, which adds its subcommand(s) and sets `func` (a
callable taking the parsed namespace and returning an exit code), and it imports torch,
OpenCV, numpy-heavy code or Qt only inside `func`, so `flowmark --help` and usage errors
stay fast. Shared options and choice lists come from `flowmark_core.cli.common`.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import importlib
import os
import signal
import sys
import traceback
from collections.abc import Sequence
from types import FrameType

from flowmark_core import __version__
from flowmark_core.cli.common import HelpFormatter, OneLineParser
from flowmark_core.cli.stdout_guard import ForgivingStdout
from flowmark_core.errors import Cancelled, FlowmarkError
from flowmark_core.io.truncated_videos import accepting_truncated_videos

#: Signals acted on as Ctrl-C (SIGINT itself raises KeyboardInterrupt already).
AS_INTERRUPT = (signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT)

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
    "flowmark_core.cli.jitter_cmd",
)


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
    _add_to_every_command(parser)
    return parser


def _add_to_every_command(parser: argparse.ArgumentParser) -> None:
    """Give every leaf command the options that apply wherever a video is read."""
    subcommands = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subcommands:
        parser.add_argument(
            "--accept-truncated",
            action="store_true",
            help="use the frames a damaged or cut video decodes (with a note) instead of "
            "refusing it",
        )
    for action in subcommands:
        for child in dict.fromkeys(action.choices.values()):  # aliases share a parser
            _add_to_every_command(child)


def _terminate_as_interrupt(_signum: int, _frame: FrameType | None) -> None:
    for sig in AS_INTERRUPT:
        signal.signal(sig, signal.SIG_IGN)  # one clean-up, not two
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    """Run the `flowmark` command and return its exit status."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args_list
    previous = {sig: signal.getsignal(sig) for sig in AS_INTERRUPT}
    installed = True
    try:
        for sig in AS_INTERRUPT:  # `timeout`, systemd, a closed terminal: as Ctrl-C
            signal.signal(sig, _terminate_as_interrupt)
    except ValueError:  # not the main thread (embedded use): leave signals alone
        installed = False
    stdout, sys.stdout = sys.stdout, ForgivingStdout(sys.stdout)
    try:
        _check_working_folder()
        args = build_parser().parse_args(args_list)
        accept = getattr(args, "accept_truncated", False)  # else FLOWMARK_ACCEPT_TRUNCATED's
        with accepting_truncated_videos() if accept else contextlib.nullcontext():
            code = args.func(args)
        sys.stdout.flush()
        problem = sys.stdout.problem()
        if problem is not None:
            sys.stderr.write(f"flowmark: note: {problem}\n")
        return int(code or 0)
    except KeyboardInterrupt as exc:
        saved = getattr(exc, "saved", None)  # a training run's Stopped says what it kept
        if saved is None:
            sys.stderr.write("flowmark: interrupted; partial outputs were removed\n")
        elif saved:
            sys.stderr.write("flowmark: interrupted; the checkpoint was saved\n")
        else:
            sys.stderr.write(
                "flowmark: interrupted; no checkpoint written (any earlier one is kept)\n"
            )
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
        if debug:
            traceback.print_exc()
        where = f"{exc.filename}: " if exc.filename else ""
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            sys.stderr.write(f"flowmark: error: {where}no space left on the device\n")
        else:  # the file system said no (a deleted folder, a loop, a race): name the file
            reason = exc.strerror or str(exc)
            sys.stderr.write(f"flowmark: error: {where or 'a file operation failed: '}{reason}\n")
        return 2
    except Exception as exc:  # a bug: say so, short unless --debug
        return _internal_error(exc, debug)
    finally:
        sys.stdout = stdout
        if installed:
            for sig, old in previous.items():
                if old is not None:  # None: a handler set outside Python, not restorable
                    signal.signal(sig, old)


def _check_working_folder() -> None:
    """A deleted working folder is one line before anything loads (PyTorch's MKL then
    aborts with "FATAL ERROR: Cannot load libtorch_cpu.so", and relative paths mean nothing).
    """
    try:
        os.getcwd()
    except FileNotFoundError:
        raise FlowmarkError(
            "the current folder no longer exists (deleted?); cd to an existing folder first"
        ) from None


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
