"""Who may do what with question banks, quizzes and attempts: the one place for these rules.

Trainers and admins author banks and quizzes: a trainer manages the banks and quizzes they made,
an admin all of them (another trainer's answer 404). Every signed-in member takes published quizzes
and sees only their own attempts (other members' attempts answer 404, as if they did not exist).
"""

from sqlalchemy import Select, select

from app.auth.models import Role, User
from app.quizzes.models import Attempt, QuestionBank, Quiz

AUTHOR_ROLES = (Role.TRAINER, Role.ADMIN)


def can_author(user: User) -> bool:
    return user.is_authenticated and bool(user.roles.intersection(AUTHOR_ROLES))


def managed_banks(user: User) -> Select[tuple[QuestionBank]]:
    """Select the banks the user manages: their own, or all for an admin."""
    statement = select(QuestionBank)
    return statement if user.has_role(Role.ADMIN) else statement.where(QuestionBank.created_by_id == user.id)


def managed_quizzes(user: User) -> Select[tuple[Quiz]]:
    """Select the quizzes the user manages: their own, or all for an admin."""
    statement = select(Quiz)
    return statement if user.has_role(Role.ADMIN) else statement.where(Quiz.created_by_id == user.id)


def takeable_quizzes() -> Select[tuple[Quiz]]:
    """Select the quizzes members may take."""
    return select(Quiz).where(Quiz.published.is_(True))


def own_attempts(user: User) -> Select[tuple[Attempt]]:
    """Select the user's own attempts: the only ones a member may open, save or review."""
    return select(Attempt).where(Attempt.member_id == user.id)
