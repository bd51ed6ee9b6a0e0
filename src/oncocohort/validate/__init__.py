"""oncocohort.validate stage."""
