"""Import every domain's models so the metadata (and Alembic) knows all tables."""

from app.assessment.models import AssessmentTarget, ManualValue, PdcaNote
from app.audit.models import AuditEvent
from app.auth.models import RoleGrant, User
from app.courses.models import Assignment, Course, CourseRevision, CourseTag, Enrolment, Lesson, Module
from app.discussions.models import Post, PostReport, ReplyMark
from app.library.models import Collection, Document, ReadingPosition, Resource, Section
from app.live.models import LiveAttendance, LiveBroadcast, LiveQuestion, LiveStream
from app.media.models import Image, Rendition, Video
from app.notices.models import (
    GroupRobot,
    Notice,
    NoticeAttachment,
    NoticeDelivery,
    NoticeReceipt,
    NoticeReminder,
    NoticeRevision,
)
from app.offline.models import OfflineGrant, OfflinePlay, OfflineSetting, OfflineUpload, OnlineSpan
from app.org.models import MembershipChange, OrgUnit
from app.progress.models import (
    Attendance,
    Certificate,
    HeartbeatRefusal,
    HourEntry,
    HourRule,
    LessonProgress,
    Statement,
    StudySession,
    Target,
    VideoProgress,
    Viewer,
)
from app.quizzes.models import (
    Attempt,
    Category,
    Question,
    QuestionBank,
    Quiz,
    QuizDrawRule,
    QuizQuestion,
    Response,
)
from app.reports.models import Reminder, ReportRun, ReportSchedule
from app.selfstudy.models import ResourceWatch, SelfStudyRule

__all__ = ["MembershipChange", "OrgUnit", "RoleGrant", "User"]
__all__ += [
    "Attempt",
    "Category",
    "Question",
    "QuestionBank",
    "Quiz",
    "QuizDrawRule",
    "QuizQuestion",
    "Response",
]
__all__ += [
    "Assignment",
    "Course",
    "CourseRevision",
    "CourseTag",
    "Enrolment",
    "Lesson",
    "LessonProgress",
    "Module",
]
__all__ += ["Rendition", "Video"]
__all__ += ["Collection", "Document", "ReadingPosition", "Section"]
__all__ += ["Attendance", "Certificate", "HourEntry", "HourRule", "Statement", "StudySession", "Target"]
__all__ += ["AuditEvent", "Notice", "NoticeAttachment", "NoticeReceipt", "NoticeReminder", "NoticeRevision"]
__all__ += ["GroupRobot", "NoticeDelivery"]
__all__ += ["Post", "PostReport", "ReplyMark"]
__all__ += ["HeartbeatRefusal", "VideoProgress", "Viewer"]
__all__ += ["Reminder", "ReportRun", "ReportSchedule"]
__all__ += ["LiveAttendance", "LiveBroadcast", "LiveQuestion", "LiveStream"]
__all__ += ["Image", "Resource", "ResourceWatch", "SelfStudyRule"]
__all__ += ["AssessmentTarget", "ManualValue", "PdcaNote"]
__all__ += ["OfflineGrant", "OfflinePlay", "OfflineSetting", "OfflineUpload", "OnlineSpan"]
