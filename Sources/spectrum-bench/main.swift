print("spectrum-bench: not yet implemented")
