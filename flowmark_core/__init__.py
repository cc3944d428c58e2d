"""flowmark core library: models, data, optical flow, stabilisers, animation, training, metrics.

This package never imports Qt.
"""

__version__ = "0.1.0"

from flowmark_core.worker_start import arm_if_spawned_worker

arm_if_spawned_worker()  # a worker still starting dies with its parent (see the module)
