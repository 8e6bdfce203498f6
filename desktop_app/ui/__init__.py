"""The thin PySide6 layer: a window around the Qt-free core (recognition, scanning, sources, voice, testers)."""
