"""Exceptions a user can act on. The CLI and GUI turn them into one line / one dialog."""

from __future__ import annotations


class FlowmarkError(Exception):
    """Base class of every error flowmark reports to a user (CLI exit status 2)."""


class ConfigError(FlowmarkError):
    """A configuration file or value is wrong: names the key and what was expected."""


class CheckpointError(FlowmarkError):
    """A checkpoint cannot be loaded: names the file and the first problem."""


class InputFileError(FlowmarkError):
    """An input file (image, video, data set) is missing, unreadable or of the wrong kind."""


class OutputFileError(FlowmarkError):
    """An output cannot be written (unknown extension, unwritable folder, ...)."""


class DatasetError(FlowmarkError):
    """A data set folder does not have the expected layout or content."""


class TrainingError(FlowmarkError):
    """Training cannot go on (NaN loss, ...); the last good checkpoint is kept."""


class DeviceError(FlowmarkError):
    """The requested compute device (e.g. CUDA) is not available."""


class Cancelled(FlowmarkError):
    """A long operation was cancelled by the user (Ctrl-C, Cancel button)."""
