"""Models of the structures app."""
