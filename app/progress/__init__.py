"""Learning progress: what each member has opened and completed."""
