"""The shared Markdown renderer: rich formatting survives, every script vector is removed."""

import re

import pytest
from markupsafe import Markup

from app.markup import render_markdown

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<svg/onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<body onload=alert(1)>",
    "<iframe src=javascript:alert(1)></iframe>",
    "<object data=javascript:alert(1)></object>",
    "<embed src=javascript:alert(1)>",
    "<a href=javascript:alert(1)>x</a>",
    "<a href='JaVaScRiPt:alert(1)'>x</a>",
    "<a href='&#106;avascript:alert(1)'>x</a>",
    "<a href=' javascript:alert(1)'>x</a>",
    "<a href='java\tscript:alert(1)'>x</a>",
    "<a href='vbscript:msgbox(1)'>x</a>",
    "<a href='data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=='>x</a>",
    "<img src='data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+'>",
    "[click](javascript:alert(1))",
    "[click](JAVASCRIPT:alert(1))",
    "[click](data:text/html,<script>alert(1)</script>)",
    "![x](javascript:alert(1))",
    "![x](data:image/png;base64,iVBORw0KGgo=)",
    "[x]: javascript:alert(1)\n\n[link][x]",
    "<div style='background:url(javascript:alert(1))'>x</div>",
    "<p onclick=alert(1) onmouseover=alert(1)>x</p>",
    "<details open ontoggle=alert(1)>",
    "<form action=javascript:alert(1)><button>x</button></form>",
    "<input autofocus onfocus=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<base href=javascript:alert(1)//>",
    "<meta http-equiv=refresh content='0;url=javascript:alert(1)'>",
    "<link rel=stylesheet href=javascript:alert(1)>",
    "<!--<img src=x onerror=alert(1)>-->",
    "<a href='#' onclick='alert(1)'>x</a>",
    "```\n</code></pre><script>alert(1)</script>\n```",
    "| a |\n|---|\n| <img src=x onerror=alert(1)> |",
    '!!! note "<script>alert(1)</script>"\n    x',
]

FORBIDDEN = [
    re.compile(r"<\s*script", re.I),
    re.compile(r"\son[a-z]+\s*=", re.I),
    re.compile(r"(href|src|action)\s*=\s*[\"']?\s*(javascript|vbscript|data):", re.I),
    re.compile(r"<\s*(iframe|object|embed|svg|math|form|input|base|meta|link|style|body|details)\b", re.I),
    re.compile(r"style\s*=", re.I),
]


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_no_script_vector_survives_rendering(payload):
    html = str(render_markdown(payload))
    for pattern in FORBIDDEN:
        assert not pattern.search(html), f"{pattern.pattern!r} in {html!r}"


def test_the_result_is_markup_safe_to_put_in_a_template():
    assert isinstance(render_markdown("**粗体**"), Markup)
    assert render_markdown("") == Markup("")


def test_tables_fenced_code_footnotes_toc_and_admonitions_render():
    text = (
        "[TOC]\n\n## 党的性质\n\n| 要点 | 内容 |\n|---|---|\n| 宗旨 | 为人民服务 |\n\n"
        "```python\nprint('hi')\n```\n\n正文[^1]\n\n[^1]: 注释\n\n!!! note \"提示\"\n    注意。\n"
    )
    html = str(render_markdown(text))
    assert '<div class="toc">' in html and 'href="#党的性质"' in html
    assert "<table>" in html and "<td>为人民服务</td>" in html
    assert '<code class="language-python">' in html
    assert 'class="footnote-ref"' in html and 'id="fn:1"' in html
    assert '<div class="admonition note">' in html and "注意。" in html


def test_ordinary_links_and_images_are_kept_with_safe_rel():
    html = str(render_markdown("[党建网](https://www.dangjian.cn) ![图](images/a.png) <mailto:a@b.cn>"))
    assert 'href="https://www.dangjian.cn"' in html and 'rel="noopener noreferrer nofollow"' in html
    assert 'src="images/a.png"' in html
    assert "mailto:a@b.cn" in html
