"""Features the window creates and hands to its menus: Learn My Face (the adapter with its
dialogs, wired to the take recorder and the model library)."""
