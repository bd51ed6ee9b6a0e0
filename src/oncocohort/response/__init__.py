"""oncocohort.response stage."""
