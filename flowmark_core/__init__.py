"""flowmark core library: models, data, optical flow, stabilisers, animation, training, metrics.

This package never imports Qt.
"""

__version__ = "0.1.0"
