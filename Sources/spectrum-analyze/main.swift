print("spectrum-analyze: not yet implemented")
