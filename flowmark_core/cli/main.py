"""Entry point of the `flowmark` command: builds the parser from the subcommand modules.

Exit codes: 0 success, 1 bug (unexpected exception), 2 user error (a `FlowmarkError`),
130 interrupted by Ctrl-C. Tracebacks are shown only with `--debug`.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import traceback
from collections.abc import Sequence

from flowmark_core.errors import Cancelled, FlowmarkError

# Each module defines `register(subparsers)`, which adds its subcommand(s) and sets
# `func` (a callable taking the parsed namespace and returning an exit code).
COMMAND_MODULES: tuple[str, ...] = (
    "flowmark_core.cli.animate_cmd",
    "flowmark_core.cli.keypoints_cmd",
    "flowmark_core.cli.models_cmd",
    "flowmark_core.cli.data_cmd",
    "flowmark_core.cli.evaluate_cmd",
    "flowmark_core.cli.train_prior_cmd",
    "flowmark_core.cli.generate_cmd",
)


class _Parser(argparse.ArgumentParser):
    """ArgumentParser whose usage errors are one line and exit with status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"flowmark: error: {message} (see `{self.prog} --help`)\n")
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    """Build the full `flowmark` parser with every registered subcommand."""
    parser = _Parser(
        prog="flowmark",
        description="Animate a still image with the motion of a video, with stable landmarks.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--debug", action="store_true", help="show full tracebacks on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the `flowmark` command and return its exit status."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args_list
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
    except Exception as exc:  # a bug: say so, short unless --debug
        if debug:
            traceback.print_exc()
        sys.stderr.write(
            f"flowmark: internal error ({type(exc).__name__}: {exc}); "
            "rerun with --debug and report it\n"
        )
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
