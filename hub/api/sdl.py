"""The checked-in SDL (`schema/hub.graphql`): exporting it and checking it matches the code."""

from __future__ import annotations

from pathlib import Path

from hub.api.schema import build_schema
from hub.config import PROJECT_ROOT

SDL_PATH = PROJECT_ROOT / "schema" / "hub.graphql"


def current_sdl() -> str:
    """The SDL of the development schema (production differs only in its extensions)."""
    return build_schema(production=False).as_str() + "\n"


def export_sdl(path: Path = SDL_PATH) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(current_sdl(), encoding="utf-8")
    return path


def sdl_is_current(path: Path = SDL_PATH) -> bool:
    return path.is_file() and path.read_text(encoding="utf-8") == current_sdl()
