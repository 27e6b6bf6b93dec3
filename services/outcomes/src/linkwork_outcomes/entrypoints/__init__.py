"""The outcomes service's processes and command-line tools: the service, the rebuild, the area table check."""
