"""Teach mode: learning notes the gallery does not know, at the user's side."""
