"""vaultbot's engine: vault model, Obsidian semantics, rule runner, writer, git, CLI."""

__version__ = "0.1.0"
