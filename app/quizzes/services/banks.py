"""Question banks: categories, questions, GIFT and Excel imports and exports."""

import re
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.audit.services import record_audit
from app.auth.models import User
from app.extensions import db
from app.quizzes import excel, gift, usage
from app.quizzes.data import QuestionData
from app.quizzes.errors import QuizError
from app.quizzes.kinds import KINDS, get_kind
from app.quizzes.models import (
    Category,
    Question,
    QuestionBank,
    Quiz,
    QuizDrawRule,
    QuizQuestion,
    Response,
)

CATEGORY_SEPARATOR = "/"


@dataclass
class ImportReport:
    """What an import did: questions created, and every item refused with its line or row number."""

    created: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    strict: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


def _check_bank_name(name: str, bank: QuestionBank | None = None) -> None:
    if not name or len(name) > 100:
        raise QuizError(_("A bank name must have 1 to 100 characters."))
    existing = find_bank(name)
    if existing is not None and existing is not bank:
        raise QuizError(_("A question bank named “%(name)s” already exists.", name=name))


def create_bank(name: str, created_by: User | None, description: str = "") -> QuestionBank:
    name = name.strip()
    _check_bank_name(name)
    bank = QuestionBank(
        name=name, description=description.strip(), created_by_id=created_by.id if created_by else None
    )
    db.session.add(bank)
    db.session.commit()
    return bank


def find_bank(name: str) -> QuestionBank | None:
    return db.session.scalar(select(QuestionBank).where(QuestionBank.name == name.strip()))


def _quizzes_using(bank: QuestionBank) -> list[Quiz]:
    """The quizzes that ask the bank's questions or draw from its categories."""
    categories = select(Category.id).where(Category.bank_id == bank.id)
    from_slots = select(QuizQuestion.quiz_id).join(Question).where(Question.category_id.in_(categories))
    from_rules = select(QuizDrawRule.quiz_id).where(QuizDrawRule.category_id.in_(categories))
    return list(
        db.session.scalars(
            select(Quiz).where(Quiz.id.in_(from_slots.union(from_rules))).order_by(Quiz.title, Quiz.id)
        )
    )


def rename_bank(bank: QuestionBank, name: str, actor: User | None) -> None:
    """Rename a bank (names are unique); a course lesson's bank keeps the name its course finds it by."""
    name = name.strip()
    _check_bank_name(name, bank)
    if name == bank.name:
        return
    used = [quiz.id for quiz in _quizzes_using(bank)]
    if used and usage.bank_found_by_name(used):
        raise QuizError(
            _("This bank was made for a course lesson, which finds it by its name: it keeps its name.")
        )
    record_audit(actor, "quiz_bank.rename", "question_bank", bank.id, {"from": bank.name, "to": name})
    bank.name = name
    db.session.commit()


def delete_bank(bank: QuestionBank, actor: User | None) -> None:
    """Delete a bank with its categories and questions, unless a quiz or an attempt uses them."""
    used_by = _quizzes_using(bank)
    if used_by:
        raise QuizError(
            _(
                "The quiz “%(quiz)s” uses questions of this bank, so the bank is kept. "
                "Take them out of the quiz (or delete the quiz) first.",
                quiz=used_by[0].title,
            )
        )
    questions = bank_questions(bank)
    answered = db.session.scalar(
        select(Response.id).where(Response.question_id.in_([q.id for q in questions])).limit(1)
    )
    if answered:
        raise QuizError(_("Members have answered questions of this bank in attempts, so the bank is kept."))
    record_audit(
        actor, "quiz_bank.delete", "question_bank", bank.id, {"name": bank.name, "questions": len(questions)}
    )
    for question in questions:
        db.session.delete(question)
    db.session.flush()  # the questions go before their categories
    db.session.delete(bank)
    db.session.commit()


def set_bank_published(bank: QuestionBank, published: bool) -> None:
    bank.published = published
    db.session.commit()


def normalise_category_path(path: str) -> str:
    parts = [
        part.strip() for part in (path or "").replace("\\", CATEGORY_SEPARATOR).split(CATEGORY_SEPARATOR)
    ]
    return CATEGORY_SEPARATOR.join(part for part in parts if part)


def ensure_category(bank: QuestionBank, path: str) -> Category:
    """Return the category at ``path`` in ``bank``, creating missing levels (the caller commits)."""
    path = normalise_category_path(path)
    existing = _category_at(bank, path)
    if existing:
        return existing
    parent = None
    if CATEGORY_SEPARATOR in path:
        parent = ensure_category(bank, path.rsplit(CATEGORY_SEPARATOR, 1)[0])
    name = path.rsplit(CATEGORY_SEPARATOR, 1)[-1]  # "" is the bank's top level
    if len(name) > 200 or len(path) > 1000:
        raise QuizError(_("The category name “%(name)s” is too long.", name=name[:50]))
    category = Category(bank=bank, parent=parent, name=name, path=path)
    db.session.add(category)
    db.session.flush()
    return category


def _category_at(bank: QuestionBank, path: str) -> Category | None:
    if bank.id is None:
        return None
    return db.session.scalar(select(Category).where(Category.bank_id == bank.id, Category.path == path))


def default_title(text: str) -> str:
    """Name an untitled question after its text, as Moodle does."""
    plain = " ".join(re.sub(r"<[^>]*>", " ", text).split())
    return plain[:60] or _("Question")


def _check(data: QuestionData) -> None:
    kind = KINDS.get(data.kind)
    if kind is None:
        raise QuizError(_("Unknown question type “%(kind)s”.", kind=data.kind))
    problems = kind.validate(data.answers)
    if problems:
        raise QuizError(" ".join(problems))
    if not data.text.strip() and kind.answerable:
        raise QuizError(_("The question has no text."))
    if data.difficulty is not None and not 1 <= data.difficulty <= 5:
        raise QuizError(_("Difficulty runs from 1 (easy) to 5 (hard)."))


def _title(data: QuestionData) -> str:
    return (data.title or default_title(data.text))[:255]


def _add_question(bank: QuestionBank, data: QuestionData) -> Question:
    _check(data)
    question = Question(
        category=ensure_category(bank, data.category),
        kind=data.kind,
        title=_title(data),
        text=data.text,
        format=data.format,
        general_feedback=data.general_feedback,
        answers=data.answers,
        tags=list(data.tags),
        difficulty=data.difficulty,
        idnumber=data.idnumber,
        mark=1.0 if get_kind(data.kind).answerable else 0.0,
    )
    db.session.add(question)
    return question


def add_question(bank: QuestionBank, data: QuestionData) -> Question:
    question = _add_question(bank, data)
    db.session.commit()
    return question


def import_questions(
    bank: QuestionBank,
    items: list[QuestionData],
    errors: list[tuple[int, str]],
    lines: list[int],
    strict: bool,
) -> ImportReport:
    """Store ``items``; with ``strict`` a single bad item means nothing is stored."""
    report = ImportReport(errors=list(errors), strict=strict)
    checked = []
    for item, line in zip(items, lines, strict=True):
        try:
            _check(item)
        except QuizError as error:
            report.errors.append((line, error.message))
        else:
            checked.append(item)
    report.errors.sort()
    if strict and report.errors:
        return report
    try:
        for item in checked:
            _add_question(bank, item)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    report.created = len(checked)
    return report


def _from_gift(question: gift.GiftQuestion) -> QuestionData:
    return QuestionData(
        kind=question.kind,
        text=question.text,
        answers=question.answers,
        category=question.category,
        title=question.title,
        format=question.format,
        general_feedback=question.general_feedback,
        tags=question.tags,
        idnumber=question.idnumber,
        difficulty=question.difficulty,
    )


def import_gift(bank: QuestionBank, source: str, strict: bool = False) -> ImportReport:
    """Import a GIFT text; every item it cannot take is reported with its line number."""
    parsed = gift.parse_gift(source)
    items = [_from_gift(question) for question in parsed.questions]
    return import_questions(bank, items, parsed.errors, [q.line for q in parsed.questions], strict)


def decode_upload(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise QuizError(_("The file is not UTF-8 or GB18030 text."))


def bank_questions(bank: QuestionBank) -> list[Question]:
    """Every question of the bank, category by category."""
    return list(
        db.session.scalars(
            select(Question)
            .join(Category, Question.category_id == Category.id)
            .where(Category.bank_id == bank.id)
            .order_by(Category.path, Question.id)
        )
    )


def category_counts(bank: QuestionBank) -> list[tuple[Category, int]]:
    counts = dict(
        db.session.execute(
            select(Question.category_id, func.count(Question.id))
            .join(Category, Question.category_id == Category.id)
            .where(Category.bank_id == bank.id)
            .group_by(Question.category_id)
        ).all()
    )
    return [(category, counts.get(category.id, 0)) for category in bank.categories]


def export_gift(bank: QuestionBank) -> str:
    return gift.write_gift(bank_questions(bank))


def question_json(question: Question) -> dict[str, object]:
    """The `export-bank --json` shape of one question."""
    kind = get_kind(question.kind)
    answers = [kind.json_answer(answer) for answer in question.answers]
    return {
        "type": str(question.kind),
        "category": question.category.path,
        "title": question.title,
        "text": question.text,
        "format": question.format.value,
        "general_feedback": question.general_feedback,
        "answers": answers,
    }


def export_json(bank: QuestionBank) -> list[dict[str, object]]:
    return [question_json(question) for question in bank_questions(bank)]


def import_excel(bank: QuestionBank, data: bytes) -> ImportReport:
    """Import a spreadsheet; when any row is bad, nothing is written and every bad row is reported."""
    rows = excel.read_workbook(data)
    return import_questions(bank, rows.items, rows.errors, rows.rows, strict=True)


def export_excel(bank: QuestionBank) -> bytes:
    return excel.write_workbook(bank_questions(bank))


def question_gift(question: Question) -> str:
    """The question as a GIFT block, for editing it as text."""
    return gift.write_question(question)


def update_question(question: Question, data: QuestionData) -> None:
    """Replace a question by ``data`` (the structured editor and the GIFT editor both come here).

    Attempts keep the snapshot of the question they were started with, so an edit changes only
    attempts started after it.
    """
    _check(data)
    question.category = ensure_category(question.category.bank, data.category)
    question.kind, question.text, question.format = data.kind, data.text, data.format
    question.title = _title(data)
    question.general_feedback, question.answers = data.general_feedback, data.answers
    question.tags, question.idnumber, question.difficulty = list(data.tags), data.idnumber, data.difficulty
    question.mark = (question.mark or 1.0) if get_kind(data.kind).answerable else 0.0
    db.session.commit()


def update_question_from_gift(question: Question, source: str) -> None:
    """Replace a question by the one GIFT question in ``source``; it keeps its category."""
    parsed = gift.parse_gift(source)
    if parsed.errors:
        line, message = parsed.errors[0]
        raise QuizError(_("Line %(line)d: %(message)s", line=line, message=message))
    if len(parsed.questions) != 1:
        raise QuizError(_("Write exactly one question."))
    data = _from_gift(parsed.questions[0])
    data.category = question.category.path
    update_question(question, data)


def delete_question(question: Question) -> None:
    """Delete a question no quiz uses and no attempt has drawn (attempts refer to their questions)."""
    in_quiz = db.session.scalar(
        select(func.count(QuizQuestion.id)).where(QuizQuestion.question_id == question.id)
    )
    answered = db.session.scalar(select(func.count(Response.id)).where(Response.question_id == question.id))
    if in_quiz or answered:
        raise QuizError(_("This question is used by a quiz or an attempt, so it is kept."))
    db.session.delete(question)
    db.session.commit()
