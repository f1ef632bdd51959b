"""Writes. Every change to content goes through these functions, whoever asks for it."""
