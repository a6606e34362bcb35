"""The simulated members and secretaries of benchmarks/load.py (a locustfile; locust runs it).

LOAD_PLAN names the JSON plan the seeding wrote (accounts, lesson and document ids); LOAD_OUT the
folder where, when the run stops, every request (start, end, name, status, error) and every
acknowledged heartbeat (member, interval, verified seconds the server answered) are written.

- Watchers play the load course's video lesson: they open the lesson page (its data-session is the
  viewing session) and report every ~10 s the stretch played since the previous report, in real time,
  with a rising sequence number, as app/static/js/player.js does.
- Readers open theory-library documents and search (the JSON API and the page).
- Quiz takers open the lesson's quiz, start an attempt, autosave their answers, submit, see the review.
- Secretaries open their unit's report (the JSON API) and its dashboard.
"""

import json
import os
import random
import re
import time
from pathlib import Path

from locust import HttpUser, between, constant_pacing, events, task

PLAN = json.loads(Path(os.environ["LOAD_PLAN"]).read_text(encoding="utf-8"))
OUT = Path(os.environ["LOAD_OUT"])
# Stretches longer than this are not claimed in one report (a paused player reports nothing).
MAX_STRETCH = 20.0
SEARCH_TERMS = ["党", "党员", "民主集中制", "义务", "权利", "纪律", "组织", "为人民服务", "学习", "章程"]

_members = iter(PLAN["members"])
_secretaries = iter(PLAN["secretaries"])
REQUESTS: list[list] = []
ACKS: list[list] = []

CSRF_FORM = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


@events.request.add_listener
def record_request(request_type, name, response_time, response_length, response=None, exception=None, **_kw):
    end = time.time()
    status = getattr(response, "status_code", 0) or 0
    error = None if exception is None else f"{type(exception).__name__}: {exception}"[:200]
    if status >= 400:  # the JSON API says why (a heartbeat refusal's reason)
        error = f"{error} {(getattr(response, 'text', '') or '')[:200]}"
    REQUESTS.append([round(end - response_time / 1000, 4), round(end, 4), name, status, error])


@events.test_stop.add_listener
def write_results(**_kw):
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "requests.json").write_text(json.dumps(REQUESTS))
    (OUT / "acks.json").write_text(json.dumps(ACKS))


class Account(HttpUser):
    abstract = True
    host = PLAN["base_url"]
    connection_timeout = 60.0
    network_timeout = 120.0
    pool = _members

    def on_start(self):
        self.username = next(self.pool)
        self.token = None
        self.login()

    def login(self) -> bool:
        page = self.client.get("/login", name="GET /login")
        found = CSRF_FORM.search(page.text or "")
        if not found:
            return False
        data = {"csrf_token": found.group(1), "username": self.username, "password": PLAN["password"]}
        answer = self.client.post("/login", data=data, name="POST /login")
        # The session is new after sign-in: the token comes from a page served to it.
        found = CSRF_META.search(answer.text or "")
        self.token = found.group(1) if found and "/logout" in answer.text else None
        return self.token is not None

    def signed_in(self) -> bool:
        return self.token is not None or self.login()


class Watcher(Account):
    """A member watching the video lesson: one heartbeat about every 10 s."""

    weight = 6
    wait_time = constant_pacing(10)

    def on_start(self):
        super().on_start()
        self.session_id = None
        if self.token:
            self.open_lesson()

    def open_lesson(self) -> None:
        lesson = PLAN["video_lesson"]
        page = self.client.get(f"/courses/{PLAN['course']}/lessons/{lesson}", name="GET lesson page")
        text = page.text or ""
        session, resume = (
            re.search(r'data-session="([^"]+)"', text),
            re.search(r'data-resume-at="([^"]+)"', text),
        )
        if page.status_code != 200 or not session:
            return
        found = CSRF_META.search(text)
        self.token = found.group(1) if found else self.token
        self.session_id, self.sequence = session.group(1), 0
        self.position = float(resume.group(1)) if resume else 0.0
        self.last = time.time()

    @task
    def heartbeat(self):
        if not self.signed_in():
            return
        if self.session_id is None:
            self.open_lesson()
            return
        now = time.time()
        if now - self.last < 1:  # locust runs the first task at once: the player has played nothing yet
            return
        stretch = round(min(now - self.last, MAX_STRETCH), 3)
        self.last = now
        if self.position + stretch > PLAN["video_duration"]:
            self.position = 0.0  # the end was reached: the member plays it again from the start
        start, end = round(self.position, 3), round(self.position + stretch, 3)
        self.sequence += 1
        body = {"start": start, "end": end, "session": self.session_id, "sequence": self.sequence}
        answer = self.client.post(
            f"/api/v1/lessons/{PLAN['video_lesson']}/heartbeat",
            json=body,
            headers={"X-CSRFToken": self.token},
            name="POST heartbeat",
        )
        self.position = end
        if answer.status_code == 200:
            figures = answer.json()
            ACKS.append([self.username, start, end, figures["verified_seconds"], time.time()])
        elif answer.status_code == 409 and "superseded" in (answer.text or ""):
            self.session_id = None  # reopen the lesson page, as a reload would


class Reader(Account):
    """A member reading the theory library and searching it."""

    weight = 2
    wait_time = between(3, 10)

    @task(3)
    def open_document(self):
        if self.signed_in():
            document = random.choice(PLAN["documents"])
            self.client.get(f"/library/documents/{document}", name="GET library document")

    @task(3)
    def search_api(self):
        if self.signed_in():
            self.client.get(
                "/api/v1/library/search", params={"q": random.choice(SEARCH_TERMS)}, name="GET search API"
            )

    @task(1)
    def search_page(self):
        if self.signed_in():
            self.client.get(
                "/library/search", params={"q": random.choice(SEARCH_TERMS)}, name="GET search page"
            )


class QuizTaker(Account):
    """A member taking the course's quiz, one step per task: start, autosave, submit (then again)."""

    weight = 2
    wait_time = between(3, 10)

    def on_start(self):
        super().on_start()
        self.attempt = None

    @task
    def step(self):
        if not self.signed_in():
            return
        if self.attempt is None:
            self.start_attempt()
        elif self.fields is not None and self.revision is not None and not self.saved:
            self.autosave()
        else:
            self.submit()

    def start_attempt(self):
        quiz = PLAN["quiz"]
        page = self.client.get(f"/quizzes/{quiz}", name="GET quiz page")
        found = CSRF_META.search(page.text or "")
        if page.status_code != 200 or not found:
            return
        taking = self.client.post(
            f"/quizzes/{quiz}/start", data={"csrf_token": found.group(1)}, name="POST quiz start"
        )
        attempt = re.search(r'data-attempt="(\d+)"', taking.text or "")
        if taking.status_code != 200 or not attempt:
            return
        self.attempt = int(attempt.group(1))
        revision = re.search(r'data-revision="(\d+)"', taking.text)
        self.revision = int(revision.group(1)) if revision else None
        self.fields = self.answers(taking.text)
        self.saved = False

    @staticmethod
    def answers(html: str) -> list[list[str]]:
        """One answer per question: the first option of a choice, "1" typed into a text field."""
        chosen: dict[str, str] = {}
        for tag in re.findall(r"<input[^>]*>", html):
            name, kind = re.search(r'name="(q-[^"]+)"', tag), re.search(r'type="([^"]+)"', tag)
            value = re.search(r'value="([^"]*)"', tag)
            if not name or not kind:
                continue
            if kind.group(1) in ("radio", "checkbox") and name.group(1) not in chosen:
                chosen[name.group(1)] = value.group(1)
            elif kind.group(1) == "text":
                chosen[name.group(1)] = "1"
        return [[name, value] for name, value in chosen.items()]

    def autosave(self):
        answer = self.client.post(
            f"/api/v1/quizzes/attempts/{self.attempt}/answers",
            json={"revision": self.revision, "fields": self.fields},
            headers={"X-CSRFToken": self.token},
            name="POST quiz autosave",
        )
        if answer.status_code == 200:
            self.revision = answer.json()["revision"]
        self.saved = True

    def submit(self):
        data = [("csrf_token", self.token), ("revision", str(self.revision or 0)), *map(tuple, self.fields)]
        self.client.post(f"/quizzes/attempts/{self.attempt}/submit", data=data, name="POST quiz submit")
        self.attempt = None


class Secretary(Account):
    """A branch secretary looking at the unit's figures."""

    fixed_count = PLAN["secretary_count"]
    wait_time = between(5, 15)
    pool = _secretaries

    def on_start(self):
        super().on_start()
        self.unit = PLAN["secretary_units"][self.username]

    @task(3)
    def report_api(self):
        if self.signed_in():
            self.client.get(f"/api/v1/org-units/{self.unit}/report", name="GET report API")

    @task(1)
    def dashboard(self):
        if self.signed_in():
            self.client.get(f"/reports/units/{self.unit}", name="GET report dashboard")
