"""Stage 5, writing: the build runs the pipeline into docs/, where one writer puts the rendered outputs and cleans
up what it wrote before."""
