"""What ``flask progress verify`` reports: a violation, one tab-separated line or one JSON object."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Violation:
    kind: str
    member: str  # the member's username
    object: str  # what is wrong, as "lesson:12", "course:3", "entry:40"
    detail: str
    member_id: int = 0

    def as_json(self) -> dict[str, str]:
        """The violation as ``--json`` prints it (the member by username only)."""
        return {"kind": self.kind, "member": self.member, "object": self.object, "detail": self.detail}

    def __str__(self) -> str:
        return f"{self.kind}\t{self.member}\t{self.object}\t{self.detail}"
