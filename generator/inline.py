"""A paragraph's segments as safe HTML: words escaped, directions and marks as elements.

Markdown paragraphs go through python-markdown with raw HTML switched off and links
limited to http(s), mailto and relative targets, so a transcript can format text but
never inject markup or script.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as etree

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup, escape

from generator.parse.records import Paragraph, Segment, SegmentKind, mark_kind

SCHEME = re.compile(r"([^/?#]*?):")  # anything before the first colon that precedes / ? #
SAFE_SCHEMES = {"http", "https", "mailto"}

_ELEMENTS = {
    SegmentKind.DIRECTION: ('<span class="direction">', "</span>"),
    SegmentKind.INTERPRETATION: ('<span class="interpretation">', "</span>"),
    SegmentKind.EDITORIAL: ('<span class="editorial">', "</span>"),
    SegmentKind.CORRECTION: ('<del class="correction">', "</del>"),
    SegmentKind.FOOTNOTE: ('<sup class="footnote">', "</sup>"),
}


class _SafeLinks(Treeprocessor):
    """Keep a link's target only when it is relative or http(s)/mailto."""

    def run(self, root: etree.Element) -> None:
        for link in root.iter("a"):
            href = html.unescape(link.get("href", "")).strip()
            scheme = SCHEME.match(href)
            if scheme and scheme.group(1).lower() not in SAFE_SCHEMES:
                link.attrib.pop("href", None)
            else:
                link.set("rel", "nofollow noopener")


class _NoRawHtml(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        for name in ("image_link", "image_reference", "short_image_ref"):
            if name in md.inlinePatterns:
                md.inlinePatterns.deregister(name)
        md.treeprocessors.register(_SafeLinks(md), "safe_links", 0)


_markdown = markdown.Markdown(extensions=[_NoRawHtml()], output_format="html")


def markdown_inline(source: str) -> Markup:
    """Inline Markdown to HTML without the wrapping <p>; raw HTML comes out escaped."""
    _markdown.reset()
    rendered = _markdown.convert(source)
    if rendered.startswith("<p>") and rendered.endswith("</p>"):
        rendered = rendered[3:-4]
    return Markup(rendered)


def segment_html(segment: Segment, is_markdown: bool) -> Markup:
    if segment.kind is SegmentKind.TEXT:
        return markdown_inline(segment.text) if is_markdown else escape(segment.text)
    if segment.kind is SegmentKind.DIRECTION:  # styled by kind: laughter, applause, crosstalk, inaudible, other
        return Markup(f'<span class="direction mark-{mark_kind(segment)}">') + escape(segment.text) + Markup("</span>")
    start, end = _ELEMENTS[segment.kind]
    return Markup(start) + escape(segment.text) + Markup(end)


def paragraph_html(paragraph: Paragraph) -> Markup:
    segments = paragraph.segments
    if len(segments) == 1 and not paragraph.markdown and segments[0].kind is SegmentKind.TEXT:
        return escape(segments[0].text)  # most paragraphs: words only
    return Markup(" ").join(segment_html(s, paragraph.markdown) for s in segments)


_TAGS = re.compile(r"<[^>]*>")


def markdown_text(source: str) -> str:
    """The words of inline Markdown, without its syntax: `*very* [good](x)` -> `very good`."""
    return html.unescape(_TAGS.sub("", markdown_inline(source)))
