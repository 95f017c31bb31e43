"""The commands on top of the pipeline, each in its own module, none importing another; cli.py is the click layer
over them, and calls the pipeline itself where a command is one call (validate, schema, codeowners, and build:
writing/build.py, which build, site and serve all run)."""
