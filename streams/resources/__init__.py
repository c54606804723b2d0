"""Data tables the gazetteer and the extract stage load (see README.md for sources)."""
