"""The model report as one self-contained HTML file: escaped text, figures as PNG data URIs with alt text."""

from __future__ import annotations

import base64
import html
from pathlib import Path

import pandas as pd

from cooperation_model.report.content import Bullets, Figure, Paragraph, ReportContent, Table

_WORDS = {
    "sv": {
        "toc": "Innehåll",
        "figure": "Figur",
        "table": "Tabell",
        "no_image": "Diagrammet kunde inte ritas",
        "demo": "Exempeldata – inte verkliga uppgifter",
        "data": "Diagrammets värden",
    },
    "en": {
        "toc": "Contents",
        "figure": "Figure",
        "table": "Table",
        "no_image": "The chart could not be drawn",
        "demo": "Example data – not real records",
        "data": "The chart's values",
    },
}
_CSS = """
body{font-family:"DejaVu Sans",Arial,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222;line-height:1.5}
header.demo{background:#FBE3D1;color:#8A3B00;padding:.4rem .8rem;font-weight:bold}
table{border-collapse:collapse;margin:.5rem 0 1rem;font-size:.9rem}th,td{border:1px solid #999;padding:.2rem .5rem;text-align:left;vertical-align:top}
caption,figcaption{font-style:italic;text-align:left;padding:.3rem 0}.note{font-style:italic;color:#555}
blockquote{border-left:4px solid #0072B2;margin-left:0;padding-left:1rem}img{max-width:100%}
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _table_html(frame: pd.DataFrame, caption: str) -> str:
    head = "".join(f'<th scope="col">{_e(c)}</th>' for c in frame.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{_e(v)}</td>" for v in row) + "</tr>" for row in frame.itertuples(index=False)
    )
    return f"<table><caption>{caption}</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_html(content: ReportContent) -> str:
    """The report as an HTML string (every text escaped; ``<html lang>`` from the report language)."""
    words = _WORDS[content.lang]
    parts = [
        f'<!DOCTYPE html>\n<html lang="{content.lang}">\n<head><meta charset="utf-8">',
        f"<title>{_e(content.title)}</title>",
        f'<meta name="fingerprint" content="{_e(content.fingerprint)}">',
        f"<style>{_CSS}</style></head>\n<body>",
    ]
    if content.is_demo:
        parts.append(f'<header class="demo">{_e(words["demo"])}</header>')
    parts.append(f"<h1>{_e(content.title)}</h1><p>{_e(content.subtitle)}</p>")
    parts.append(
        f'<p class="note">{_e(content.report_version)} · {_e(content.generated_on.isoformat())} · '
        f"SHA-256 {_e(content.fingerprint)}</p>"
    )
    toc = "".join(
        f'<li><a href="#{_e(s.key)}">{_e(s.title)}</a></li>' for s in content.sections if s.level == 1
    )
    parts.append(f'<nav aria-label="{_e(words["toc"])}"><h2>{_e(words["toc"])}</h2><ol>{toc}</ol></nav>')
    n_fig = n_tab = 0
    for sec in content.sections:
        level = min(sec.level + 1, 4)
        parts.append(f'<section id="{_e(sec.key)}"><h{level}>{_e(sec.title)}</h{level}>')
        for block in sec.blocks:
            if isinstance(block, Paragraph):
                if block.style == "commentary_title":
                    parts.append(f"<h{min(level + 1, 5)}>{_e(block.text)}</h{min(level + 1, 5)}>")
                elif block.style == "commentary":
                    parts.append(f"<blockquote><p>{_e(block.text)}</p></blockquote>")
                elif block.style == "note":
                    parts.append(f'<p class="note">{_e(block.text)}</p>')
                else:
                    parts.append(f"<p>{_e(block.text)}</p>")
            elif isinstance(block, Bullets):
                parts.append("<ul>" + "".join(f"<li>{_e(i)}</li>" for i in block.items) + "</ul>")
            elif isinstance(block, Table):
                n_tab += 1
                parts.append(_table_html(block.frame, f"{_e(words['table'])} {n_tab}. {_e(block.caption)}"))
                if block.note:
                    parts.append(f'<p class="note">{_e(block.note)}</p>')
            elif isinstance(block, Figure):
                n_fig += 1
                caption = f"{_e(words['figure'])} {n_fig}. {_e(block.caption)}"
                if block.png is not None:
                    data = base64.b64encode(block.png).decode("ascii")
                    img = f'<img src="data:image/png;base64,{data}" alt="{_e(block.alt_text)}">'
                else:
                    img = f'<p class="note">{_e(words["no_image"])}: {_e(block.error)}</p>'
                table = _table_html(block.table.astype(object).astype(str), _e(words["data"]))
                parts.append(
                    f"<figure>{img}<figcaption>{caption}</figcaption>"
                    f"<details><summary>{_e(words['data'])}</summary>{table}</details></figure>"
                )
        parts.append("</section>")
    parts.append("</body>\n</html>\n")
    return "\n".join(parts)


def write_html(content: ReportContent, path: str | Path) -> Path:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_html(content), encoding="utf-8")
    return target
