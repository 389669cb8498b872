"""Thin blueprints: read the request, call store/scoring, render a template."""
