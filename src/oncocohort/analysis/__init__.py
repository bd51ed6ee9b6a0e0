"""oncocohort.analysis stage."""
