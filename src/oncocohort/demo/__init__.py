"""oncocohort.demo stage."""
