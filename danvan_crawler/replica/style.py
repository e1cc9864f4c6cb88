"""The printed form of an article: its per-article awkwardness (:class:`Style`: old-style tone
marks, NBSPs, zero-width spaces, a closing ``./.``) applied to a copy of its content
(:func:`printed`). ``text.clean`` of the printed form gives the truth back.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from danvan_crawler.replica.generator import Content, Image, Paragraph
from danvan_crawler.replica.text import mix_tones, roughen


@dataclass(frozen=True)
class Style:
    """Per-article awkwardness (printed form)."""

    tone_p: float  # probability to print a toned word in the old style
    nbsp: float
    zw: float
    final_slash: bool  # close the text with ./.


def style_for(seed: int, index: int) -> Style:
    rng = random.Random(f"{seed}:s:{index}")
    return Style(
        tone_p=rng.choice((0.0, 0.0, 0.5, 0.5, 1.0)),
        nbsp=rng.choice((0.0, 0.0, 0.02, 0.05)),
        zw=rng.choice((0.0, 0.0, 0.0, 0.01)),
        final_slash=rng.random() < 0.6,
    )


def printed(content: Content, style: Style, seed: int, index: int) -> Content:
    """Apply the article's awkward style (tones, NBSP, zero-width, ./.) to a copy."""
    rng = random.Random(f"{seed}:p:{index}")

    def rough(text: str, r: random.Random = rng, *, allow_ws: bool = True) -> str:
        text = mix_tones(text, r, style.tone_p)
        if allow_ws:
            text = roughen(text, r, nbsp=style.nbsp, zw=style.zw)
        return content.expand(text)

    def rough_paragraph(i: int, p: Paragraph) -> Paragraph:
        # each paragraph has its own random stream: changing one paragraph (an edit) leaves
        # the printed form of the others unchanged
        if style.tone_p <= 0 and style.nbsp <= 0 and style.zw <= 0:
            return Paragraph([content.expand(s) for s in p.sentences], p.bold_first, p.italic)
        r = random.Random(f"{seed}:p:{index}:{i}")
        return Paragraph([rough(s, r) for s in p.sentences], p.bold_first, p.italic)

    paragraphs = [rough_paragraph(i, p) for i, p in enumerate(content.paragraphs)]
    if style.final_slash and paragraphs:
        last = paragraphs[-1].sentences
        if last[-1].endswith("."):
            last[-1] = last[-1] + "/."
    out = Content(
        title=rough(content.title, allow_ws=False),
        lead=rough(content.lead),
        paragraphs=paragraphs,
        images=[
            (pos, Image(img.src, rough(img.caption) if img.caption else None))
            for pos, img in content.images
        ],
        author=mix_tones(content.author, rng, style.tone_p) if content.author else None,
        role=mix_tones(content.role, rng, style.tone_p) if content.role else None,
        author_pad=content.author_pad,
        role_pad=content.role_pad,
        attachments=list(content.attachments),
        citations=content.citations,
        seed_refs=content.seed_refs,
    )
    if content.author_name and content.author:
        prefix = content.author[: len(content.author) - len(content.author_name)]
        assert out.author is not None
        out.author_name = out.author[len(prefix) :]
    return out
