"""The linear model family (scikit-learn)."""
