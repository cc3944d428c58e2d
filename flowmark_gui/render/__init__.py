"""Pure, Qt-free work the workers and views share: overlay geometry, composing panes into
frames, display pictures, export, paced recording, jitter analysis, GC tuning."""
