"""File input/output: atomic writes, images, streaming video read/write."""
