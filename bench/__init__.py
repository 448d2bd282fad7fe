"""ctxcore's benchmark suite: ``python -m bench`` from the repository root (pyperf)."""
