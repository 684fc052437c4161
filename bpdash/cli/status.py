"""The command line's exit statuses (docs/cli.md lists them for scripts)."""

OK = 0
FAILED_CHECK = 1   # gradcheck: a layer over the tolerance; plugins/doctor --strict: a plugin failed;
                   # sweep: a run failed (its row says why)
BAD_INPUT = 2      # a config, experiment file or output path that cannot be used: nothing was trained
DIVERGED = 3       # training diverged; the history up to it is written
COST_ROSE = 4      # training ended with the cost well above where it started; the history is written
UNWRITTEN = 5      # --out failed at the end (a disk that filled up): the history went to standard output
INTERRUPTED = 130  # Ctrl-C or SIGTERM mid-run; the epochs done are written
