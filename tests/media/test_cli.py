"""`flask media import`: video files from disk are checked and kept like uploads."""

from sqlalchemy import select

from app.extensions import db
from app.media.models import Video, VideoStatus


def test_importing_video_files_adds_each_once(app, world, runner, clips, tmp_path):
    result = runner.invoke(args=["media", "import", str(clips["240p"]), "--user", "trainer"])
    assert result.exit_code == 0, result.output
    assert "added" in result.output
    again = runner.invoke(args=["media", "import", str(clips["240p"])])
    assert again.exit_code == 0 and "exists" in again.output
    with app.app_context():
        (video,) = db.session.scalars(select(Video))
        assert (video.status, video.uploaded_by.username) == (VideoStatus.READY, "trainer")
    assert clips["240p"].is_file(), "the source file is copied, never moved"


def test_a_file_that_is_not_a_video_is_refused_with_a_non_zero_exit(app, world, runner, tmp_path):
    fake = tmp_path / "lesson.mp4"
    fake.write_text("<html></html>")
    result = runner.invoke(args=["media", "import", str(fake)])
    assert result.exit_code != 0
    assert "refused" in result.output
    with app.app_context():
        assert db.session.scalars(select(Video)).first() is None


def test_an_unknown_uploader_is_refused(app, world, runner, clips):
    result = runner.invoke(args=["media", "import", str(clips["240p"]), "--user", "nobody"])
    assert result.exit_code != 0 and "nobody" in result.output
