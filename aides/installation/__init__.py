"""« Où m'installer ? »: what a newcomer could claim in each commune of a territory."""
