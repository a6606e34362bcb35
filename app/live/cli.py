"""`flask live ...`: the streaming server's configuration, running it, a lesson's encoder settings."""

import os
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from app.live import services, streaming

live_cli = AppGroup("live", help="Live lessons: the nginx-rtmp streaming server and stream keys.")


def _default_prefix() -> Path:
    configured = current_app.config["LIVE_NGINX_PREFIX"]
    return Path(configured) if configured else Path(current_app.instance_path) / "live-nginx"


def _config_options(command):
    command = click.option(
        "--prefix",
        type=click.Path(path_type=Path),
        default=None,
        help="Folder of the configuration, logs and pid (default: instance/live-nginx).",
    )(command)
    command = click.option(
        "--rtmp-port", type=int, default=None, help="RTMP port (default: LIVE_RTMP_PORT)."
    )(command)
    command = click.option("--http-port", type=int, default=None, help="HLS port (default: LIVE_HTTP_PORT).")(
        command
    )
    return click.option(
        "--callback-url",
        default=None,
        help="The app's address for nginx's callbacks (default: LIVE_CALLBACK_URL).",
    )(command)


def _write(prefix, rtmp_port, http_port, callback_url) -> Path:
    config = current_app.config
    return streaming.write_nginx_config(
        (prefix or _default_prefix()).resolve(),
        rtmp_port or config["LIVE_RTMP_PORT"],
        http_port or config["LIVE_HTTP_PORT"],
        callback_url or config["LIVE_CALLBACK_URL"],
    )


@live_cli.command("nginx-config")
@_config_options
def nginx_config(prefix, rtmp_port, http_port, callback_url) -> None:
    """Write the loopback streaming server's nginx configuration and print its path."""
    click.echo(_write(prefix, rtmp_port, http_port, callback_url))


@live_cli.command("serve")
@_config_options
def serve(prefix, rtmp_port, http_port, callback_url) -> None:
    """Write the configuration and run nginx (RTMP in, signed HLS out) in the foreground."""
    path = _write(prefix, rtmp_port, http_port, callback_url)
    try:
        command = streaming.nginx_command(path)
    except RuntimeError as error:
        raise click.ClickException(str(error)) from error
    os.execv(command[0], command)  # signals reach nginx itself: TERM stops it at once, QUIT gracefully


@live_cli.command("key")
@click.argument("lesson_id", type=int)
@click.option("--new", "regenerate", is_flag=True, help="Make a new key first (the old one stops working).")
def key(lesson_id: int, regenerate: bool) -> None:
    """Print a live lesson's encoder settings (server and stream key)."""
    lesson = services.live_lesson(lesson_id)
    if lesson is None:
        raise click.ClickException(f"no live lesson {lesson_id}")
    if regenerate:
        services.regenerate_key(lesson)
    settings = services.encoder_settings(lesson)
    click.echo(f"server: {settings.server}\nstream key: {settings.stream_key}")


@live_cli.command("close-stale")
def close_stale() -> None:
    """End broadcasts whose streaming server went away without telling the app."""
    click.echo(f"{services.close_stale_broadcasts()} broadcast(s) ended")


@live_cli.command("nginx-snippets")
@click.argument("folder", type=click.Path(path_type=Path))
@click.option(
    "--rtmp-listen", default="1935", help="nginx-rtmp's listen address (default: 1935, all addresses)."
)
@click.option(
    "--callback-url", default=None, help="The app's address for nginx (default: LIVE_CALLBACK_URL)."
)
@click.option("--prefix", "location", default="/hls", help="The HLS location in the site (default: /hls).")
def nginx_snippets(folder: Path, rtmp_listen: str, callback_url: str | None, location: str) -> None:
    """Write the production nginx pieces: live-rtmp.conf (main context) and live-hls.conf (the site's
    server block), with this site's link secret (docs/deploy.md)."""
    rtmp, hls = streaming.write_snippets(
        folder, rtmp_listen, callback_url or current_app.config["LIVE_CALLBACK_URL"], location
    )
    click.echo(f"{rtmp}\n{hls}")
