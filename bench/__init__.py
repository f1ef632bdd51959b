"""Benchmark and evaluation scripts (`make bench`, `make bench-search`, `make eval-search`);
none of them runs in `make test`."""
