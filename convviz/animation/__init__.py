"""Animation of one layer (:class:`convviz.arithmetic.layer_calc.LayerSettings`), step by step:

- :mod:`~convviz.animation.frames`: the frames, from one index map (which input cells each
  output cell reads, or which canvas cells each input cell writes);
- :mod:`~convviz.animation.values`: the numbers (the lecture's example, random, typed);
- :mod:`~convviz.animation.gallery`: conv_arithmetic's classic cases;
- :mod:`~convviz.animation.scene`: where the panels go and what their labels say;
- :mod:`~convviz.animation.gif`: the GIF writer. The plotly figure is
  :mod:`convviz.figures.animation`.
"""
