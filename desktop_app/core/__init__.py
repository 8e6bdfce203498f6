"""Qt-free core: frames in, decisions out."""
