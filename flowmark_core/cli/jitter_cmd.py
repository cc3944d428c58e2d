"""`flowmark jitter`: how much a landmark track shakes, and what each filter does about it."""

from __future__ import annotations

import argparse
from pathlib import Path

from flowmark_core.cli.common import HelpFormatter
from flowmark_core.cli.smooth_cmd import FILTER_NAMES, add_track_options

DEFAULT_COMPARE = "one-euro,kalman,savgol,flow,flow-offline"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "jitter",
        help="measure a landmark track's jitter and compare filters on it",
        description="Score TRACK (any detector's, see docs/jitter-lab.md) over VIDEO and "
        "the same track smoothed by each filter of --compare: NMJ (motion unlike the image "
        "content's optical flow, over the face/body size), acceleration, lag in frames and "
        "flow residual, for all points and per region. Writes a JSON report to OUT and a PNG "
        "beside it (OUT with .png): the trajectories of the points that shake the most "
        "(most raw track left over a 9-frame quadratic low-pass), around their worst frames.",
        epilog="example:\n  flowmark jitter clip.mp4 face.csv --compare one-euro,flow-offline "
        "-o report.json",
        formatter_class=HelpFormatter,
    )
    add_track_options(p)
    p.add_argument(
        "--compare",
        default=DEFAULT_COMPARE,
        help=f"comma-separated filters to compare with the raw track ({', '.join(FILTER_NAMES)})",
    )
    p.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="FILTER:KEY=VALUE",
        help="a parameter of one compared filter (repeatable), e.g. savgol:window=7",
    )
    p.add_argument("-o", "--output", required=True, help="output .json report")
    p.set_defaults(func=run_jitter)


def _compare(text: str) -> list[str]:
    from flowmark_core.errors import ConfigError

    names = [n.strip() for n in text.split(",") if n.strip()]
    for name in names:
        if name not in FILTER_NAMES:
            raise ConfigError(
                f"--compare {name!r}: unknown filter; allowed: {', '.join(FILTER_NAMES)}"
            )
    if not names:
        raise ConfigError("--compare: expected at least one filter name")
    return list(dict.fromkeys(names))


def _filter_params(items: list[str], compared: list[str]) -> dict[str, dict[str, object]]:
    from flowmark_core.cli.key_values import parse_key_values
    from flowmark_core.errors import ConfigError

    out: dict[str, dict[str, object]] = {}
    for item in items:
        name, sep, rest = item.partition(":")
        if not sep or name not in compared:
            raise ConfigError(
                f"--param {item!r}: expected FILTER:KEY=VALUE with FILTER one of "
                f"{', '.join(compared)}"
            )
        out.setdefault(name, {}).update(parse_key_values([rest], "--param"))
    return out


def run_jitter(args: argparse.Namespace) -> int:
    import json

    from flowmark_core.errors import OutputFileError
    from flowmark_core.io.atomic import atomic_output, check_writable_dir, refuse_output_over_input
    from flowmark_core.io.video_reader import open_video
    from flowmark_core.landmarks.jitter_plot import plot_worst_points
    from flowmark_core.landmarks.jitter_report import compare_filters
    from flowmark_core.landmarks.smoothing import AUTO, check_params, load_matched

    compared = _compare(args.compare)
    params = _filter_params(args.param, compared)
    for name, values in params.items():
        if name != AUTO:
            check_params(name, values)
    out = Path(args.output)
    if out.suffix.lower() != ".json":
        raise OutputFileError(f"{out}: expected a .json report file")
    plot = out.with_suffix(".png")
    for target in (out, plot):
        check_writable_dir(target)
        refuse_output_over_input(target, args.track, args.video)
    video = open_video(args.video)
    matched = load_matched(args.track, video, args.format, args.match)
    report, dense = compare_filters(matched, video, compared, params)
    report = {"video": str(args.video), "track": str(args.track), **report, "plot": plot.name}
    worst = report["worst_points"][:4]
    points = [p["index"] for p in worst]
    centres = [p["peak_frame"] - matched.first for p in worst]
    with atomic_output(out) as tmp_json, atomic_output(plot) as tmp_png:
        plot_worst_points(tmp_png, dense, points, matched.track.names, matched.first, centres)
        tmp_json.write_text(json.dumps(report, indent=1, allow_nan=False), encoding="utf-8")
    _print_table(report)
    print(f"wrote {out} and {plot}")
    return 0


def _print_table(report: dict) -> None:
    def cell(value: object, fmt: str) -> str:
        return "-" if not isinstance(value, (int, float)) else format(value, fmt)

    print(f"{'filter':<24} {'NMJ':>8} {'accel px/f²':>12} {'lag frames':>11} {'flow res px':>12}")
    for label, entry in report["filters"].items():
        m = entry["metrics"]["all"]
        print(
            f"{label:<24} {cell(m['nmj'], '.4f'):>8} {cell(m['acceleration'], '.3f'):>12} "
            f"{cell(m['lag'], '.2f'):>11} {cell(m['flow_residual'], '.3f'):>12}"
        )
