"""Train a flowmark model: `python train.py --config configs/X.yaml --data DIR` (or torchrun)."""

from flowmark_core.cli.train_cmd import main

if __name__ == "__main__":
    raise SystemExit(main())
