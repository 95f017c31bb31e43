"""Checks of a change against the base of a pull request: what changed, history, ownership, the reviewer's summary."""
