"""oncocohort.protocol stage."""
