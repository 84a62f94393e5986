"""Strict readers for settings that come from the environment.

A misspelt boolean or a non-number must stop the process at start-up with the variable's
name, not run with a silently wrong default. Every reader also honours ``NAME_FILE`` so
secrets can come from files (Docker/Kubernetes secrets) instead of the environment.
"""

from __future__ import annotations

import os
from pathlib import Path


class ImproperSetting(Exception):
    pass


def _raw(name: str) -> str | None:
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        try:
            return Path(file_path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperSetting(f"{name}_FILE: cannot read {file_path}: {exc}") from exc
    return os.environ.get(name)


def env_str(name: str, default: str = "") -> str:
    value = _raw(name)
    return default if value is None else value


def env_bool(name: str, default: bool = False) -> bool:
    value = _raw(name)
    if value is None or value == "":
        return default
    if value in ("True", "true", "1", "yes"):
        return True
    if value in ("False", "false", "0", "no"):
        return False
    raise ImproperSetting(f"{name} must be true or false, got {value!r}")


def env_int(name: str, default: int) -> int:
    value = _raw(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperSetting(f"{name} must be a whole number, got {value!r}") from None


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = _raw(name)
    if value is None or value == "":
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]
