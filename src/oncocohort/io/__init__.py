"""oncocohort.io stage."""
