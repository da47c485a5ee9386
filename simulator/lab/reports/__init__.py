"""Trainer reports: a self-contained offline HTML page (inline SVG plots, no CDN) and a CSV."""
