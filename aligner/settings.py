"""One registry of settings: each declared once (name, type, default, range, help) on a
frozen dataclass, and read from there by the CLI (``--set NAME=VALUE``), the API (job
parameters and their OpenAPI text), the store (settings kept with each alignment) and the
docs (a generated table, kept in step by a test).

Declare a setting with :func:`setting` as a dataclass field's default::

    @dataclass(frozen=True)
    class AlignConfig:
        max_side: int = setting(6, minimum=1, maximum=8, help="Most sentences one side of a bead joins.")

then :func:`registry` lists the :class:`Setting` objects of the class, :func:`parse_assignments`
turns ``["max_side=4"]`` into validated values, and :func:`from_params` rebuilds an instance
from stored settings. (The pattern follows datasette's ``SETTINGS``, ``datasette/app.py``.)
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any, Sequence

from aligner.errors import AlignerError


class SettingError(AlignerError):
    """A setting that does not exist or whose value is not acceptable (one readable line)."""


@dataclass(frozen=True)
class Setting:
    """One setting: ``kind`` is ``bool``, ``int``, ``float`` or ``str``; ``optional`` means
    ``None`` ("none") is allowed; ``minimum``/``maximum`` bound numbers (inclusive);
    ``choices`` bound strings; ``option`` is the name of a dedicated CLI option, if any."""

    name: str
    kind: type
    default: Any
    help: str
    optional: bool = False
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    option: str | None = None

    @property
    def type_name(self) -> str:
        """``"int"``, ``"float or none"``, … as shown in help and docs."""
        return self.kind.__name__ + (" or none" if self.optional else "")

    @property
    def range_text(self) -> str:
        """``"1 … 8"``, ``"≥ 0"``, ``"a | b"`` or ``""``."""
        if self.choices:
            return " | ".join(self.choices)
        if self.minimum is not None and self.maximum is not None:
            return f"{_show(self.minimum)} … {_show(self.maximum)}"
        if self.minimum is not None:
            return f"≥ {_show(self.minimum)}"
        if self.maximum is not None:
            return f"≤ {_show(self.maximum)}"
        return ""

    def coerce(self, value: Any) -> Any:
        """``value`` (a string from the command line, or a JSON value) as this setting's
        type, checked against its range. Raises SettingError with one readable line."""
        if value is None or (isinstance(value, str) and value.strip().lower() in ("none", "null", "")):
            if self.optional:
                return None
            raise SettingError(f"setting {self.name} needs {'an' if self.kind.__name__[0] in 'aeiou' else 'a'} "
                               f"{self.kind.__name__} value")
        try:
            converted = _convert(self.kind, value)
        except (TypeError, ValueError):
            article = "an" if self.type_name[0] in "aeiou" else "a"
            raise SettingError(f"setting {self.name}: {value!r} is not {article} {self.type_name}"
                               + (f" ({self.range_text})" if self.range_text else "")) from None
        self.check(converted)
        return converted

    def check(self, value: Any) -> None:
        """Raise SettingError if ``value`` (already of the right type) is out of range."""
        if value is None:
            if not self.optional:
                raise SettingError(f"setting {self.name} needs {'an' if self.kind.__name__[0] in 'aeiou' else 'a'} "
                               f"{self.kind.__name__} value")
            return
        if self.kind in (int, float):
            if isinstance(value, float) and not math.isfinite(value):
                raise SettingError(f"setting {self.name}: {value} is not a finite number")
            if (self.minimum is not None and value < self.minimum) or \
                    (self.maximum is not None and value > self.maximum):
                raise SettingError(f"setting {self.name}: {value} is outside {self.range_text}")
        if self.choices and value not in self.choices:
            raise SettingError(f"setting {self.name}: {value!r} is not one of {self.range_text}")


def _show(number: float) -> str:
    return f"{number:g}" if isinstance(number, float) else f"{number:,}".replace(",", "_")


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def parse_bool(value: Any) -> bool:
    """A bool, or yes/no, true/false, 1/0, on/off in any case. Raises ValueError otherwise."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(value)


def _convert(kind: type, value: Any) -> Any:
    if kind is bool:
        return parse_bool(value)
    if kind is int:
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise ValueError(value)
        return int(str(value).strip().replace("_", "")) if isinstance(value, str) else int(value)
    if kind is float:
        if isinstance(value, bool):
            raise ValueError(value)
        return float(value)
    return str(value)


def setting(default: Any, *, help: str, minimum: float | None = None,
            maximum: float | None = None, choices: Sequence[str] = (),
            option: str | None = None) -> Any:
    """A dataclass field carrying a setting's declaration (read back by :func:`registry`)."""
    meta = {"setting": {"help": help, "minimum": minimum, "maximum": maximum,
                        "choices": tuple(choices), "option": option}}
    return dataclasses.field(default=default, metadata=meta)


_KINDS = {"bool": bool, "int": int, "float": float, "str": str}


def _kind_of(annotation: Any) -> tuple[type, bool]:
    """(base type, optional) of a field annotation such as ``float | None``."""
    text = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", str(annotation))
    parts = [p.strip() for p in text.split("|")]
    optional = "None" in parts
    base = [p for p in parts if p != "None"]
    if len(base) != 1 or base[0] not in _KINDS:
        raise TypeError(f"unsupported setting type {annotation!r}")
    return _KINDS[base[0]], optional


def registry(cls: type) -> tuple[Setting, ...]:
    """The settings of dataclass ``cls``, in declaration order."""
    out = []
    for f in dataclasses.fields(cls):
        meta = f.metadata.get("setting")
        if meta is None:
            continue
        kind, optional = _kind_of(f.type)
        out.append(Setting(f.name, kind, f.default, meta["help"], optional, meta["minimum"],
                           meta["maximum"], meta["choices"], meta["option"]))
    return tuple(out)


def lookup(cls: type, name: str) -> Setting:
    """The setting ``name`` of ``cls`` (``-`` and ``_`` alike). Raises SettingError naming
    the closest known settings."""
    key = name.strip().replace("-", "_")
    by_name = {s.name: s for s in registry(cls)}
    if key in by_name:
        return by_name[key]
    import difflib

    close = difflib.get_close_matches(key, list(by_name), n=3)
    hint = f" (did you mean {', '.join(close)}?)" if close else " (`aligner settings` lists them)"
    raise SettingError(f"unknown setting {name!r}{hint}")


def parse_assignments(cls: type, assignments: Sequence[str]) -> dict[str, Any]:
    """``["max_side=4", "partial=true"]`` → ``{"max_side": 4, "partial": True}``, each
    value converted and range-checked. Raises SettingError for a malformed item, an
    unknown name or a bad value."""
    values: dict[str, Any] = {}
    for item in assignments:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise SettingError(f"--set {item!r}: write NAME=VALUE, e.g. --set max_side=4")
        s = lookup(cls, name)
        values[s.name] = s.coerce(value)
    return values


def validate(cls: type, values: dict[str, Any]) -> dict[str, Any]:
    """``values`` (e.g. a JSON object from the API) checked and converted setting by setting.
    Raises SettingError for an unknown name or a bad value."""
    return {lookup(cls, k).name: lookup(cls, k).coerce(v) for k, v in values.items()}


def to_params(instance: Any) -> dict[str, Any]:
    """The settings of a dataclass instance as a JSON-ready dict (what the store keeps)."""
    return {s.name: getattr(instance, s.name) for s in registry(type(instance))}


def from_params(cls: type, params: dict[str, Any] | None) -> Any:
    """An instance of ``cls`` from stored settings: known names are validated, other keys
    (bookkeeping such as ``alignment_id``) are ignored, missing ones take their default."""
    known = {s.name: s for s in registry(cls)}
    values = {k: known[k].coerce(v) for k, v in (params or {}).items() if k in known}
    return cls(**values)


def changed(instance: Any) -> dict[str, Any]:
    """The settings of ``instance`` that differ from their defaults."""
    return {s.name: getattr(instance, s.name) for s in registry(type(instance))
            if getattr(instance, s.name) != s.default}


def markdown_table(cls: type) -> str:
    """A Markdown table of every setting (name, type, default, range, help): the docs'
    settings reference is generated from this (``aligner settings --format markdown``)."""
    rows = ["| setting | type | default | range | what it does |", "|---|---|---|---|---|"]
    for s in registry(cls):
        default = "none" if s.default is None else (str(s.default).lower() if s.kind is bool
                                                    else _show(s.default) if s.kind in (int, float)
                                                    else s.default)
        text = s.help.replace("|", "\\|").replace("\n", " ")
        choices = s.range_text.replace("|", "\\|")  # "off | nulls | all" inside a table cell
        rows.append(f"| `{s.name}` | {s.type_name} | {default} | {choices} | {text} |")
    return "\n".join(rows) + "\n"
