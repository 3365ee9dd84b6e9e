"""Sub-commands of the `convviz` command line; each module has ``register(subparsers)``."""

MODULES = [
    "convviz.commands.summary",
    "convviz.commands.layers",
    "convviz.commands.animate",
    "convviz.commands.train",
]
