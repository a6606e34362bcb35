"""Searching the library: Chinese segmentation, ranking, filters, phrases, highlights, hostile input."""

import time

import pytest

from app.auth.models import Role
from app.library import index, services
from tests.factories.auth import make_user
from tests.factories.library import make_document


@pytest.fixture
def signed_in(app, client, auth):
    with app.app_context():
        make_user("member", (Role.MEMBER,))
    auth.login("member")
    return client


def ids(found):
    return [result["document_id"] for result in found["results"]]


def test_segmentation_finds_a_term_inside_running_text(app, signed_in, search_json):
    with app.app_context():
        note = make_document("组织原则笔记", "## 要点\n\n我们党始终坚持民主集中制的根本组织原则。").id
        make_document("其他笔记", "## 要点\n\n加强理论学习。")
    found = search_json(q="民主集中制")
    assert ids(found) == [note]
    assert found["results"][0]["section_anchor"] == "s1"
    assert "<mark>民主集中制</mark>" in found["results"][0]["snippet"]
    # Words inside a long word are indexed too: 集中 matches 民主集中制.
    assert ids(search_json(q="集中")) == [note]


def test_the_title_is_boosted_over_the_body(app, signed_in, search_json):
    with app.app_context():
        body_only = make_document("支部工作笔记", "## 一\n\n党员应当按时交纳党费。").id
        titled = make_document("党费交纳办法", "## 一\n\n按月交纳党费。").id
    assert ids(search_json(q="党费")) == [titled, body_only]


def test_quoted_phrases_match_adjacent_words_only(app, signed_in, search_json):
    with app.app_context():
        adjacent = make_document("甲", "## 一\n\nResolve in upholding democratic centralism.").id
        apart = make_document("乙", "## 一\n\nCentralism is democratic in spirit.").id
        chinese = make_document("丙", "## 一\n\n全党必须坚持民主集中制。").id
    assert sorted(ids(search_json(q="democratic centralism"))) == sorted([adjacent, apart])
    assert ids(search_json(q='"democratic centralism"')) == [adjacent]
    assert ids(search_json(q="“坚持民主集中制”")) == [chinese]
    assert ids(search_json(q='"民主集中制坚持"')) == []


def test_highlights_escape_the_text_around_the_marks(app, signed_in, search_json):
    with app.app_context():
        make_document("安全测试", "## 一\n\n1 < 2 学习党章 & 党规。")
    snippet = search_json(q="党章")["results"][0]["snippet"]
    assert snippet == "1 &lt; 2 学习<mark>党章</mark> &amp; 党规。"


def test_filters_by_collection_and_year_and_sort_by_date(app, signed_in, search_json):
    with app.app_context():
        old = make_document(
            "二〇一八年学习", "## 一\n\n学习宪法。", collection="学习资料", date="2018-03-11"
        ).id
        new = make_document(
            "二〇二三年学习", "## 一\n\n学习宪法。", collection="学习资料", date="2023-03-11"
        ).id
        law = make_document("宪法读本", "## 一\n\n学习宪法。", collection="党章党规", date="2020-01-01").id
        rules = services.find_collection("党章党规").id
    assert sorted(ids(search_json(q="宪法"))) == sorted([old, new, law])
    assert ids(search_json(q="宪法", collection=rules)) == [law]
    assert ids(search_json(q="宪法", collection="党章党规")) == [law]
    assert ids(search_json(q="宪法", year=2018)) == [old]
    assert ids(search_json(q="宪法", sort="date")) == [new, law, old]


def test_documents_are_counted_once_however_many_sections_match(app, signed_in, search_json):
    with app.app_context():
        long_then_best = make_document(
            "甲",
            "## 一\n\n很长的一段文字，其中提到党员一次，然后还有很多别的内容。\n\n## 二\n\n党员党员党员。",
        ).id
        make_document("乙", "## 一\n\n党员。")
    found = search_json(q="党员")
    assert found["total"] == 2
    assert found["results"][0]["document_id"] == long_then_best
    assert found["results"][0]["section_anchor"] == "s2"
    with app.app_context():
        for number in range(10):  # more matching documents than one page holds
            make_document(f"丙{number}", "## 一\n\n其中提到党员一次，还有别的内容。\n\n## 二\n\n党员党员。")
    assert search_json(q="党员")["total"] == 12


def test_a_phrase_s_total_counts_every_matching_document_beyond_the_first_pages(app, signed_in, search_json):
    # Enough title matches to fill the ranking depth: the body-only matches rank below all of them
    # and must still be counted.
    with app.app_context():
        for number in range(55):
            make_document(f"坚持民主集中制{number:02d}", "## 一\n\n坚持民主集中制。")
        for number in range(20):
            make_document(
                f"组织生活{number:02d}", "## 一\n\n" + "各级党组织加强学习。" * 30 + "坚持民主集中制。"
            )
        make_document("组织原则", "## 一\n\n民主集中制必须坚持。")
    found = search_json(q="“坚持民主集中制”")
    assert found["total"] == 75
    assert found["pages"] == 8


def test_ten_results_a_page(app, signed_in, search_json):
    with app.app_context():
        for number in range(23):
            make_document(f"笔记{number:02d}", f"## 一\n\n第{number}篇关于党性修养的体会。")
    first, third = search_json(q="党性修养"), search_json(q="党性修养", page=3)
    assert (first["total"], first["pages"], len(first["results"])) == (23, 3, 10)
    assert len(third["results"]) == 3
    assert not set(ids(first)) & set(ids(third))


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '"民主',
        '民主集中制"',
        "*",
        "党*",
        "*:*",
        "a* b* c* d* e*",
        "AND",
        "民主 AND OR NOT 集中",
        "title:(民主",
        "((((",
        "\\",
        "民" * 10_000,
        "democratic " * 2_000,
        "\x00\x01\x1b[31m民主\u202e\ufeff",
        "🙂",
        "' OR 1=1 --",
        "",
        "   ",
    ],
)
def test_hostile_queries_give_results_or_an_empty_state_never_an_error(app, signed_in, query):
    with app.app_context():
        make_document("民主集中制笔记", "## 一\n\n坚持民主集中制。democratic centralism")
    api = signed_in.get("/api/v1/library/search", query_string={"q": query})
    assert api.status_code == 200
    assert isinstance(api.get_json()["results"], list)
    page = signed_in.get("/library/search", query_string={"q": query})
    assert page.status_code == 200


def test_query_operators_are_plain_words_and_a_trailing_star_is_a_prefix(app, signed_in, search_json):
    with app.app_context():
        note = make_document("笔记", "## 一\n\n坚持民主集中制。Democratic centralism.").id
    assert ids(search_json(q="民主集中制 AND 坚持")) == [note]
    assert ids(search_json(q="民")) == []  # "民" alone is not a word of the text
    found = search_json(q="民*")  # a prefix: the indexed words starting with 民
    assert ids(found) == [note] and "<mark>民</mark>主集中制" in found["results"][0]["snippet"]
    assert ids(search_json(q="democra*")) == [note]
    assert ids(search_json(q="democratic?")) == [note]  # ? is plain punctuation
    assert ids(search_json(q="*")) == []


def timed_search(text: str) -> tuple[float, index.IndexResults]:
    started = time.perf_counter()
    found = index.search(text)
    return time.perf_counter() - started, found


def test_a_lone_star_and_broad_prefixes_answer_fast_with_a_bounded_expansion(app):
    words = [f"a{number:04d}" for number in range(3000)] + [
        f"党{chr(0x4E00 + n)}{chr(0x4E00 + n)}" for n in range(300)
    ]
    with app.app_context():
        make_document("词表", "## 一\n\n" + " ".join(words))
        with index.library_index().searcher() as searcher:
            expansions = index.expand(searcher.reader(), index.parse_query("a* 党* b*"))
        assert len(expansions.prefix["a"]) == index.MAX_EXPANSION  # not 3,000 words
        assert len(expansions.prefix["党"]) == index.MAX_EXPANSION
        assert expansions.prefix["b"] == []
        for text in ("a*", "党*", "a0* a1* a2* 党*", "a* " * 20, "*"):
            elapsed, found = timed_search(text)
            assert elapsed < 2.0, (text, elapsed)
            assert found.total == (0 if text == "*" else 1)


def test_a_partial_word_is_found_inside_longer_words_below_the_word_itself(app, signed_in, search_json):
    with app.app_context():
        inside = make_document("民主集中制学习", "## 一\n\n坚持民主集中制。民主集中制是党的根本组织原则。").id
        exact = make_document("学习心得", "## 一\n\n要实行民主集中的原则。").id
        make_document("其他", "## 一\n\n加强理论学习。")
    found = search_json(q="民主集中")  # jieba keeps 民主集中制 as one word: 民主集中 is inside it
    assert ids(found) == [exact, inside]  # the word itself first, despite the other's title
    assert found["total"] == 2
    assert "<mark>民主集中</mark>的原则" in found["results"][0]["snippet"]
    assert "坚持<mark>民主集中</mark>制" in found["results"][1]["snippet"]
    # A piece jieba does not know as a word, and a partial word next to a whole one.
    assert sorted(ids(search_json(q="主集"))) == sorted([inside, exact])  # in 民主集中(制)
    assert ids(search_json(q="民主集中 组织原则")) == [inside]
    assert ids(search_json(q='"坚持民主集中"')) == []  # phrases still match whole words only


def test_a_misspelt_word_gets_a_suggestion(app, signed_in, search_json):
    with app.app_context():
        make_document("英文", "## 一\n\nResolve in upholding democratic centralism.")
    found = search_json(q="centralsm")
    assert found["total"] == 0
    assert found["suggestion"] == "centralism"


def test_a_misspelt_chinese_term_gets_a_suggestion(app, signed_in, search_json):
    with app.app_context():
        make_document("组织原则", "## 一\n\n党是根据自己的纲领和章程，按照民主集中制组织起来的统一整体。")
    found = search_json(q="民主集种制")
    assert found["total"] == 0
    assert found["suggestion"] == "民主集中制"
    assert search_json(q="民主集中制")["total"] == 1


def test_the_search_page_shows_hits_linking_to_their_section(app, signed_in):
    with app.app_context():
        document = make_document("党员权利笔记", "## 总说\n\n引言。\n\n## 权利\n\n党员享有表决权。")
    page = signed_in.get("/library/search", query_string={"q": "表决权"}).get_data(as_text=True)
    assert f'href="/library/documents/{document.id}#s2"' in page
    assert 'data-total="1"' in page
    empty = signed_in.get("/library/search", query_string={"q": "不存在的词语组合"}).get_data(as_text=True)
    assert 'data-testid="no-results"' in empty


def test_the_api_needs_a_signed_in_user(client):
    assert client.get("/api/v1/library/search?q=党").status_code == 401


def test_the_cli_search_prints_the_api_json(app, runner):
    import json

    with app.app_context():
        document = make_document("民主集中制学习", "## 一\n\n坚持民主集中制。")
    result = runner.invoke(args=["library", "search", "民主集中制", "--json"])
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    assert found["results"][0]["document_id"] == document.id
    assert set(found["results"][0]) >= {
        "document_id",
        "title",
        "collection",
        "section_anchor",
        "snippet",
        "score",
    }


def test_parse_query_drops_control_characters_and_caps_the_length():
    parsed = index.parse_query("\x00民主\x07" + "党" * 5000)
    assert "\x00" not in parsed.text and len(parsed.text) <= index.MAX_QUERY_CHARS
    assert len(parsed.words) + len(parsed.phrases) <= index.MAX_QUERY_PARTS


def test_the_analyzer_numbers_positions_by_token_and_keeps_character_offsets():
    text = "坚持民主集中制。ＡＢＣ Democratic"
    tokens = [
        (token.text, token.pos, token.startchar, token.endchar)
        for token in index.ChineseTokenizer()(text, positions=True, chars=True)
    ]
    assert tokens[:4] == [
        ("坚持", 0, 0, 2),
        ("民主集中制", 1, 2, 7),
        ("abc", 2, 8, 11),
        ("democratic", 3, 12, 22),
    ]
    # The words inside 民主集中制 follow, numbered apart from every word so that no phrase uses them.
    inner = index.SUBWORD_POSITIONS + 2
    assert tokens[4:] == [("民主", inner, 2, 4), ("集中", inner, 4, 6), ("集中制", inner, 4, 7)]
    assert [token.text for token in index.ChineseTokenizer()(text, mode="query")] == [
        "坚持",
        "民主集中制",
        "abc",
        "democratic",
    ]


def test_phrases_match_whole_words_in_a_row_like_fts5(app, signed_in, search_json):
    with app.app_context():
        whole = make_document("甲", "## 一\n\n推动经济发展。").id
        make_document("乙", "## 一\n\n国民经济发展署。")  # 国民经济 | 发展署: both inside words
        make_document("丙", "## 一\n\n坚持民主集中制。")
    assert ids(search_json(q='"经济发展"')) == [whole]
    assert len(search_json(q="经济 发展")["results"]) == 2  # as words, the inner 经济 counts
    assert ids(search_json(q='"坚持集中"')) == []  # 集中 is inside 民主集中制, not next to 坚持


def test_a_passage_defining_the_term_ranks_its_document_first(app, signed_in, search_json):
    with app.app_context():
        mentions = make_document("工作要求", "## 一\n\n要做到廉洁自律，始终廉洁自律。").id
        defines = make_document(
            "学习笔记",
            "## 一\n\n" + "加强学习，提高认识。" * 20 + "\n\n## 二\n\n廉洁自律是共产党员的基本要求。",
        ).id
    found = search_json(q="廉洁自律")
    assert ids(found) == [defines, mentions]
    assert found["results"][0]["section_anchor"] == "s2"
    assert "<mark>廉洁自律</mark>是" in found["results"][0]["snippet"]
