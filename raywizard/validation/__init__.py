"""validate(spec) and the effective resources: they read the chart and the render, so they sit above them."""
