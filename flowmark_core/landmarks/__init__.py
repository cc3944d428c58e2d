"""Landmark tracks of other detectors: the `DetectorTrack` value, readers and writers.

One module per file format; `formats.read_track` / `formats.write_track` pick one by
extension and content (or an explicit format name). See docs/jitter-lab.md.
"""

from __future__ import annotations

from flowmark_core.landmarks.track import DetectorTrack, SourceLayout

__all__ = ["DetectorTrack", "SourceLayout"]
