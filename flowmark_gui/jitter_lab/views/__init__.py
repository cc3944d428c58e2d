"""The Jitter Lab's widgets: the frame with its points, trajectories, regions, the table."""
