"""Renders messages from the template files (templates/{nl,en}/*.txt) with Jinja2.

A template's first line is `Subject: ...`, then a blank line, then the body. Dutch is the default; English
is used when the recipient's language is en. Labels for codes (criteria, reasons) are in labels.json per
language. Imports Jinja2, the domain and the ports.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader

from ..domain.model import Message
from ..ports import AbstractRenderer

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates"
LANGUAGES = ("nl", "en")


def hint_text(labels: dict[str, Any], criterion: str, change: Any, opens_places: int,
              free_places: int | None = None) -> str:
    """One "what would have helped" sentence for an unplaced student, from labels["hint"]: per criterion the
    one-place and the several-places form, with {change} (minutes, for travel time) and {n} (places).

    `free_places` (issue 17): how many of those places have a free slot, from labels["hint_free"] (none:
    "may not be enough"; some); None for an outcome from before it, and then nothing is said about it."""
    forms = labels["hint"].get(criterion) or labels["hint"]["other"]
    if isinstance(change, float) and change.is_integer():
        change = int(change)  # 15 minutes, not 15.0
    text = forms[0 if opens_places == 1 else 1].format(change=change, n=opens_places)
    if free_places is None:
        return text
    free = labels["hint_free"][0 if free_places == 0 else 1].format(f=free_places)
    return f"{text.removesuffix('.')} ({free})."


def language(lang: str | None) -> str:
    """The language to write in: en when asked for, Dutch otherwise."""
    return "en" if (lang or "").lower().startswith("en") else "nl"


class TemplateRenderer(AbstractRenderer):
    """Renders a named message template in a language."""

    hint_text = staticmethod(hint_text)  # the pages word hints the same way as the e-mails

    def __init__(self, template_dir: Path = TEMPLATE_DIR):
        # auto_reload off: the templates ship with the package, and checking each file's mtime on every
        # render cost a stat() per message (and per include) in the sender threads.
        self.env = Environment(loader=FileSystemLoader(str(template_dir)), autoescape=False,
                               keep_trailing_newline=True, trim_blocks=False, auto_reload=False)
        self.env.globals["hint_text"] = hint_text
        self.template_dir = template_dir

    @lru_cache(maxsize=4)
    def labels(self, lang: str) -> dict[str, Any]:
        return json.loads((self.template_dir / lang / "labels.json").read_text(encoding="utf-8"))

    def render(self, name: str, context: dict[str, Any], lang: str | None = None) -> Message:
        """The message `name` (e.g. "student_placed") in the recipient's language."""
        lang = language(lang)
        text = self.env.get_template(f"{lang}/{name}.txt").render(**context, labels=self.labels(lang))
        head, _, body = text.partition("\n\n")
        subject = head.removeprefix("Subject:").strip()
        return Message(subject=subject, body=body.strip() + "\n", lang=lang)
