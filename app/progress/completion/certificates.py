"""Certificates for completed courses: a random verification code, a PDF with an embedded Chinese font.

The public verification page shows only the holder's name, the course, the date and the hours.
"""

import io
import secrets
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from app.auth.models import User
from app.courses.models import Course
from app.errors import DomainError
from app.extensions import db, insert_unless_taken
from app.progress.ledger import format_hours
from app.progress.models import Certificate
from app.progress.statements import add_statement

FONT_NAME = "CertificateFont"
CODE_BYTES = 10  # 80 random bits, written as 20 hex digits in groups of four


class CertificateError(DomainError):
    pass


def new_code() -> str:
    raw = secrets.token_hex(CODE_BYTES).upper()
    return "-".join(raw[index : index + 4] for index in range(0, len(raw), 4))


def issue_certificate(member: User, course: Course, hours: Decimal, now: datetime) -> Certificate:
    """Issue the member's certificate for the course once, and record the course as completed, in
    the caller's transaction (flushed): a concurrent request that issued it first keeps its own."""
    certificate_id = insert_unless_taken(
        Certificate,
        code=new_code(),
        user_id=member.id,
        course_id=course.id,
        holder_name=member.display_name,
        course_title=course.title,
        hours=hours,
        issued_at=now,
    )
    if certificate_id is not None:
        add_statement(
            member.id, "completed", "course", course.id, course.title, {"hours": str(hours)}, at=now
        )
        db.session.flush()
    certificate = certificate_for(member, course)
    assert certificate is not None  # inserted here or by the transaction that won
    return certificate


def certificate_for(member: User, course: Course) -> Certificate | None:
    return db.session.scalar(
        select(Certificate).where(Certificate.user_id == member.id, Certificate.course_id == course.id)
    )


def certificates_of(member: User) -> list[Certificate]:
    return list(
        db.session.scalars(
            select(Certificate).where(Certificate.user_id == member.id).order_by(Certificate.issued_at.desc())
        )
    )


def verify(code: str) -> Certificate | None:
    """The certificate with this code, or None (forged, mistyped or too long)."""
    code = (code or "").strip().upper()
    if not code or len(code) > 40:
        return None
    return db.session.scalar(select(Certificate).where(Certificate.code == code))


def register_font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    path = Path(current_app.config["CERTIFICATE_FONT_PATH"])
    if not path.is_file():
        current_app.logger.error("certificate font missing: %s", path)
        raise CertificateError(
            _(
                "The Chinese font for certificates is missing (%(path)s): install fonts-wqy-zenhei "
                "(make install does) or set CERTIFICATE_FONT_PATH.",
                path=str(path),
            )
        )
    # Registered once per process under a name that includes the path, so a changed setting applies.
    name = f"{FONT_NAME}-{abs(hash(str(path)))}"
    if name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(name, str(path), subfontIndex=0))
    return name


def render_pdf(certificate: Certificate, verify_url: str, issuer: str) -> bytes:
    """The certificate as an A4 landscape PDF with the font embedded (subset) in it."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfgen import canvas

    font = register_font()
    buffer = io.BytesIO()
    width, height = landscape(A4)
    pdf = canvas.Canvas(buffer, pagesize=(width, height))
    pdf.setTitle(f"{certificate.course_title} · {certificate.holder_name}")
    pdf.setStrokeColor(colors.HexColor("#b71c1c"))
    pdf.setLineWidth(6)
    pdf.rect(30, 30, width - 60, height - 60)
    pdf.setFillColor(colors.HexColor("#b71c1c"))
    pdf.setFont(font, 40)
    pdf.drawCentredString(width / 2, height - 130, "结业证书")
    pdf.setFillColor(colors.black)
    pdf.setFont(font, 22)
    pdf.drawCentredString(width / 2, height - 210, f"{certificate.holder_name} 同志")
    pdf.setFont(font, 18)
    pdf.drawCentredString(width / 2, height - 260, f"完成课程《{certificate.course_title}》的全部学习内容，")
    hours = format_hours(certificate.hours)
    pdf.drawCentredString(width / 2, height - 292, f"计 {hours} 学时，特发此证。")
    pdf.setFont(font, 14)
    pdf.drawCentredString(width / 2, 150, f"{issuer}    {certificate.issued_at:%Y年%m月%d日}")
    pdf.setFont(font, 11)
    pdf.drawCentredString(width / 2, 90, f"验证码 {certificate.code}    {verify_url}")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
