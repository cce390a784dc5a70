"""``python -m bench`` (``make bench``): run the benchmarks and print their figures."""

from bench.org_bench import main

main()
