"""Pure figure builders: data in, plotly figure out (one module per page's concept).

Plotly is imported only here, never on the engine's arithmetic path, so the CLI stays fast.
"""
