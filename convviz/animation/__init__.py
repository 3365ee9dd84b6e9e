"""Animation of one layer: the frames (which input cells each output cell reads, step by step),
the gallery of lecture cases, and the GIF writer. Figures live in :mod:`convviz.figures`.
"""
