"""oncocohort.stats stage."""
