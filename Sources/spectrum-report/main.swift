print("spectrum-report: not yet implemented")
