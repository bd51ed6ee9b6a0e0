"""oncocohort.cohort stage."""
