"""Models of the aides app."""
