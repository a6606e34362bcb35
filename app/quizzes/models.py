"""Question banks with nested categories, questions, quizzes, attempts and their responses."""

import enum
import re
from datetime import datetime

from flask_babel import gettext
from sqlalchemy import JSON, Dialect, ForeignKey, Index, String, Text, TypeDecorator, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.extensions import Model, str_enum
from app.quizzes.answers import ResponseValue, SnapshotItem, StoredAnswer
from app.timeutil import utcnow


class QuestionKind(enum.StrEnum):
    """The names of the built-in question kinds (app/quizzes/kinds); a kind added by a module of that
    package has a plain string name."""

    SINGLE = "single"
    MULTIPLE = "multiple"
    TRUEFALSE = "truefalse"
    SHORTANSWER = "shortanswer"
    NUMERICAL = "numerical"
    MATCHING = "matching"
    ESSAY = "essay"
    DESCRIPTION = "description"


class KindName(TypeDecorator[str]):
    """A question kind's name (VARCHAR(20), as the column was created): a built-in kind loads as its
    QuestionKind member, a kind added since as its plain name."""

    impl = String(20)
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else str(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        try:
            return QuestionKind(value)
        except ValueError:
            return value


class TextFormat(enum.StrEnum):
    MOODLE = "moodle"
    HTML = "html"
    MARKDOWN = "markdown"
    PLAIN = "plain"


class QuizMode(enum.StrEnum):
    FIXED = "fixed"  # the questions listed on the quiz, in order
    RANDOM = "random"  # N questions drawn per category at the start of each attempt


class RevealPolicy(enum.StrEnum):
    AFTER_SUBMIT = "after_submit"  # answers and feedback as soon as the attempt is finished
    AFTER_CLOSE = "after_close"  # only once the quiz has closed (exams)
    SCORE_ONLY = "score_only"  # the score, never the answers
    NEVER = "never"


class AttemptStatus(enum.StrEnum):
    OPEN = "open"
    FINISHED = "finished"


# The name app/courses/quiz_link.py gives the bank of a quiz lesson's GIFT text.
LESSON_BANK_NAME = re.compile(r"[a-z0-9-]*/[\w-]+/[\w-]+@[0-9a-f]{10}")


class QuestionBank(Model):
    __tablename__ = "question_banks"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    # Published banks feed 每日一练 (daily practice).
    published: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    categories: Mapped[list["Category"]] = relationship(
        back_populates="bank", cascade="all, delete-orphan", order_by="Category.path"
    )

    @property
    def made_for_lesson(self) -> bool:
        """Made from a course's quiz lesson: named "<course>/<module>/<lesson>@<hash of its GIFT>"."""
        return bool(LESSON_BANK_NAME.fullmatch(self.name)) and bool(self.description)

    @property
    def display_name(self) -> str:
        """What trainers read: a lesson's bank shows the lesson's title, not its identifying name."""
        if self.made_for_lesson:
            return gettext("%(lesson)s (course quiz)", lesson=self.description)
        return self.name


class Category(Model):
    """A node of a bank's category tree; ``path`` is the full name path such as "党史/新民主主义革命"."""

    __tablename__ = "question_categories"
    __table_args__ = (UniqueConstraint("bank_id", "path", name="uq_question_categories_bank_path"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("question_banks.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("question_categories.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    path: Mapped[str] = mapped_column(String(1000))

    bank: Mapped[QuestionBank] = relationship(back_populates="categories")
    parent: Mapped["Category | None"] = relationship(remote_side=[id])
    questions: Mapped[list["Question"]] = relationship(back_populates="category", order_by="Question.id")


class Question(Model):
    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("question_categories.id"), index=True)
    kind: Mapped[str] = mapped_column(KindName())  # a registered kind's name (app/quizzes/kinds)
    title: Mapped[str] = mapped_column(String(255), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    format: Mapped[TextFormat] = mapped_column(str_enum(TextFormat), default=TextFormat.MOODLE)
    general_feedback: Mapped[str] = mapped_column(Text, default="")
    # Kind-specific answers: see app/quizzes/answers.py for each kind's shape.
    answers: Mapped[list[StoredAnswer]] = mapped_column(JSON, default=list)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    difficulty: Mapped[int | None]  # 1 (easy) … 5 (hard)
    idnumber: Mapped[str | None] = mapped_column(String(100))  # GIFT's "[id:…]"
    mark: Mapped[float] = mapped_column(default=1.0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    category: Mapped[Category] = relationship(back_populates="questions")


class Quiz(Model):
    """A quiz or exam; a course lesson refers to it by ``id`` (the quiz knows nothing of courses)."""

    __tablename__ = "quizzes"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    mode: Mapped[QuizMode] = mapped_column(str_enum(QuizMode), default=QuizMode.FIXED)
    shuffle_questions: Mapped[bool] = mapped_column(default=False)
    shuffle_options: Mapped[bool] = mapped_column(default=True)
    time_limit_minutes: Mapped[int | None]
    opens_at: Mapped[datetime | None]
    closes_at: Mapped[datetime | None]
    attempts_allowed: Mapped[int] = mapped_column(default=1)  # 0: unlimited
    pass_mark: Mapped[float] = mapped_column(default=60.0)  # percent
    reveal: Mapped[RevealPolicy] = mapped_column(str_enum(RevealPolicy), default=RevealPolicy.AFTER_SUBMIT)
    published: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    slots: Mapped[list["QuizQuestion"]] = relationship(
        back_populates="quiz", cascade="all, delete-orphan", order_by="QuizQuestion.position"
    )
    draw_rules: Mapped[list["QuizDrawRule"]] = relationship(
        back_populates="quiz", cascade="all, delete-orphan", order_by="QuizDrawRule.id"
    )


class QuizQuestion(Model):
    """A fixed question of a quiz, at its position."""

    __tablename__ = "quiz_questions"
    __table_args__ = (UniqueConstraint("quiz_id", "question_id", name="uq_quiz_questions_quiz_question"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)

    quiz: Mapped[Quiz] = relationship(back_populates="slots")
    question: Mapped[Question] = relationship()


class QuizDrawRule(Model):
    """Draw ``count`` random questions from a category (and its sub-categories) for each attempt."""

    __tablename__ = "quiz_draw_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id", ondelete="CASCADE"), index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("question_categories.id"), index=True)
    count: Mapped[int]

    quiz: Mapped[Quiz] = relationship(back_populates="draw_rules")
    category: Mapped[Category] = relationship()


class Attempt(Model):
    """One member's attempt: a snapshot of the drawn questions, the server's deadline, the grade.

    The unique (quiz, member, number) key lets each attempt number exist once, and the partial unique
    index lets a member have one open attempt per quiz: concurrent starts cannot open two attempts or
    more than the quiz allows, on SQLite and PostgreSQL alike.
    """

    __tablename__ = "quiz_attempts"
    __table_args__ = (
        UniqueConstraint("quiz_id", "member_id", "number", name="uq_quiz_attempts_quiz_member_number"),
        Index(
            "uq_quiz_attempts_one_open",
            "quiz_id",
            "member_id",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    number: Mapped[int]
    status: Mapped[AttemptStatus] = mapped_column(str_enum(AttemptStatus), default=AttemptStatus.OPEN)
    started_at: Mapped[datetime]
    deadline: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    # Bumped on every save: a tab holding an older revision cannot overwrite newer answers.
    revision: Mapped[int] = mapped_column(default=0)
    # [{"question_id", "kind", "title", "text", "format", "general_feedback", "answers", "mark",
    #   "order": [option indexes as shown]}]
    snapshot: Mapped[list[SnapshotItem]] = mapped_column(JSON)
    score: Mapped[float | None]
    max_score: Mapped[float] = mapped_column(default=0.0)
    passed: Mapped[bool | None]
    needs_grading: Mapped[bool] = mapped_column(default=False)

    quiz: Mapped[Quiz] = relationship()
    member: Mapped[User] = relationship()
    responses: Mapped[list["Response"]] = relationship(
        back_populates="attempt", cascade="all, delete-orphan", order_by="Response.position"
    )


class Response(Model):
    """A member's answer to one question of an attempt, with its grade (fraction of the mark)."""

    __tablename__ = "quiz_responses"
    __table_args__ = (
        UniqueConstraint("attempt_id", "question_id", name="uq_quiz_responses_attempt_question"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempts.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    position: Mapped[int]
    response: Mapped[ResponseValue] = mapped_column(JSON(none_as_null=True))  # no answer is SQL NULL
    fraction: Mapped[float | None]  # None: not graded yet (essays wait for a trainer)
    saved_at: Mapped[datetime | None]
    graded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    grader_comment: Mapped[str] = mapped_column(Text, default="")

    attempt: Mapped[Attempt] = relationship(back_populates="responses")
