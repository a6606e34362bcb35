"""The settings every test app is built with (the app fixture's, and the tests that build their own)."""

import os

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
# The site refuses keys under 32 characters (app/config.py); child processes of tests use this one too.
TEST_SECRET_KEY = "test-secret-key-for-the-test-suite-only"


def make_config(database_url: str, tmp_path, **overrides) -> dict:
    return {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": TEST_SECRET_KEY,
        "MEDIA_ROOT": str(tmp_path / "media"),
        "SEARCH_INDEX_DIR": str(tmp_path / "search_index"),
        "COURSES_DIR": str(tmp_path / "courses"),
        "REDIS_URL": None,
        "RATELIMIT_STORAGE_URI": "memory://",
        "PASSWORD_HASH_METHOD": "scrypt:128:8:1",  # still scrypt, at the lowest work factor OpenSSL accepts
        "RATELIMIT_LOGIN": "1000 per minute",  # tests sign in often from one address
        **overrides,
    }
