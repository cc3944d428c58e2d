"""Features the window creates and hands to its menus: Learn My Face (the adapter with its
dialogs, the take recorder, the library)."""
