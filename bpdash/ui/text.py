"""Showing text that came from outside (uploads, links, plugins) as text, never as Markdown."""
import re


def plain(text: str) -> str:
    """``text`` with every ASCII punctuation mark backslash-escaped, so Markdown shows it as is:
    a column name, a parameter or a plugin message cannot become a link, an image that the
    browser fetches, a colour or LaTeX."""
    return re.sub(r"([!-/:-@\[-`{-~])", r"\\\1", str(text))
