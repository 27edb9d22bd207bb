"""The cluster spec and what is said about it: problems, single-value checks, known versions, input errors."""
