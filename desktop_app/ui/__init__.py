"""The thin PySide6 layer: a window around the Qt-free core (desktop_app.core)."""
