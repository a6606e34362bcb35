"""The quiz pages over HTTP: trainers' banks and imports, members' quiz page, autosave and review."""

import io
import re
from datetime import datetime

from sqlalchemy import select

from app.auth.models import Role
from app.extensions import db
from app.quizzes.models import Attempt, AttemptStatus, Question, Response
from tests.factories.auth import make_user
from tests.factories.quizzes import make_quiz
from tests.web import csrf_token

GIFT = """::好题::党的宗旨是什么？{=全心全意为人民服务#对 ~为人民谋幸福#接近}

::坏题::缺右括号{=对 ~错

::又一好题::党员有选举权。{T}
"""


def start(client, quiz_id):
    token = csrf_token(client, f"/quizzes/{quiz_id}")
    response = client.post(f"/quizzes/{quiz_id}/start", data={"csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rsplit("/", 1)[1])


def page_state(client, attempt_id):
    html = client.get(f"/quizzes/attempts/{attempt_id}").get_data(as_text=True)
    revision = int(re.search(r'name="revision" value="(\d+)"', html).group(1))
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', html).group(1)
    return html, revision, token


def snapshot_ids(app, attempt_id):
    with app.app_context():
        return [item["question_id"] for item in db.session.get(Attempt, attempt_id).snapshot]


def test_members_cannot_open_question_banks(app, client, auth, people):
    auth.login("member")
    assert client.get("/quizzes/banks").status_code == 403
    assert client.get("/quizzes/manage").status_code == 403


def test_trainer_imports_gift_in_the_browser_and_sees_the_report(app, client, auth, people):
    auth.login("trainer")
    token = csrf_token(client, "/quizzes/banks")
    created = client.post("/quizzes/banks", data={"csrf_token": token, "name": "党章题库", "description": ""})
    bank_url = created.headers["Location"]
    token = csrf_token(client, bank_url)
    response = client.post(
        f"{bank_url}/import",
        data={"csrf_token": token, "file": (io.BytesIO(GIFT.encode()), "questions.gift")},
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.findall(r'data-testid="report-line">(\d+)<', html) == ["3"]
    with app.app_context():
        assert sorted(db.session.scalars(select(Question.title))) == ["又一好题", "好题"]
    exported = client.get(f"{bank_url}/export.gift")
    assert "::好题::" in exported.get_data(as_text=True)
    assert client.get(f"{bank_url}/export.xlsx").status_code == 200


def test_strict_browser_import_writes_nothing(app, client, auth, people):
    auth.login("trainer")
    token = csrf_token(client, "/quizzes/banks")
    bank_url = client.post("/quizzes/banks", data={"csrf_token": token, "name": "严格"}).headers["Location"]
    client.post(
        f"{bank_url}/import",
        data={
            "csrf_token": csrf_token(client, bank_url),
            "strict": "y",
            "file": (io.BytesIO(GIFT.encode()), "q.gift"),
        },
        content_type="multipart/form-data",
    )
    with app.app_context():
        assert db.session.scalar(select(Question.id)) is None


def test_the_quiz_page_never_shows_correct_answers_or_feedback(app, client, auth, people):
    with app.app_context():
        quiz_id = make_quiz(time_limit_minutes=20).id
    auth.login("member")
    attempt_id = start(client, quiz_id)
    html, _revision, _token = page_state(client, attempt_id)
    assert "实现共产主义" in html  # the options are there…
    for secret in ("这是阶段性目标", "党章总纲明确规定", "fraction", "一九二一"):
        assert secret not in html  # …but no feedback, weight or accepted answer
    # The server's clock counts down from the 20-minute limit (a loaded CI box may take a few seconds).
    seconds_left = int(re.search(r'data-seconds-left="(\d+)"', html).group(1))
    assert 1170 <= seconds_left <= 1200


def test_autosave_keeps_answers_and_a_reload_shows_them(app, client, auth, people):
    with app.app_context():
        quiz_id = make_quiz(time_limit_minutes=20).id
    auth.login("member")
    attempt_id = start(client, quiz_id)
    first, second, third = snapshot_ids(app, attempt_id)
    _html, revision, token = page_state(client, attempt_id)
    fields = [[f"q-{first}", "0"], [f"q-{second}", ""], [f"q-{second}", "1"], [f"q-{third}", "1921"]]
    saved = client.post(
        f"/api/v1/quizzes/attempts/{attempt_id}/answers",
        json={"revision": revision, "fields": fields},
        headers={"X-CSRFToken": token},
    )
    assert saved.status_code == 200, saved.json
    assert saved.json["revision"] == revision + 1
    html, new_revision, _token = page_state(client, attempt_id)
    assert new_revision == revision + 1
    assert f'name="q-{third}" value="1921"' in html
    assert re.search(rf'name="q-{first}" value="0" checked', html)


def test_autosave_without_the_csrf_header_is_refused(app, client, auth, people):
    with app.app_context():
        quiz_id = make_quiz().id
    auth.login("member")
    attempt_id = start(client, quiz_id)
    response = client.post(
        f"/api/v1/quizzes/attempts/{attempt_id}/answers", json={"revision": 0, "fields": []}
    )
    assert response.status_code == 400


def test_posting_a_score_field_is_refused_and_changes_nothing(app, client, auth, people):
    with app.app_context():
        quiz_id = make_quiz().id
    auth.login("member")
    attempt_id = start(client, quiz_id)
    first = snapshot_ids(app, attempt_id)[0]
    _html, revision, token = page_state(client, attempt_id)
    api = client.post(
        f"/api/v1/quizzes/attempts/{attempt_id}/answers",
        json={"revision": revision, "fields": [[f"q-{first}", "0"]], "score": 100},
        headers={"X-CSRFToken": token},
    )
    assert api.status_code == 400
    form = client.post(
        f"/quizzes/attempts/{attempt_id}/submit",
        data={"csrf_token": token, "revision": revision, f"q-{first}": "0", "score": "100"},
    )
    assert form.status_code == 302 and form.headers["Location"].endswith(f"/quizzes/attempts/{attempt_id}")
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert (attempt.status, attempt.score, attempt.revision) == (AttemptStatus.OPEN, None, 0)


def test_answers_to_a_question_not_in_the_attempt_are_refused_over_http(app, client, auth, people):
    with app.app_context():
        quiz_id = make_quiz().id
    auth.login("member")
    attempt_id = start(client, quiz_id)
    _html, revision, token = page_state(client, attempt_id)
    response = client.post(
        f"/api/v1/quizzes/attempts/{attempt_id}/answers",
        json={"revision": revision, "fields": [["q-999999", "0"]]},
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(Response.id).where(Response.response.is_not(None))) is None


def test_another_members_attempt_is_not_found(app, client, auth, people):
    with app.app_context():
        quiz_id = make_quiz().id
    auth.login("member")
    attempt_id = start(client, quiz_id)
    first = snapshot_ids(app, attempt_id)[0]
    auth.logout()
    auth.login("other")
    token = csrf_token(client, "/quizzes/")
    assert client.get(f"/quizzes/attempts/{attempt_id}").status_code == 404
    assert client.get(f"/quizzes/attempts/{attempt_id}/review").status_code == 404
    saved = client.post(
        f"/api/v1/quizzes/attempts/{attempt_id}/answers",
        json={"revision": 0, "fields": [[f"q-{first}", "0"]]},
        headers={"X-CSRFToken": token},
    )
    assert saved.status_code == 404
    submitted = client.post(
        f"/quizzes/attempts/{attempt_id}/submit", data={"csrf_token": token, "revision": 0}
    )
    assert submitted.status_code == 404
    with app.app_context():
        assert db.session.get(Attempt, attempt_id).revision == 0


def test_a_stale_tab_gets_a_friendly_refusal(app, client, auth, people):
    with app.app_context():
        quiz_id = make_quiz().id
    auth.login("member")
    attempt_id = start(client, quiz_id)
    first = snapshot_ids(app, attempt_id)[0]
    _html, revision, token = page_state(client, attempt_id)
    url = f"/api/v1/quizzes/attempts/{attempt_id}/answers"
    client.post(
        url, json={"revision": revision, "fields": [[f"q-{first}", "0"]]}, headers={"X-CSRFToken": token}
    )
    stale = client.post(
        url, json={"revision": revision, "fields": [[f"q-{first}", "1"]]}, headers={"X-CSRFToken": token}
    )
    assert stale.status_code == 409 and stale.json["reason"] == "stale"
    submitted = client.post(
        f"/quizzes/attempts/{attempt_id}/submit",
        data={"csrf_token": token, "revision": revision, f"q-{first}": "2"},
    )
    assert submitted.headers["Location"].endswith(f"/quizzes/attempts/{attempt_id}")
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt.status is AttemptStatus.OPEN
        assert next(r.response for r in attempt.responses if r.question_id == first) == 0


def test_member_submits_and_sees_the_review(app, client, auth, people):
    with app.app_context():
        quiz_id = make_quiz().id
    auth.login("member")
    attempt_id = start(client, quiz_id)
    first, second, third = snapshot_ids(app, attempt_id)
    _html, revision, token = page_state(client, attempt_id)
    response = client.post(
        f"/quizzes/attempts/{attempt_id}/submit",
        data={
            "csrf_token": token,
            "revision": revision,
            f"q-{first}": "0",
            f"q-{second}": ["", "0", "1"],
            f"q-{third}": "一九二一",
        },
    )
    assert response.headers["Location"].endswith(f"/quizzes/attempts/{attempt_id}/review")
    review = client.get(f"/quizzes/attempts/{attempt_id}/review").get_data(as_text=True)
    assert 'data-testid="score">3.0 / 3.0' in review
    assert 'data-passed="true"' in review
    assert "党章总纲明确规定" in review  # the explanation, now that the answers are revealed
    assert client.get(f"/quizzes/attempts/{attempt_id}").status_code == 302  # finished: no more answering


def test_daily_practice_explains_at_once_and_stores_nothing(app, client, auth, people):
    with app.app_context():
        make_quiz()  # its bank is published for practice
    auth.login("member")
    page = client.get("/quizzes/daily").get_data(as_text=True)
    ids = re.findall(r'name="ids" value="(\d+)"', page)
    assert len(ids) == 3
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    result = client.post("/quizzes/daily", data={"csrf_token": token, "ids": ids})
    html = result.get_data(as_text=True)
    assert html.count('data-testid="practice-row"') == 3
    assert "党章总纲明确规定" in html
    with app.app_context():
        assert db.session.scalar(select(Attempt.id)) is None


def test_daily_practice_refuses_questions_outside_published_banks(app, client, auth, people):
    with app.app_context():
        make_quiz()
        from app.quizzes.services import banks

        hidden = banks.create_bank("未发布", created_by=None)
        from tests.factories.quizzes import single

        secret_id = banks.add_question(hidden, single("未公开的题")).id
    auth.login("member")
    token = csrf_token(client, "/quizzes/daily")
    assert client.post("/quizzes/daily", data={"csrf_token": token, "ids": [secret_id]}).status_code == 404


def test_navigation_links(app, client, auth, people):
    auth.login("trainer")
    html = client.get("/quizzes/daily").get_data(as_text=True)
    assert 'href="/quizzes/banks"' in html and 'href="/quizzes/daily"' in html
    auth.logout()
    auth.login("member")
    html = client.get("/quizzes/daily").get_data(as_text=True)
    assert 'href="/quizzes/banks"' not in html and 'href="/quizzes/daily"' in html


def test_trainer_builds_and_publishes_a_quiz_through_the_pages(app, client, auth, people):
    with app.app_context():
        from app.quizzes.services import banks
        from tests.factories.quizzes import make_bank, single

        bank = make_bank()
        question_ids = [banks.add_question(bank, single(f"题{n}")).id for n in range(3)]
    auth.login("trainer")
    token = csrf_token(client, "/quizzes/manage")
    settings = {
        "csrf_token": token,
        "title": "七一测验",
        "mode": "fixed",
        "time_limit_minutes": "20",
        "attempts_allowed": "2",
        "pass_mark": "60",
        "reveal": "after_close",
        "shuffle_options": "y",
        "closes_at": "2030-07-01T18:00",  # typed in Beijing time
    }
    created = client.post("/quizzes/manage", data=settings)
    assert created.status_code == 302
    quiz_url = created.headers["Location"]
    page = client.get(quiz_url).get_data(as_text=True)
    assert "七一测验" in page
    # Publishing without questions is refused with a message, nothing changes.
    refused = client.post(quiz_url, data={**settings, "published": "y"})
    assert refused.status_code == 200
    client.post(
        f"{quiz_url}/questions",
        data={"csrf_token": token, "question_ids": [str(i) for i in question_ids[:2]]},
    )
    saved = client.post(quiz_url, data={**settings, "published": "y"})
    assert saved.status_code == 302
    with app.app_context():
        from app.quizzes.models import Quiz, RevealPolicy

        quiz = db.session.scalar(select(Quiz))
        assert (quiz.published, quiz.time_limit_minutes, quiz.reveal) == (True, 20, RevealPolicy.AFTER_CLOSE)
        assert quiz.closes_at == datetime(2030, 7, 1, 10, 0)  # stored in UTC
        assert [slot.question_id for slot in quiz.slots] == question_ids[:2]
    assert 'value="2030-07-01T18:00"' in client.get(quiz_url).get_data(as_text=True)
    assert client.get(f"{quiz_url}/statistics").status_code == 200
    assert client.get(f"{quiz_url}/results.xlsx").status_code == 200
    assert client.get(f"{quiz_url}/grading").status_code == 200
    auth.logout()
    auth.login("member")
    assert "七一测验" in client.get("/quizzes/").get_data(as_text=True)
    assert client.get(f"{quiz_url}/statistics").status_code == 403


def test_trainer_edits_a_question_as_gift_and_bad_gift_changes_nothing(app, client, auth, people):
    with app.app_context():
        from app.quizzes.services import banks
        from tests.factories.quizzes import make_bank, single

        question_id = banks.add_question(make_bank(), single("原题")).id
    auth.login("trainer")
    url = f"/quizzes/questions/{question_id}/edit"
    page = client.get(url).get_data(as_text=True)
    assert "原题{" in page
    token = csrf_token(client, url)
    gift_url = f"/quizzes/questions/{question_id}/gift"
    bad = client.post(gift_url, data={"csrf_token": token, "source": "::改::改后的题{=对 ~错"})
    assert bad.status_code == 200 and "<details open" in bad.get_data(
        as_text=True
    )  # the GIFT editor stays open
    good = client.post(gift_url, data={"csrf_token": token, "source": "::改::改后的题{=对 ~错 ~不知道}"})
    assert good.status_code == 302
    with app.app_context():
        question = db.session.get(Question, question_id)
        assert (question.title, question.text, len(question.answers)) == ("改", "改后的题", 3)
        assert question.category.path == "党章"
    client.post(f"/quizzes/questions/{question_id}/delete", data={"csrf_token": token})
    with app.app_context():
        assert db.session.get(Question, question_id) is None


def test_a_question_used_by_a_quiz_is_not_deleted(app, client, auth, people):
    with app.app_context():
        question_id = make_quiz().slots[0].question_id
    auth.login("trainer")
    token = csrf_token(client, f"/quizzes/questions/{question_id}/edit")
    client.post(f"/quizzes/questions/{question_id}/delete", data={"csrf_token": token})
    with app.app_context():
        assert db.session.get(Question, question_id) is not None


def test_trainer_grades_an_essay_on_the_grading_page(app, client, auth, people):
    from tests.factories.quizzes import essay, single, user

    with app.app_context():
        from app.quizzes.services import attempts

        quiz = make_quiz([single(), essay()], pass_mark=50)
        member = user(people["member"])
        attempt = attempts.start_attempt(quiz, member)
        first, second = (item["question_id"] for item in attempt.snapshot)
        attempts.submit_attempt(attempt, member, {str(first): 1, str(second): "我的体会"}, attempt.revision)
        quiz_id, attempt_id = quiz.id, attempt.id
    auth.login("member")
    assert 'data-testid="pending"' in client.get(f"/quizzes/attempts/{attempt_id}/review").get_data(
        as_text=True
    )
    auth.logout()
    auth.login("trainer")
    page = client.get(f"/quizzes/manage/{quiz_id}/grading").get_data(as_text=True)
    assert "我的体会" in page
    response_id = int(re.search(r'data-testid="essay-(\d+)"', page).group(1))
    token = csrf_token(client, f"/quizzes/manage/{quiz_id}/grading")
    client.post(
        f"/quizzes/responses/{response_id}/grade",
        data={"csrf_token": token, "fraction": "1", "comment": "好"},
    )
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert (attempt.score, attempt.needs_grading, attempt.passed) == (1.0, False, True)


def test_starting_beyond_the_attempts_allowed_is_refused(app, client, auth, people):
    with app.app_context():
        quiz_id = make_quiz(attempts_allowed=1).id
    auth.login("member")
    attempt_id = start(client, quiz_id)
    _html, revision, token = page_state(client, attempt_id)
    client.post(f"/quizzes/attempts/{attempt_id}/submit", data={"csrf_token": token, "revision": revision})
    intro = client.get(f"/quizzes/{quiz_id}").get_data(as_text=True)
    assert 'data-testid="no-attempts-left"' in intro
    refused = client.post(f"/quizzes/{quiz_id}/start", data={"csrf_token": token})
    assert refused.headers["Location"].endswith(f"/quizzes/{quiz_id}")
    with app.app_context():
        assert len(list(db.session.scalars(select(Attempt.id)))) == 1


def test_a_trainer_manages_only_their_own_banks_and_quizzes(app, client, auth, people):
    with app.app_context():
        quiz = make_quiz()
        quiz_id, question_id = quiz.id, quiz.slots[0].question_id
        bank_id = quiz.slots[0].question.category.bank_id
        make_user("trainer2", (Role.TRAINER,), "甲党委")
        make_user("boss", (Role.ADMIN,), unit_path=None)
    urls = [
        f"/quizzes/banks/{bank_id}",
        f"/quizzes/banks/{bank_id}/export.gift",
        f"/quizzes/manage/{quiz_id}",
        f"/quizzes/manage/{quiz_id}/statistics",
        f"/quizzes/questions/{question_id}/edit",
    ]
    auth.login("trainer2")
    assert [client.get(url).status_code for url in urls] == [404] * len(urls)
    token = csrf_token(client, "/quizzes/banks")
    assert (
        client.post(f"/quizzes/questions/{question_id}/delete", data={"csrf_token": token}).status_code == 404
    )
    assert "党章题库" not in client.get("/quizzes/banks").get_data(as_text=True)
    auth.logout()
    auth.login("boss")
    assert [client.get(url).status_code for url in urls] == [200] * len(urls)


def test_answers_saved_after_the_deadline_get_409_closed_with_the_review_link(app, client, auth, people):
    """docs/api.md: 409 "closed" (not 400) after the deadline or for a finished attempt; nothing saved."""
    with app.app_context():
        quiz_id = make_quiz(time_limit_minutes=20).id
    auth.login("member")
    attempt_id = start(client, quiz_id)
    first = snapshot_ids(app, attempt_id)[0]
    _html, revision, token = page_state(client, attempt_id)
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        attempt.deadline = datetime(2000, 1, 1)  # long past, by the server's clock
        db.session.commit()
    url = f"/api/v1/quizzes/attempts/{attempt_id}/answers"
    for _time in range(2):  # once the attempt closes at its deadline, and again once it is finished
        late = client.post(
            url, json={"revision": revision, "fields": [[f"q-{first}", "0"]]}, headers={"X-CSRFToken": token}
        )
        assert late.status_code == 409 and late.json["reason"] == "closed"
        assert late.json["review_url"].endswith(f"/quizzes/attempts/{attempt_id}/review")
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt.status is AttemptStatus.FINISHED
        assert db.session.scalar(select(Response.id).where(Response.response.is_not(None))) is None


def test_a_random_quiz_created_open_without_a_draw_rule_says_it_is_not_open_and_why(
    app, client, auth, people
):
    auth.login("trainer")
    settings = {
        "csrf_token": csrf_token(client, "/quizzes/manage"),
        "title": "随机测验",
        "mode": "random",
        "pass_mark": "60",
        "reveal": "after_close",
        "attempts_allowed": "1",
        "published": "y",
    }
    created = client.post("/quizzes/manage", data=settings)
    assert created.status_code == 302  # created, and the trainer is taken to it
    page = client.get(created.headers["Location"]).get_data(as_text=True)
    assert "测验已创建，但尚未向党员开放" in page and "请先添加随机抽题规则" in page
    assert 'data-testid="quiz-not-open"' in page
    with app.app_context():
        from app.quizzes.models import Quiz

        assert db.session.scalar(select(Quiz)).published is False
