"""oncocohort.report stage."""
