"""Stage 4, rendering: page families, charts and data files, computed from a derived campaign."""
