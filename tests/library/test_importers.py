"""Importers keep each document's chapter and section structure, from every supported format."""

import io
import zipfile
from datetime import date

import pytest

from app.library.importers import ImportRefused, parse_file


def headings(parsed):
    return [section.heading for section in parsed.sections]


def test_markdown_headings_become_sections_and_front_matter_gives_metadata():
    text = """---
title: 关于民主集中制的学习笔记
author: 示范党委宣传部
date: 2024-07-01
source: 本站原创
tags: [组织制度, 学习笔记]
---

开篇的话。

## 一、什么是民主集中制

民主基础上的**集中**。

### 具体要求

少数服从多数。
"""
    parsed = parse_file("note.md", text.encode())
    assert parsed.title == "关于民主集中制的学习笔记"
    assert (parsed.author, parsed.date, parsed.source) == ("示范党委宣传部", date(2024, 7, 1), "本站原创")
    assert parsed.tags == ["组织制度", "学习笔记"]
    assert headings(parsed) == ["", "一、什么是民主集中制", "具体要求"]
    assert parsed.sections[1].paragraphs == ["民主基础上的集中。"]
    assert parsed.sections[2].level > parsed.sections[1].level


def test_a_leading_heading_is_the_title_and_chapter_lines_are_headings():
    text = "# 中华人民共和国示范法\n\n2018年3月20日 通过\n\n第一章　总则\n\n第一条 为了示范。\n\n第二章 附则\n\n第二条 本法施行。\n"
    parsed = parse_file("示范法.md", text.encode())
    assert parsed.title == "中华人民共和国示范法"
    assert parsed.date == date(2018, 3, 20)
    assert headings(parsed) == ["", "第一章 总则", "第二章 附则"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_plain_text_in_utf8_or_gb18030_with_chapters_and_sections(encoding):
    text = "党支部工作条例（示范）\n\n第一章 总则\n第一条 为了加强党支部建设，制定本条例。\n第二条 党支部是党的基础组织。\n\n第二章 组织设置\n第一节 设立\n第三条 党员人数三人以上的，成立党支部。\n"
    parsed = parse_file("条例.txt", text.encode(encoding))
    assert parsed.title == "党支部工作条例（示范）"
    assert headings(parsed) == ["第一章 总则", "第二章 组织设置", "第一节 设立"]
    assert parsed.sections[0].paragraphs == [
        "第一条 为了加强党支部建设，制定本条例。",
        "第二条 党支部是党的基础组织。",
    ]


def test_plain_text_without_chapters_gets_one_section_per_article():
    text = "示范规定\n\n第一条 第一项规定。\n第二条 第二项规定。\n第三条 第三项规定。\n"
    parsed = parse_file("规定.txt", text.encode("gb18030"))
    assert headings(parsed) == ["第一条", "第二条", "第三条"]


def test_html_headings_and_meta_are_read_and_scripts_ignored():
    html = """<html><head><title>页面标题</title><meta name="author" content="宣传部">
    <meta name="date" content="2023-05-04"><script>alert(1)</script></head><body>
    <nav>菜单</nav><h1>学习资料</h1><p>导语 &amp; 说明</p><h2>第一部分</h2><p>第一段</p><p>第二段<br>换行</p>
    <h2>第二部分</h2><ul><li>要点一</li><li>要点二</li></ul></body></html>"""
    parsed = parse_file("page.html", html.encode())
    assert parsed.title == "学习资料"
    assert (parsed.author, parsed.date) == ("宣传部", date(2023, 5, 4))
    assert headings(parsed) == ["", "第一部分", "第二部分"]
    assert parsed.sections[0].paragraphs == ["导语 & 说明"]
    assert parsed.sections[2].paragraphs == ["要点一", "要点二"]
    assert "alert" not in str(parsed.sections) and "菜单" not in str(parsed.sections)


def build_epub(chapters: dict[str, str], spine: list[str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/epub+zip")
        archive.writestr(
            "META-INF/container.xml",
            '<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">'
            '<rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>'
            "</rootfiles></container>",
        )
        items = "".join(
            f'<item id="{name}" href="text/{name}.xhtml" media-type="application/xhtml+xml"/>'
            for name in chapters
        )
        refs = "".join(f'<itemref idref="{name}"/>' for name in spine)
        archive.writestr(
            "OEBPS/content.opf",
            '<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0">'
            '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>示范读本</dc:title>'
            "<dc:creator>编写组</dc:creator><dc:date>2021-06-30</dc:date><dc:subject>党史</dc:subject></metadata>"
            f"<manifest>{items}</manifest><spine>{refs}</spine></package>",
        )
        for name, body in chapters.items():
            archive.writestr(f"OEBPS/text/{name}.xhtml", f"<html><body>{body}</body></html>")
    return buffer.getvalue()


def test_epub_chapters_follow_the_spine_order():
    data = build_epub(
        {"b": "<h1>第二篇</h1><p>后面的内容</p>", "a": "<h1>第一篇</h1><p>前面的内容</p>"}, spine=["a", "b"]
    )
    parsed = parse_file("book.epub", data)
    assert (parsed.title, parsed.author, parsed.date, parsed.tags) == (
        "示范读本",
        "编写组",
        date(2021, 6, 30),
        ["党史"],
    )
    assert headings(parsed) == ["第一篇", "第二篇"]
    assert parsed.sections[1].paragraphs == ["后面的内容"]


@pytest.mark.parametrize(
    ("filename", "data"),
    [
        ("slides.pptx", b"PK\x03\x04"),
        ("empty.md", b"   \n"),
        ("binary.txt", bytes(range(256)) * 4),
        ("broken.epub", b"not a zip"),
        ("hollow.epub", build_epub({}, spine=[])),
        ("only-headings.md", b"# A\n\n## B\n"),
    ],
)
def test_unreadable_files_are_refused_with_a_reason(filename, data):
    with pytest.raises(ImportRefused) as refused:
        parse_file(filename, data)
    assert refused.value.reason
