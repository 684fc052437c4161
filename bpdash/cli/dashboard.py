"""``bpdash dashboard [streamlit options]``: start the dashboard from wherever bpdash is installed."""
from __future__ import annotations


def run_dashboard(args) -> int:
    from ..ui.launch import run

    return run(args.extra)


def add_dashboard(commands) -> None:
    command = commands.add_parser(
        "dashboard", help="start the dashboard (options after it go to streamlit run, e.g. --server.port 8502)",
        description="Start the Streamlit dashboard. Options after `dashboard` go to `streamlit run`: "
                    "--server.port 8502, --server.address 0.0.0.0, --server.headless true, ...")
    command.set_defaults(run=run_dashboard, passthrough=True)
