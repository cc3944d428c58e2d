"""`flowmark --help` stays light (no torch/OpenCV/Qt from our own command modules), has
--version and shows defaults; the choice lists in cli.common equal the real ones."""

import subprocess
import sys

from flowmark_core import __version__
from flowmark_core.cli.common import PUPPET_FAMILIES, STABILIZER_NAMES

PROBE = """
import sys
from flowmark_core.cli import main
try:
    main.build_parser().parse_args(["animate", "--help"])
except SystemExit:
    pass
print("HEAVY:" + ",".join(m for m in ("torch", "PySide6") if m in sys.modules))
"""


def test_help_imports_neither_torch_nor_qt() -> None:
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "HEAVY:"
    assert "(default: relative)" in done.stdout  # --mode
    assert "(default: none)" in done.stdout  # --stabilize


def test_version(capsys) -> None:
    from flowmark_core.cli.main import main

    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"flowmark {__version__}"


def test_choice_lists_match_their_sources() -> None:
    from flowmark_core.cli.animate_cmd import VIDEO_OUTPUT_EXTENSIONS
    from flowmark_core.data.synthetic.identities import FAMILIES
    from flowmark_core.io.video_writer import WRITABLE_VIDEO_EXTENSIONS
    from flowmark_core.stabilize import STABILIZERS

    assert STABILIZER_NAMES == STABILIZERS
    assert PUPPET_FAMILIES == FAMILIES
    assert VIDEO_OUTPUT_EXTENSIONS == WRITABLE_VIDEO_EXTENSIONS
