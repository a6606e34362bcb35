"""The media domain's background jobs: thin huey wrappers over the services."""

from app.jobs import app_task, on_worker_start
from app.media import services


@app_task()
def transcode_video(video_id: int, token: str) -> None:
    """Make a video's renditions and poster (the job holding ``token`` only)."""
    services.run_transcode(video_id, token)


@on_worker_start
def remove_leftover_work_folders() -> int:
    """Remove the work folders of transcoding jobs a killed worker left behind (before requeueing)."""
    return services.remove_leftover_work_folders()


@on_worker_start
def requeue_interrupted_transcodes() -> int:
    """Queue again the transcoding jobs a crash or restart cut off."""
    return services.requeue_unfinished_videos()
