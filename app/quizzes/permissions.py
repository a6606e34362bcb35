"""Who may do what with question banks, quizzes and attempts: the one place for these rules.

Trainers and admins author banks and quizzes; every signed-in member takes published quizzes and
sees only their own attempts (other members' attempts answer 404, as if they did not exist).
"""

from sqlalchemy import Select, select

from app.auth.models import Role, User
from app.quizzes.models import Attempt, Quiz

AUTHOR_ROLES = (Role.TRAINER, Role.ADMIN)


def can_author(user: User) -> bool:
    return user.is_authenticated and bool(user.roles.intersection(AUTHOR_ROLES))


def takeable_quizzes() -> Select[tuple[Quiz]]:
    """Select the quizzes members may take."""
    return select(Quiz).where(Quiz.published.is_(True))


def own_attempts(user: User) -> Select[tuple[Attempt]]:
    """Select the user's own attempts: the only ones a member may open, save or review."""
    return select(Attempt).where(Attempt.member_id == user.id)
