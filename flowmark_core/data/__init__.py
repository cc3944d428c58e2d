"""Training data: datasets of videos, augmentation and synthetic puppets with ground truth."""
