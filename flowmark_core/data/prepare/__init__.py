"""`flowmark data prepare`: turn talking-head videos into a training data set.

Pipeline, one input video at a time (memory flat: two streaming passes, per-frame numbers only):

1. `scan.py` — one pass: shot changes (`shots.py`) and the largest face per frame
   (`faces.py`, MediaPipe face detection, offline).
2. `segments.py` — each shot (cut into pieces of at most `max_frames`) gets ONE fixed square
   box, FOMM-style: the face well inside with room for its motion, never re-centred per
   frame; pieces that are too short, too small, blurred or mostly without a face are dropped,
   each with its reason.
3. `runner.py` — a second pass crops and resizes the kept pieces into the `FramesDataset`
   layout (`train/` and `test/` folders of frames named `<identity>#<clip>`), the split decided
   up front by identity and by source (`split.py`), one atomic folder per clip, a resumable
   journal, and `manifest.tsv`.
"""
