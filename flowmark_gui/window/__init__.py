"""The main window and what it assembles: menus, the Model menu, the Sharp Panes toggle."""
