"""Motion transfer options: relative / absolute, adapt scale, face crop, and the reference
frame of relative motion (find best frame, or use the current driving frame)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from flowmark_gui.controllers.controller import Controller
from flowmark_gui.state.session import Session


class MotionControls(QGroupBox):
    """Widgets editing `RenderOptions.mode`, `adapt_scale`, `face_crop`, `reference_index`."""

    def __init__(
        self, session: Session, controller: Controller, parent: QWidget | None = None
    ) -> None:
        super().__init__("Motion", parent)
        self.session = session
        self.controller = controller
        self.relative = QRadioButton("relative")
        self.relative.setToolTip("source keypoints move by the driving motion since the reference")
        self.absolute = QRadioButton("absolute")
        self.absolute.setToolTip("source keypoints jump to the driving keypoints")
        group = QButtonGroup(self)
        group.addButton(self.relative)
        group.addButton(self.absolute)
        self.relative.toggled.connect(self._on_mode)
        self.adapt_scale = QCheckBox("adapt movement scale")
        self.adapt_scale.setToolTip("scale motion by the ratio of the keypoint hull areas")
        self.adapt_scale.toggled.connect(lambda on: controller.update_options(adapt_scale=on))
        self.face_crop = QCheckBox("face crop (detect, crop, paste back)")
        self.face_crop.toggled.connect(lambda on: controller.update_options(face_crop=on))
        self.best = QPushButton("Find best frame")
        self.best.setToolTip("use the driving frame whose pose is closest to the source's")
        self.best.clicked.connect(controller.find_best_frame)
        self.use_current = QPushButton("Use current frame (R)")
        self.use_current.setToolTip("make the current driving frame the reference (recalibrate)")
        self.use_current.clicked.connect(controller.use_current_frame_as_reference)
        self.reference = QLabel()
        modes = QHBoxLayout()
        modes.addWidget(self.relative)
        modes.addWidget(self.absolute)
        modes.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.best)
        buttons.addWidget(self.use_current)
        layout = QVBoxLayout(self)
        layout.addLayout(modes)
        layout.addWidget(self.adapt_scale)
        layout.addWidget(self.face_crop)
        layout.addWidget(self.reference)
        layout.addLayout(buttons)
        session.options_changed.connect(self._sync)
        session.track_changed.connect(self._sync)
        self._sync()

    def set_video_mode(self, video: bool) -> None:
        """The reference frame and Find best frame belong to video mode (a camera has no
        frames to choose from: R recalibrates on the next frame there)."""
        for widget in (self.reference, self.best, self.use_current):
            widget.setVisible(video)

    def _on_mode(self) -> None:
        mode = "relative" if self.relative.isChecked() else "absolute"
        self.controller.update_options(mode=mode)

    def _sync(self) -> None:
        options = self.session.options
        for widget, value in (
            (self.relative, options.mode == "relative"),
            (self.absolute, options.mode == "absolute"),
            (self.adapt_scale, options.adapt_scale),
            (self.face_crop, options.face_crop),
        ):
            widget.blockSignals(True)
            widget.setChecked(value)
            widget.blockSignals(False)
        relative = options.mode == "relative"
        tracked = self.session.track is not None
        self.adapt_scale.setEnabled(relative)
        self.best.setEnabled(relative and tracked)
        self.use_current.setEnabled(relative and tracked)
        self.reference.setText(
            f"reference: driving frame {options.reference_index}"
            if relative
            else "reference: not used in absolute mode"
        )
