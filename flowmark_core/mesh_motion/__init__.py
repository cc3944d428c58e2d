"""Face animation by MediaPipe's face mesh instead of learned keypoints (`--motion mesh`).

`transfer` (head and expression motion between meshes, in each face's frame), `driver`
(the driving video's mesh, flow-stabilised), `render` (a portrait warped through its mesh)
and `animator` (`MeshMotionAnimator`, the frame loop). It sits above `data` (it reuses the
faces-photo family's mesh fit, warp and mouth fill) and `landmarks` (the MediaPipe detector).
"""

from flowmark_core.mesh_motion.animator import MeshFrame, MeshMotionAnimator

__all__ = ["MeshFrame", "MeshMotionAnimator"]
