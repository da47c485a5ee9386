"""The service-lab command groups; ``simulator.commands.lab`` registers them with the CLI."""
