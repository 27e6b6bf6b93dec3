"""The directory's processes and command-line tools: the service itself, imports, postcodes and the demo."""
