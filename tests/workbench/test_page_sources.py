"""Page modules hold no bare expressions that Streamlit's magic would print (docs or objects on the page)."""

from __future__ import annotations

import ast
from pathlib import Path

PAGES = Path(__file__).resolve().parents[2] / "workbench" / "pages"


def test_no_page_has_a_bare_conditional_or_call_expression_statement_that_returns_a_value() -> None:
    offenders = []
    for path in PAGES.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.IfExp):
                offenders.append(f"{path.name}:{node.lineno}")
    assert offenders == []
