"""Benchmarks and evaluations. Each module runs as ``.venv/bin/python -m bench.<name>``.

They read real data from ``$DISCOURSE_DATA`` (default ``../shared/data`` beside the
repository), skip with a clear message when it is absent, print a Markdown table for
the README, and write their numbers to ``bench/results/<name>.json``. Times are reported
as ratios against a baseline measured in the same process, because the machines are
shared and noisy.
"""
