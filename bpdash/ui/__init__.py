"""The Streamlit dashboard: the only part of bpdash that imports streamlit.

- ``app``: the page (``main()``), wiring the sidebar, the training controls and the views.
- ``state``: the session's Experiment, the cached plugin registry and datasets.
- ``sidebar``: the network builder and the data picker.
- ``training``: Step, Train N, Play/Pause (a fragment with ``run_every``), Reset, the metrics.
- ``views``: one module per view, each with ``render(exp, registry)``.
"""
