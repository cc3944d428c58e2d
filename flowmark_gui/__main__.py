"""`python -m flowmark_gui` starts the desktop app."""

from flowmark_gui.app import main

raise SystemExit(main())
