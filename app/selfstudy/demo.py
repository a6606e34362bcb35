"""The demo's pictures and videos and its self-study rule, loaded by `flask demo load` (idempotent).

A picture drawn here (never a third-party photo) and the demo course's clip as a library video, and a
self-study rule on the demo committee: a library video watched through earns hours (45 minutes of
video an hour, at most 8 a year).
"""

import io

from PIL import Image, ImageDraw
from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from app.library import resources
from app.library.models import Resource
from app.media.models import Video, VideoStatus
from app.org.services import ensure_unit_path
from app.selfstudy import services

DEMO_COLLECTION = "影像资料"
PICTURE_TITLE = "支部园地宣传栏（示例图片）"
VIDEO_TITLE = "党章学习入门：片头（示例视频）"


def _picture() -> bytes:
    """A 960×540 banner in the site's colours with a simple emblem (drawn, so it is ours)."""
    picture = Image.new("RGB", (960, 540), (183, 28, 28))
    draw = ImageDraw.Draw(picture)
    draw.rectangle((40, 40, 920, 500), outline=(255, 213, 79), width=8)
    draw.ellipse((380, 170, 580, 370), fill=(255, 213, 79))
    drawn = io.BytesIO()
    picture.save(drawn, format="PNG")
    return drawn.getvalue()


def load_demo_resources(committee_path: str) -> None:
    trainer = db.session.scalar(select(User).where(User.username == "trainer"))
    admin = db.session.scalar(select(User).where(User.username == "admin"))
    if trainer is None:
        return
    titles = set(db.session.scalars(select(Resource.title)))
    if PICTURE_TITLE not in titles:
        fields = resources.ResourceFields(
            PICTURE_TITLE, "支部党员活动室的宣传栏样式，供各支部布置园地时参考。", "支部建设", DEMO_COLLECTION
        )
        resources.add_image_resource(trainer, fields, _picture())
    video = db.session.scalar(
        select(Video).where(Video.status == VideoStatus.READY).order_by(Video.id).limit(1)
    )
    if VIDEO_TITLE not in titles and video is not None:
        fields = resources.ResourceFields(
            VIDEO_TITLE,
            "《党章学习入门》课程的片头，可在文库中单独观看，计入自学。",
            "党章学习",
            DEMO_COLLECTION,
        )
        resources.add_video_resource(trainer, fields, video.id)
    committee, _created = ensure_unit_path(committee_path)
    if services.nearest_rule(committee) is None:
        services.set_rule(committee, True, 45, "8", admin)
    db.session.commit()
