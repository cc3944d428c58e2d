"""run.json: what a train.py run was started with, so that a resume cannot silently change it.

Written into the run folder at each start; `--resume` compares the config it is given and
the data folder with the record and refuses any difference outside `RESUMABLE` (the length
of the run and its bookkeeping) in one line naming them, unless `--force-resume`. The
`model:` section is compared with the checkpoint itself by the trainer. Run
folders from before the record existed resume as before (their model config is still
checked against the checkpoint by the trainer).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flowmark_core.errors import CheckpointError

RUN_RECORD = "run.json"
#: Config keys a resumed run may change: how long it runs, how often it logs and saves,
#: how many processes load its data, where the data folder is written in the YAML.
RESUMABLE = frozenset(
    {
        "train.steps",
        "train.checkpoint_every",
        "train.log_every",
        "train.image_every",
        "data.num_workers",
        "data.root",
    }
)


def _flat(tree: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flat(value, f"{name}."))
        else:
            out[name] = value
    return out


def _record(config: Any, data: str | Path) -> dict[str, Any]:
    from flowmark_core.config import to_dict
    from flowmark_core.io.atomic import resolved

    record = {"config": to_dict(config), "data": str(resolved(Path(data)))}
    return json.loads(json.dumps(record))  # as read back: tuples become lists


def write_run_record(out: Path, config: Any, data: str | Path) -> None:
    """Write OUT/run.json (atomically) for the run about to start."""
    from flowmark_core.io.atomic import atomic_output

    with atomic_output(out / RUN_RECORD) as tmp:
        tmp.write_text(json.dumps(_record(config, data), indent=1) + "\n")


def check_same_run(folder: Path, config: Any, data: str | Path) -> None:
    """Refuse to resume the run in `folder` with another config or data folder.

    Raises:
        CheckpointError: naming up to three differences and the way out.
    """
    path = folder / RUN_RECORD
    if not path.is_file():
        return
    try:
        stored = json.loads(path.read_text())
        before, after = _flat(stored["config"]), _flat(_record(config, data)["config"])
        stored_data = stored["data"]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        raise CheckpointError(f"{path}: not a readable run record") from None
    changed = [
        f"{key} {json.dumps(before.get(key))} -> {json.dumps(after.get(key))}"
        for key in sorted(set(before) | set(after))
        if key not in RESUMABLE
        and not key.startswith("model.")  # the trainer compares these with the checkpoint
        and before.get(key) != after.get(key)
    ]
    now = _record(config, data)["data"]
    if stored_data != now:
        changed.insert(0, f"--data {stored_data} -> {now}")
    if changed:
        more = f" and {len(changed) - 3} more" if len(changed) > 3 else ""
        raise CheckpointError(
            f"{folder}: the resumed run was started otherwise ({'; '.join(changed[:3])}{more}); "
            "resume with the same config and --data, or pass --force-resume"
        )
