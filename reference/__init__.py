"""Small, runnable reference models for the roadmap's CNN, RNN and vision topics."""
