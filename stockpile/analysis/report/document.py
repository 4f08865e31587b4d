"""A tiny document model rendered twice: Markdown for the repository, HTML for a browser.

Writing the report once as blocks keeps report.md and report.html saying the same thing;
the HTML embeds its PNGs as base64 so it can be mailed as one file.
"""

from __future__ import annotations

import base64
import html
import re
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from stockpile.experiment.output import write_atomic

CSS = """body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;
max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#222}
img{max-width:100%;border:1px solid #ddd}figure{margin:1.5rem 0}
figcaption{font-size:.9rem;color:#555}table{border-collapse:collapse;font-size:.85rem}
td,th{border:1px solid #ccc;padding:.2rem .4rem;vertical-align:top;text-align:left}
th{background:#f3f3f3}h1,h2,h3{line-height:1.2}"""


@dataclass
class Document:
    """Blocks in order: (kind, payload) with kind heading, para, bullets, links, image, table."""

    blocks: list[tuple[str, object]] = field(default_factory=list)

    def heading(self, text: str, level: int = 2) -> None:
        self.blocks.append(("heading", (level, text)))

    def para(self, text: str) -> None:
        self.blocks.append(("para", text))

    def bullets(self, items: list[str]) -> None:
        if items:
            self.blocks.append(("bullets", list(items)))

    def links(self, items: list[tuple[str, str]]) -> None:
        """A list of (text, relative address) links."""
        if items:
            self.blocks.append(("links", list(items)))

    def image(self, file: str, caption: str) -> None:
        """``file`` relative to the report folder."""
        self.blocks.append(("image", (file, caption)))

    def table(self, frame: pd.DataFrame) -> None:
        if len(frame):
            self.blocks.append(("table", frame))

    def markdown(self) -> str:
        """Markdown whose text cannot carry markup: ``<``, ``>`` and ``&`` from scenario text
        are written as entities, so a Markdown viewer shows them instead of running them."""
        out = []
        for kind, payload in self.blocks:
            if kind == "heading":
                level, text = payload
                out.append(f"{'#' * level} {_text(text)}")
            elif kind == "para":
                out.append(_text(payload))
            elif kind == "bullets":
                out.append("\n".join(f"- {_text(item)}" for item in payload))
            elif kind == "links":
                out.append("\n".join(f"- [{_text(_md(text))}]({_address(_md(href))})"
                                      for text, href in payload))
            elif kind == "image":
                file, caption = payload
                out.append(f"![{_text(caption)}]({_address(file)})\n\n*{_text(caption)}*")
            else:
                out.append(_markdown_table(payload))
        return "\n\n".join(out) + "\n"

    def html(self, root: Path, title: str) -> str:
        """A standalone page; images read from ``root`` and embedded."""
        out = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
               f"<title>{html.escape(title)}</title><style>{CSS}</style></head><body>"]
        for kind, payload in self.blocks:
            if kind == "heading":
                level, text = payload
                out.append(f"<h{level}>{html.escape(text)}</h{level}>")
            elif kind == "para":
                out.append(f"<p>{html.escape(payload)}</p>")
            elif kind == "bullets":
                out.append("<ul>" + "".join(f"<li>{html.escape(i)}</li>" for i in payload)
                           + "</ul>")
            elif kind == "links":
                out.append("<ul>" + "".join(f"<li><a href='{html.escape(href)}'>"
                                            f"{html.escape(text)}</a></li>"
                                            for text, href in payload) + "</ul>")
            elif kind == "image":
                file, caption = payload
                data = base64.b64encode((root / file).read_bytes()).decode("ascii")
                out.append(f"<figure><img src='data:image/png;base64,{data}' "
                           f"alt='{html.escape(caption)}'><figcaption>{html.escape(caption)}"
                           "</figcaption></figure>")
            else:
                out.append(payload.to_html(index=False, border=0, na_rep=""))
        out.append("</body></html>")
        return "\n".join(out) + "\n"


def write_document(doc: Document, stage: Path, title: str, name: str = "report") -> None:
    """NAME.md and NAME.html in ``stage`` (the HTML with its images embedded)."""
    write_atomic(stage / f"{name}.md", doc.markdown())
    write_atomic(stage / f"{name}.html", doc.html(stage, title))


def _md(text: str) -> str:
    """Links between reports point at the Markdown twin in Markdown (report.html -> .md)."""
    return re.sub(r"\b(report|appendix)\.html\b", r"\1.md", str(text))


def _text(text: str) -> str:
    """Text with its HTML shown, not run: ``<b>`` becomes ``&lt;b&gt;``."""
    return html.escape(str(text), quote=False)


def _address(href: str) -> str:
    """A link target with no markup and no spaces or parentheses that would end it early."""
    return urllib.parse.quote(str(href), safe="/#.-_~")


def _cell(value: object) -> str:
    text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    return _text(" ".join(text.split())).replace("|", "\\|")


def _markdown_table(frame: pd.DataFrame) -> str:
    header = "| " + " | ".join(_cell(c) for c in frame.columns) + " |"
    rule = "|" + "---|" * len(frame.columns)
    rows = ["| " + " | ".join(_cell(v) for v in row) + " |"
            for row in frame.itertuples(index=False)]
    return "\n".join([header, rule, *rows])
