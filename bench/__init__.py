"""Evaluation and benchmark scripts (`make eval-search`, `make bench-search`); not run by
`make test`."""
