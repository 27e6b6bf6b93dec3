"""linkwork's shared language: event models, CloudEvents envelope, topics, codes and measures."""

# The version of the contracts as a whole, shown in the AsyncAPI document; keep it equal to the
# version in contracts/pyproject.toml and raise it with every release into contracts/released/.
__version__ = "0.1.0"
