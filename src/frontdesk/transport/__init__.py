"""Thin HTTP routes and WebSocket handlers: parse, call a feature service, answer."""
