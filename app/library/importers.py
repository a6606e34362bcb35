"""Turn Markdown, plain text, HTML and EPUB files into a title, metadata and ordered sections.

Everything here is pure: bytes in, a ``ParsedDocument`` out, or an ``ImportRefused`` with the reason.
No new dependency: Markdown goes through the ``markdown`` package to HTML, HTML through the
standard library's ``html.parser``, EPUB through ``zipfile`` and the OPF spine.
"""

import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from io import BytesIO
from pathlib import PurePath
from typing import Any
from xml.etree import ElementTree

import markdown
import yaml
from flask_babel import gettext as _

SUFFIX_FORMATS = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".epub": "epub",
}
MAX_EPUB_UNPACKED_BYTES = 64 * 1024 * 1024

CN_NUMBER = "零〇一二三四五六七八九十百千两0-9０-９"
# A structural heading on a line of its own: 第一编 总则, 第二章　党的组织制度, 第三节 ...
STRUCTURE_LINE = re.compile(rf"^第[{CN_NUMBER}]+([编章节])(?:[\s　]+\S.{{0,40}})?$")
STRUCTURE_LEVELS = {"编": 2, "章": 3, "节": 4}
ARTICLE_START = re.compile(rf"^(第[{CN_NUMBER}]+条)[\s　]")
SENTENCE_END = re.compile(r"[。；;，,：:！？!?]$")
CN_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


class ImportRefused(Exception):
    """The file cannot become a document; ``reason`` is translated for the user."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class ParsedSection:
    heading: str
    level: int
    paragraphs: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


@dataclass
class ParsedDocument:
    title: str
    source_format: str
    sections: list[ParsedSection]
    author: str = ""
    date: "date | None" = None
    source: str = ""
    tags: list[str] = field(default_factory=list)


def file_format(filename: str) -> str | None:
    return SUFFIX_FORMATS.get(PurePath(filename).suffix.lower())


def parse_file(filename: str, data: bytes) -> ParsedDocument:
    """Parse one file by its extension; raise ImportRefused with a reason when it cannot be read."""
    kind = file_format(filename)
    if kind is None:
        raise ImportRefused(
            _("Unsupported file type: use Markdown (.md), plain text (.txt), HTML (.html) or EPUB (.epub).")
        )
    if not data.strip():
        raise ImportRefused(_("The file is empty."))
    stem = PurePath(filename).stem
    if kind == "epub":
        parsed = parse_epub(data, stem)
    else:
        text = decode_text(data)
        parsed = {"markdown": parse_markdown, "text": parse_text, "html": parse_html}[kind](text, stem)
    parsed.sections = [section for section in parsed.sections if section.heading or section.paragraphs]
    if not any(section.paragraphs for section in parsed.sections):
        raise ImportRefused(_("The file contains no readable text."))
    parsed.date = parsed.date or date_in_text(stem) or _date_near_start(parsed.sections)
    parsed.title = clip(parsed.title or stem, 300)
    return parsed


def decode_text(data: bytes) -> str:
    """Decode UTF-8 (with or without BOM), else GB18030; refuse anything else."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for encoding in ("utf-8", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break
        return text.replace("\r\n", "\n").replace("\r", "\n")
    raise ImportRefused(_("The text is neither UTF-8 nor GB18030 encoded."))


def clip(text: str, length: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1] + "…"


def date_in_text(text: str) -> date | None:
    for pattern in (ISO_DATE, CN_DATE):
        for match in pattern.finditer(text):
            try:
                return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
            except ValueError:
                continue
    return None


def parse_date(value: object) -> date | None:
    if isinstance(value, date):
        return value
    return date_in_text(str(value)) if value else None


def _date_near_start(sections: list[ParsedSection]) -> date | None:
    opening = "\n".join(paragraph for section in sections[:2] for paragraph in section.paragraphs[:4])
    return date_in_text(opening[:600])


# --- plain text -------------------------------------------------------------------------------


def parse_text(text: str, stem: str) -> ParsedDocument:
    """Split plain text into paragraphs, with 第X编/章/节 lines as headings (or 第X条 when no chapters)."""
    paragraphs = _text_paragraphs(text)
    title = ""
    if paragraphs and len(paragraphs[0]) <= 60 and not SENTENCE_END.search(paragraphs[0]):
        title = paragraphs.pop(0)
    sections = [ParsedSection("", 1)]
    for paragraph in paragraphs:
        match = STRUCTURE_LINE.match(paragraph)
        if match:
            sections.append(ParsedSection(_normalise_heading(paragraph), STRUCTURE_LEVELS[match.group(1)]))
        else:
            sections[-1].paragraphs.append(paragraph)
    return ParsedDocument(title=title or stem, source_format="text", sections=split_articles(sections))


def _text_paragraphs(text: str) -> list[str]:
    """Blank lines separate paragraphs; a structural heading or article start also begins one."""
    paragraphs: list[str] = []
    current: list[str] = []
    for raw in text.split("\n"):
        line = raw.strip().replace("\u3000", " ").strip()
        if not line:
            if current:
                paragraphs.append("\n".join(current))
                current = []
            continue
        if STRUCTURE_LINE.match(line) or ARTICLE_START.match(line):
            if current:
                paragraphs.append("\n".join(current))
            current = [line]
            if STRUCTURE_LINE.match(line):
                paragraphs.append(line)
                current = []
            continue
        current.append(line)
    if current:
        paragraphs.append("\n".join(current))
    return paragraphs


def _normalise_heading(line: str) -> str:
    return " ".join(line.replace("\u3000", " ").split())


def split_articles(sections: list[ParsedSection]) -> list[ParsedSection]:
    """Give a document without chapters one section per article (第X条), when it has several."""
    if len(sections) > 1:
        return sections
    only = sections[0]
    starts = [index for index, paragraph in enumerate(only.paragraphs) if ARTICLE_START.match(paragraph)]
    if len(starts) < 3:
        return sections
    result = [ParsedSection(only.heading, only.level, only.paragraphs[: starts[0]])]
    for number, start in enumerate(starts):
        end = starts[number + 1] if number + 1 < len(starts) else len(only.paragraphs)
        match = ARTICLE_START.match(only.paragraphs[start])
        assert match is not None  # starts holds the paragraphs it matches
        label = match.group(1)
        result.append(ParsedSection(label, only.level + 1, only.paragraphs[start:end]))
    return result


# --- HTML -------------------------------------------------------------------------------------

BLOCK_TAGS = {
    "p", "div", "li", "blockquote", "pre", "tr", "section", "article", "br", "dd", "dt", "table",
    "ul", "ol", "header", "footer", "figure", "figcaption", "hr", "td", "th",
}  # fmt: skip
HEADING_TAGS = {f"h{level}": level for level in range(1, 7)}
SKIPPED_TAGS = {"script", "style", "head", "nav", "noscript", "template", "svg", "iframe", "object"}


class _SectionsParser(HTMLParser):
    """Collect headings and text blocks from HTML; the <title> and <meta> give metadata."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.sections = [ParsedSection("", 1)]
        self.meta: dict[str, str] = {}
        self.title = ""
        self._buffer: list[str] = []
        self._heading_level: int | None = None
        self._skip_depth = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        name, content = attributes.get("name"), attributes.get("content")
        if tag == "meta" and name and content:
            self.meta[name.lower()] = content
        if tag == "title":
            self._in_title = True
            return
        if tag in SKIPPED_TAGS and tag != "head":
            self._skip_depth += 1
            return
        if tag in HEADING_TAGS:
            self._flush()
            self._heading_level = HEADING_TAGS[tag]
        elif tag in BLOCK_TAGS:
            self._flush(soft=tag == "br")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
            return
        if tag in SKIPPED_TAGS and tag != "head":
            self._skip_depth = max(0, self._skip_depth - 1)
            return
        if tag in HEADING_TAGS and self._heading_level is not None:
            heading = clip("".join(self._buffer), 300)
            self._buffer = []
            level, self._heading_level = self._heading_level, None
            if heading:
                self.sections.append(ParsedSection(heading, level))
        elif tag in BLOCK_TAGS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        elif not self._skip_depth:
            self._buffer.append(data)

    def _flush(self, soft: bool = False) -> None:
        if self._heading_level is not None:
            if soft:
                self._buffer.append(" ")
            return
        text = " ".join("".join(self._buffer).split())
        self._buffer = []
        if not text:
            return
        match = STRUCTURE_LINE.match(text)
        if match:
            self.sections.append(ParsedSection(_normalise_heading(text), STRUCTURE_LEVELS[match.group(1)]))
        else:
            self.sections[-1].paragraphs.append(text)

    def close(self) -> None:
        super().close()
        self._flush()


def html_sections(html: str) -> _SectionsParser:
    parser = _SectionsParser()
    parser.feed(html)
    parser.close()
    return parser


def _promote_title(sections: list[ParsedSection]) -> str:
    """Use a leading heading with no text before it as the title, and drop it from the sections.

    It must be a level-1 heading or contain every other heading: a lone "## 要点" stays a section.
    """
    prefix = ""
    leading_pair = len(sections) > 2 and not sections[0].paragraphs and not sections[1].paragraphs
    if leading_pair and sections[1].level == sections[2].level:  # 中华人民共和国民法典 / 人格权编
        prefix = sections.pop(1).heading + " "
    if not sections[0].paragraphs and len(sections) > 1:
        first = sections[1]
        others_at_level = [section for section in sections[2:] if section.level <= first.level]
        # A top-level heading, or one wrapping every other heading, names the whole document.
        if not others_at_level and (first.level == 1 or len(sections) > 2):
            sections[0].paragraphs = first.paragraphs
            del sections[1]
            return prefix + first.heading
    return prefix.strip()


def parse_html(text: str, stem: str) -> ParsedDocument:
    parser = html_sections(text)
    sections = parser.sections
    heading_title = _promote_title(sections)
    return ParsedDocument(
        title=heading_title or clip(parser.title, 300) or stem,
        source_format="html",
        sections=split_articles(sections),
        author=clip(parser.meta.get("author", ""), 200),
        date=parse_date(parser.meta.get("date") or parser.meta.get("dcterms.date")),
        source=clip(parser.meta.get("source", ""), 500),
        tags=[tag.strip() for tag in parser.meta.get("keywords", "").split(",") if tag.strip()],
    )


# --- Markdown ---------------------------------------------------------------------------------

FRONT_MATTER = re.compile(r"\A---\n(.*?)\n(?:---|\.\.\.)\n", re.S)


def parse_markdown(text: str, stem: str) -> ParsedDocument:
    """Headings become sections; front matter (YAML) gives author, date, source and tags."""
    meta: dict[str, Any] = {}
    match = FRONT_MATTER.match(text)
    if match:
        try:
            loaded = yaml.safe_load(match.group(1))
        except yaml.YAMLError:
            loaded = None
        meta = loaded if isinstance(loaded, dict) else {}
        text = text[match.end() :]
    html = markdown.markdown(_mark_structure_lines(text), extensions=["tables"])
    parser = html_sections(html)
    sections = parser.sections
    heading_title = _promote_title(sections)
    tags = meta.get("tags") or []
    if isinstance(tags, str):
        tags = tags.split(",")
    return ParsedDocument(
        title=heading_title or clip(str(meta.get("title") or ""), 300) or stem,
        source_format="markdown",
        sections=split_articles(sections),
        author=clip(str(meta.get("author") or ""), 200),
        date=parse_date(meta.get("date")),
        source=clip(str(meta.get("source") or ""), 500),
        tags=[str(tag).strip() for tag in tags if str(tag).strip()],
    )


def _mark_structure_lines(text: str) -> str:
    """Make a chapter line standing alone in a paragraph (第二章　党的组织制度) a Markdown heading."""
    lines = text.split("\n")
    for index, line in enumerate(lines):
        stripped = line.strip()
        match = STRUCTURE_LINE.match(stripped.replace("\u3000", " "))
        alone = (index == 0 or not lines[index - 1].strip()) and (
            index + 1 == len(lines) or not lines[index + 1].strip()
        )
        if match and alone:
            level = STRUCTURE_LEVELS[match.group(1)]
            lines[index] = "#" * level + " " + _normalise_heading(stripped)
    return "\n".join(lines)


# --- EPUB -------------------------------------------------------------------------------------

OPF_NS = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}
CONTAINER_NS = {"c": "urn:oasis:names:tc:opendocument:xmlns:container"}


def parse_epub(data: bytes, stem: str) -> ParsedDocument:
    """Read the OPF package: Dublin Core metadata, then the spine's XHTML files in reading order."""
    try:
        archive = zipfile.ZipFile(BytesIO(data))
    except zipfile.BadZipFile as error:
        raise ImportRefused(_("The EPUB file is damaged (it is not a ZIP archive).")) from error
    with archive:
        if sum(info.file_size for info in archive.infolist()) > MAX_EPUB_UNPACKED_BYTES:
            raise ImportRefused(_("The EPUB file is too large once unpacked."))
        try:
            container = ElementTree.fromstring(archive.read("META-INF/container.xml"))
            rootfile = container.find(".//c:rootfile", CONTAINER_NS)
            opf_path = rootfile.get("full-path") if rootfile is not None else None
            if not opf_path:
                raise KeyError("rootfile")
            package = ElementTree.fromstring(archive.read(opf_path))
            manifest = {
                item.get("id"): item.get("href")
                for item in package.findall("opf:manifest/opf:item", OPF_NS)
                if item.get("href")
            }
            spine = [item.get("idref") for item in package.findall("opf:spine/opf:itemref", OPF_NS)]
            base = posixpath.dirname(opf_path)
            sections: list[ParsedSection] = [ParsedSection("", 1)]
            for idref in spine:
                href = manifest.get(idref)
                if not href:
                    continue
                member = posixpath.normpath(posixpath.join(base, href.split("#")[0]))
                chapter = html_sections(decode_text(archive.read(member))).sections
                sections[-1].paragraphs.extend(chapter[0].paragraphs)
                sections.extend(chapter[1:])
        except (KeyError, ElementTree.ParseError) as error:
            raise ImportRefused(
                _("The EPUB file is damaged (its package description is missing).")
            ) from error
        except zipfile.BadZipFile as error:  # a bad checksum, or an entry larger than it declares
            raise ImportRefused(_("The EPUB file is damaged (it is not a ZIP archive).")) from error

    def dc(name: str) -> str:
        element = package.find(f"opf:metadata/dc:{name}", OPF_NS)
        return clip(element.text or "", 300) if element is not None and element.text else ""

    subjects = [
        element.text.strip() for element in package.findall("opf:metadata/dc:subject", OPF_NS) if element.text
    ]
    return ParsedDocument(
        title=dc("title") or _promote_title(sections) or stem,
        source_format="epub",
        sections=split_articles(sections),
        author=clip(dc("creator"), 200),
        date=parse_date(dc("date")),
        source=clip(dc("source") or dc("publisher"), 500),
        tags=subjects,
    )
