"""Renderers: each turns normalized articles into output files (path -> bytes)."""
