"""Stage 5, writing: one writer puts the rendered outputs into docs/ and cleans up what it wrote before."""
