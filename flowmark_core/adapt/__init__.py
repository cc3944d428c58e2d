"""Adapt a model to one video: a short self-reconstruction fine-tune on the user's own clip
(`flowmark adapt`). `clip` reads and face-crops the video, `finetune` runs the training
steps with the training objective (every loss, the flow loss included), `measure` scores
held-out frames."""
