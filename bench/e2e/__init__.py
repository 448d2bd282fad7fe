"""End-to-end measurements: the same app in each framework behind real servers on loopback."""
