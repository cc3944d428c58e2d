"""Training: objective, resumable sampling, distributed setup, checkpoints, logging, loop."""
