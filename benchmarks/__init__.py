"""Scale benchmarks: one command each, a table on stdout and a JSON file in benchmarks/results/."""
