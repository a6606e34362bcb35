"""The library's demo content: short study notes written for this project (never third-party texts)."""

from pathlib import Path

from app.library import services

DEMO_CONTENT = Path(__file__).resolve().parent / "demo_content"
DEMO_COLLECTION = "学习资料"


def load_demo_library() -> services.ImportReport:
    """Import the demo notes; running it again changes nothing."""
    return services.import_paths([DEMO_CONTENT], DEMO_COLLECTION)
