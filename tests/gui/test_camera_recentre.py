"""Camera mode with face crop: the crop box stays fixed while the face moves inside it, and
Recalibrate (R) also re-centres it: the next face found fixes a new box and is the new
reference pose. Jobs are posted as the UI does and run with `drain` (no thread started)."""

from __future__ import annotations

import numpy as np
from pytestqt.qtbot import QtBot

from flowmark_core.animate.face_crop import FaceCropper
from flowmark_gui.state.model_handle import ModelSpec, load_model_handle
from flowmark_gui.state.values import CameraSettings, RenderOptions
from flowmark_gui.workers.camera import CameraWorker
from tests.core.animate.test_driving_crop import face_frame


def test_recalibrate_re_centres_the_face_crop(qtbot: QtBot) -> None:
    handle = load_model_handle(ModelSpec(path="puppets-faces-128", precision="float32"))
    options = RenderOptions(face_crop=True)
    worker = CameraWorker(handle, "unused", CameraSettings(), options)
    animator = handle.new_animator(face_crop=True)
    worker._animator = animator  # what `run` builds before the first frame
    worker.set_options(options)
    worker.drain()
    animator.set_source(face_frame(0))
    animator.push(face_frame(0))
    first = animator.framing.current_stream_box
    animator.push(face_frame(12))  # inside the box: kept
    assert animator.framing.current_stream_box == first
    worker.recalibrate()
    worker.drain()
    result = animator.push(face_frame(12))
    assert animator.framing.current_stream_box == FaceCropper().detect(face_frame(12)) != first
    assert np.allclose(result.kp_rendered, animator.source_keypoints.value, atol=1e-4)
    worker.set_options(RenderOptions(face_crop=False))  # another view of the face
    worker.drain()
    assert animator.framing.current_stream_box is None and not animator.face_crop
