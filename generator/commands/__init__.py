"""The commands on top of the pipeline, one module each, none importing another; cli.py is the click layer over them
(`build` has none: the build is writing/build.py, which `build`, `site` and `serve` all run)."""
