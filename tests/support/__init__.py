"""Helpers the tests share (pictures, programs, processes, stand-in models, the corpus)."""
