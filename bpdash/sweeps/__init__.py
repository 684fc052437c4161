"""Sweeps: many runs of one base config, each a combination of settings, on this machine or a
cluster, one result row per run.

- ``space``: the axes a sweep varies (``name=values``) and their grid or random combinations;
- ``plan``: the validated configs of a sweep and the table of its results;
- ``task``: one run, config in, result row out (equal to ``python -m bpdash train``'s numbers);
- ``backends``: where runs train (this process, local worker processes, Ray, Dask);
- ``scheduler``: runs in flight, a lost run retried once, stop and Ctrl-C;
- ``job``: a sweep in the background, for the dashboard; ``studies``: its one-click studies;
- ``command``: ``python -m bpdash sweep``.
"""
