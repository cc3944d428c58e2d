"""Face animation by MediaPipe's face mesh instead of learned keypoints (`--motion mesh`).

`transfer` (head and expression motion between meshes, in each face's frame), `driver`
(the driving video's mesh, flow-stabilised), `render` (a portrait warped through its mesh)
`animator` (`MeshMotionAnimator`, the frame loop) and `hybrid` (`HybridMotionAnimator`: a
keypoint model's frames given the driver's expression by the mesh). It sits above `data` (it reuses the
faces-photo family's mesh fit, warp and mouth fill) and `landmarks` (the MediaPipe detector).
"""

from flowmark_core.mesh_motion.animator import MeshFrame, MeshMotionAnimator
from flowmark_core.mesh_motion.hybrid import ExpressionOverlay, HybridMotionAnimator

__all__ = ["ExpressionOverlay", "HybridMotionAnimator", "MeshFrame", "MeshMotionAnimator"]
