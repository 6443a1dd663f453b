"""Evaluation and benchmarks: question sets, retrieval and answer scores, speed and load."""
