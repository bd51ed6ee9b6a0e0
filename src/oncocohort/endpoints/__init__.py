"""oncocohort.endpoints stage."""
