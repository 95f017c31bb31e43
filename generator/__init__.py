"""整改公示: validate problem-rectification ledgers and publish them as a static portal."""
