"""Offline tooling: build the reference gallery, evaluate it, train the model. Never imported by the app."""
