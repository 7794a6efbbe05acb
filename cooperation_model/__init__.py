"""Analysis and synthesis: networks, comparisons, the cooperation model, figures and reports."""
