"""The one huey instance every domain queues its background jobs on, and the `flask worker` command.

Storage follows the configuration: Redis when ``REDIS_URL`` is set, else an SQLite file in the instance
folder (``HUEY_SQLITE_PATH``). ``HUEY_IMMEDIATE=1`` runs each task at once, in the caller's process,
with huey's in-memory storage; that is the default under ``TESTING`` unless ``HUEY_IMMEDIATE=0``.

A domain declares its tasks with :func:`app_task`, which runs the task inside a Flask application
context: the caller's when there is one (immediate mode), else the worker's (``flask worker`` builds
the app with ``create_app`` and binds it here). Jobs whose state lives in the database register a
:func:`on_worker_start` hook so that work cut off by a crash or restart is queued again.

Jobs import services, never the reverse: a service queues work with :func:`enqueue` and the task's
name, ``"<domain>.<function>"`` (``enqueue("media.transcode_video", video.id, token)``); the task is
known by that name once its domain's ``init_app`` has imported the domain's ``jobs`` module.
"""

import functools
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app, has_app_context
from flask.cli import with_appcontext
from huey import Huey
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage

log = logging.getLogger(__name__)

# Results are not kept: every job records its own state in the database, where the pages read it.
huey = Huey("party_school", results=False, storage_class=MemoryStorage)

_worker_app: Flask | None = None
_startup_hooks: list[Callable[[], object]] = []
# "<domain>.<function>" -> the huey task: what enqueue() calls (a test may replace an entry).
tasks: dict[str, Any] = {}  # huey TaskWrapper objects (huey ships no types)


def init_jobs(app: Flask) -> None:
    """Point the shared huey instance at the storage the configuration names."""
    immediate = app.config["HUEY_IMMEDIATE"]
    if immediate is None:
        immediate = app.testing
    if app.config.get("REDIS_URL"):
        huey.storage_class, huey.storage_kwargs = RedisStorage, {"url": app.config["REDIS_URL"]}
    else:
        path = Path(app.config["HUEY_SQLITE_PATH"])
        path.parent.mkdir(parents=True, exist_ok=True)
        huey.storage_class, huey.storage_kwargs = SqliteStorage, {"filename": str(path)}
    huey.immediate = immediate
    # With immediate=True create_storage() gives the in-memory storage, else the configured one.
    huey.storage = huey.create_storage()
    app.extensions["huey"] = huey


def app_task(
    schedule: Callable[..., bool] | None = None, **task_options: Any
) -> Callable[[Callable[..., Any]], Any]:
    """Declare a huey task whose body runs inside a Flask application context.

    With ``schedule`` (a huey ``crontab``) it is a periodic task, which the worker runs on time.
    """

    def decorator(func: Callable[..., Any]) -> Any:  # a huey task (untyped)
        @functools.wraps(func)
        def run_in_app_context(*args: Any, **kwargs: Any) -> Any:
            if has_app_context():
                return func(*args, **kwargs)
            if _worker_app is None:
                raise RuntimeError("No application bound: run tasks through `flask worker`.")
            with _worker_app.app_context():
                return func(*args, **kwargs)

        if schedule is not None:
            task = huey.periodic_task(schedule, **task_options)(run_in_app_context)
        else:
            task = huey.task(**task_options)(run_in_app_context)
        tasks[task_name(func)] = task
        return task

    return decorator


def task_name(func: Callable[..., Any]) -> str:
    """The name :func:`enqueue` knows a task by: ``app.media.jobs.transcode_video`` is
    ``"media.transcode_video"``."""
    domain = func.__module__.removeprefix("app.").removesuffix(".jobs")
    return f"{domain}.{func.__name__}"


def enqueue(name: str, *args: object, **kwargs: object) -> object:
    """Queue the task called ``name`` (it runs at once in immediate mode); return huey's result handle.

    Raises ``LookupError`` when no domain declared it (its ``init_app`` did not run), and whatever the
    queue's storage raises when it cannot be reached: callers whose work is marked in the database
    log that and leave the mark for the worker's start.
    """
    try:
        task = tasks[name]
    except KeyError:
        raise LookupError(f"no job is called {name!r}: is its domain's init_app run?") from None
    return task(*args, **kwargs)


def enqueue_later(name: str, delay_seconds: float, *args: object) -> object:
    """Queue the task called ``name`` to run in ``delay_seconds`` (a retry's backoff); as :func:`enqueue`."""
    try:
        task = tasks[name]
    except KeyError:
        raise LookupError(f"no job is called {name!r}: is its domain's init_app run?") from None
    return task.schedule(args, delay=delay_seconds)


def on_worker_start(func: Callable[[], object]) -> Callable[[], object]:
    """Register ``func`` to run (in an app context) each time `flask worker` starts, before any job."""
    _startup_hooks.append(func)
    return func


def run_startup_hooks() -> None:
    for hook in _startup_hooks:
        result = hook()
        log.info("worker start: %s -> %s", hook.__qualname__, result)


@click.command("worker")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Jobs run at the same time (default: HUEY_WORKERS, 1).",
)
@with_appcontext
def worker_command(workers: int | None) -> None:
    """Run the background job consumer (transcoding and other jobs) until stopped."""
    global _worker_app
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # the proxy's own method
    if huey.immediate:
        raise click.ClickException("HUEY_IMMEDIATE is set: jobs already run inside the web process.")
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    _worker_app = app
    run_startup_hooks()
    consumer = huey.create_consumer(
        workers=workers or app.config["HUEY_WORKERS"], worker_type="thread", check_worker_health=True
    )
    click.echo(f"Worker started ({consumer.workers} job(s) at a time); stop it with Ctrl-C.")
    consumer.run()
