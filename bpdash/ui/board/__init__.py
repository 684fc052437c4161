"""The Overview's board in the browser: an inline Streamlit component (``st.components.v2``) that
draws ``bpdash.charts.board`` frames on canvases and redraws them in place for each new frame.

Why a component: a chart rebuilt every frame by ``st.plotly_chart`` is mounted anew by the
browser (measured: 4–5 updates a second at best, the browser's main thread busy); this board
keeps its canvases and only repaints them (see docs/live.md for the figures). The JavaScript is
in this folder, one file per panel, joined here into the one module the component loads.
"""
from __future__ import annotations

from importlib import resources

import streamlit as st

SCRIPTS = ("plot.js", "plane.js", "network.js", "cost.js", "board.js")  # board.js has the export


def _read(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


_board = st.components.v2.component("bpdash_board", js="\n".join(_read(name) for name in SCRIPTS),
                                    css=_read("board.css"))


def board(frame: dict, *, height: int, key: str = "board", earlier: list[dict] = ()) -> None:
    """Draw ``frame`` (``bpdash.charts.board.board_frame``) with panels ``height`` px tall, after
    playing the ``earlier`` frames (``bpdash.ui.frames.earlier_frames``), each and then ``frame``
    ``after_ms`` after the one before."""
    _board(key=key, data={**frame, "height": int(height), "earlier": list(earlier)}, height="content")
