"""Segments: ordered, coloured groups of visitors defined by rules; first match wins."""
