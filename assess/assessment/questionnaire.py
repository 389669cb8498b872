"""Questionnaires as data: load YAML files, validate them, and identify each version by a hash.

A questionnaire is never half-loaded: `load_questionnaire` either returns a complete, frozen
`Questionnaire` or raises `QuestionnaireError` listing every problem with file, line and key.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ID_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
KEY_PATTERN = re.compile(r"^[a-z0-9]+([-_][a-z0-9]+)*$")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a questionnaire file, located as precisely as the file allows."""

    path: str
    line: int | None
    key: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}, line {self.line}" if self.line else self.path
        return f"{where} ({self.key}): {self.message}" if self.key else f"{where}: {self.message}"


class QuestionnaireError(Exception):
    """A questionnaire file (or set of files) cannot be used; `problems` says why."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class Level:
    level: int
    name: str
    descriptor: str


@dataclass(frozen=True)
class Member:
    key: str
    name: str
    description: str = ""
    within: str | None = None


@dataclass(frozen=True)
class Dimension:
    key: str
    name: str
    members: tuple[Member, ...]
    sections: bool = False
    required: bool = True

    def member(self, key: str) -> Member:
        return next(m for m in self.members if m.key == key)


@dataclass(frozen=True)
class Statement:
    key: str
    text: str
    tags: dict[str, str]  # dimension key -> member key
    levels: dict[int, str]  # level -> descriptor for this statement
    weight: float = 1.0


@dataclass(frozen=True)
class Questionnaire:
    id: str
    title: str
    description: str
    scale: tuple[Level, ...]
    dimensions: tuple[Dimension, ...]
    statements: tuple[Statement, ...]
    version: str  # SHA-256 of the canonical content
    content: dict[str, Any] = field(repr=False, compare=False, hash=False)
    source: str = ""

    @property
    def short_version(self) -> str:
        return self.version[:12]

    @property
    def levels(self) -> tuple[int, ...]:
        return tuple(level.level for level in self.scale)

    @property
    def section_dimension(self) -> Dimension:
        return next(d for d in self.dimensions if d.sections)

    def dimension(self, key: str) -> Dimension:
        return next(d for d in self.dimensions if d.key == key)

    def statement(self, key: str) -> Statement:
        return next(s for s in self.statements if s.key == key)

    def statements_in(self, dimension: str, member: str) -> list[Statement]:
        return [s for s in self.statements if s.tags.get(dimension) == member]


def version_of(content: dict[str, Any]) -> str:
    """Hash the parsed content, so comments and layout do not make a new version."""
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# --- reading YAML with line numbers -------------------------------------------------------------


class Located:
    """Parsed YAML plus the line of every key path, so errors can point into the file."""

    def __init__(self, path: str):
        self.path = path
        self.lines: dict[str, int | None] = {}
        self.problems: list[Problem] = []

    def problem(self, key: str, message: str) -> None:
        line = self.lines.get(key)
        parent = key
        while line is None and parent:
            parent = parent.rpartition(".")[0] if "." in parent else ""
            line = self.lines.get(parent)
        self.problems.append(Problem(self.path, line, key, message))

    def build(self, node: yaml.Node, key: str, constructor: yaml.SafeLoader) -> Any:
        self.lines.setdefault(key, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                name = constructor.construct_object(key_node, deep=True)
                child = f"{key}.{name}" if key else str(name)
                if name in result:
                    self.lines[child] = key_node.start_mark.line + 1
                    self.problem(child, f"duplicate key '{name}' in the same mapping")
                    continue
                self.lines[child] = key_node.start_mark.line + 1
                result[name] = self.build(value_node, child, constructor)
            return result
        if isinstance(node, yaml.SequenceNode):
            return [
                self.build(item, f"{key}[{i}]", constructor) for i, item in enumerate(node.value)
            ]
        return constructor.construct_object(node, deep=True)


def parse_located(text: str, path: str) -> tuple[Any, Located]:
    located = Located(path)
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        line = mark.line + 1 if mark else None
        located.problems.append(Problem(path, line, "", f"not valid YAML: {error.problem}"))
        return None, located
    finally:
        loader.dispose()
    if node is None:
        located.problems.append(Problem(path, None, "", "the file is empty"))
        return None, located
    return located.build(node, "", yaml.SafeLoader("")), located


# --- validation ---------------------------------------------------------------------------------


def text_field(data: dict, name: str, where: Located, key: str, required: bool = True) -> str:
    value = data.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            where.problem(f"{key}.{name}" if key else name, f"'{name}' is missing or empty")
        return ""
    if not isinstance(value, str):
        where.problem(f"{key}.{name}" if key else name, f"'{name}' must be text")
        return ""
    return " ".join(value.split())


def mapping_items(
    data: list, name: str, message: str, where: Located
) -> Iterator[tuple[int, str, dict]]:
    """(index, key, item) for each item of the list `name` that is a mapping; `message` is the
    problem recorded for any other item."""
    for i, item in enumerate(data):
        key = f"{name}[{i}]"
        if isinstance(item, dict):
            yield i, key, item
        else:
            where.problem(key, message)


def _scale(data: Any, where: Located) -> tuple[Level, ...]:
    if not isinstance(data, list) or len(data) < 2:
        where.problem("scale", "bad scale: give a list of at least 2 levels")
        return ()
    levels, problems_before = [], len(where.problems)
    needs = "bad scale: each level needs 'level', 'name' and 'descriptor'"
    for i, key, item in mapping_items(data, "scale", needs, where):
        number = item.get("level")
        if not isinstance(number, int) or isinstance(number, bool) or number != i + 1:
            where.problem(
                f"{key}.level",
                f"bad scale: levels must be numbered 1, 2, 3 ... in order; "
                f"expected {i + 1}, found {number!r}",
            )
            continue
        levels.append(
            Level(
                number,
                text_field(item, "name", where, key),
                text_field(item, "descriptor", where, key),
            )
        )
    names = [level.name for level in levels]
    for name in {n for n in names if names.count(n) > 1 and n}:
        where.problem("scale", f"bad scale: level name '{name}' is used twice")
    return tuple(levels) if len(where.problems) == problems_before else ()


def _dimensions(data: Any, where: Located) -> tuple[Dimension, ...]:
    if not isinstance(data, dict) or not data:
        where.problem("dimensions", "'dimensions' must map each dimension key to its members")
        return ()
    dimensions = []
    for dim_key, spec in data.items():
        key = f"dimensions.{dim_key}"
        if not isinstance(dim_key, str) or not KEY_PATTERN.match(dim_key):
            where.problem(key, "a dimension key uses lower-case letters, digits, '-' or '_'")
            continue
        if dim_key in ("key", "text", "levels", "weight"):
            where.problem(key, f"'{dim_key}' is a statement field, not a dimension key")
            continue
        if not isinstance(spec, dict):
            where.problem(key, "a dimension needs 'name' and 'members'")
            continue
        members_data = spec.get("members")
        if not isinstance(members_data, list) or not members_data:
            where.problem(f"{key}.members", "a dimension needs a list of members")
            continue
        members, seen = [], set()
        for i, item in enumerate(members_data):
            member_key = f"{key}.members[{i}]"
            if not isinstance(item, dict) or not isinstance(item.get("key"), str):
                where.problem(member_key, "each member needs a 'key' and a 'name'")
                continue
            if item["key"] in seen:
                where.problem(f"{member_key}.key", f"duplicate key '{item['key']}'")
                continue
            seen.add(item["key"])
            members.append(
                Member(
                    key=item["key"],
                    name=text_field(item, "name", where, member_key),
                    description=text_field(item, "description", where, member_key, required=False),
                    within=item.get("within"),
                )
            )
        dimensions.append(
            Dimension(
                key=dim_key,
                name=text_field(spec, "name", where, key),
                members=tuple(members),
                sections=spec.get("sections") is True,
                required=spec.get("required", True) is not False,
            )
        )
    section_dims = [d for d in dimensions if d.sections]
    if len(section_dims) != 1:
        where.problem("dimensions", "exactly one dimension must say 'sections: true'")
    else:
        section_keys = {m.key for m in section_dims[0].members}
        for d in dimensions:
            for i, m in enumerate(d.members):
                if m.within is not None and m.within not in section_keys:
                    where.problem(
                        f"dimensions.{d.key}.members[{i}].within",
                        f"unknown dimension member '{m.within}' in '{section_dims[0].key}'",
                    )
    return tuple(dimensions)


def _statements(
    data: Any, scale: tuple[Level, ...], dimensions: tuple[Dimension, ...], where: Located
) -> tuple[Statement, ...]:
    if not isinstance(data, list) or not data:
        where.problem("statements", "'statements' must be a list with at least one statement")
        return ()
    by_key = {d.key: d for d in dimensions}
    sections = next((d for d in dimensions if d.sections), None)
    statements, seen = [], set()
    needs = "each statement is a mapping with key, text, levels and dimensions"
    for i, key, item in mapping_items(data, "statements", needs, where):
        statement_key = item.get("key")
        if not isinstance(statement_key, str) or not KEY_PATTERN.match(statement_key):
            where.problem(f"{key}.key", "a statement key uses lower-case letters, digits, '-', '_'")
            continue
        if statement_key in seen:
            where.problem(f"{key}.key", f"duplicate statement key '{statement_key}'")
            continue
        seen.add(statement_key)
        key = f"{key} '{statement_key}'"
        where.lines[key] = where.lines.get(f"statements[{i}]")
        for field_name in item:
            where.lines[f"{key}.{field_name}"] = where.lines.get(f"statements[{i}].{field_name}")
        text = text_field(item, "text", where, key)
        tags = {}
        for field_name, value in item.items():
            if field_name in ("key", "text", "levels", "weight"):
                continue
            if field_name not in by_key:
                where.problem(f"{key}.{field_name}", f"unknown dimension '{field_name}'")
                continue
            dimension = by_key[field_name]
            member = next((m for m in dimension.members if m.key == value), None)
            if member is None:
                where.problem(
                    f"{key}.{field_name}",
                    f"unknown {dimension.name.lower() or field_name} '{value}'",
                )
                continue
            tags[field_name] = value
        for dimension in dimensions:
            if dimension.required and dimension.key not in item:
                where.problem(key, f"'{dimension.key}' is missing (which {dimension.name.lower()})")
        for dimension_key, member_key in tags.items():
            within = by_key[dimension_key].member(member_key).within
            if within and sections and tags.get(sections.key) != within:
                where.problem(
                    f"{key}.{dimension_key}",
                    f"'{member_key}' is within '{within}', but the statement is in "
                    f"'{tags.get(sections.key)}'",
                )
        weight = item.get("weight", 1)
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight <= 0:
            where.problem(f"{key}.weight", f"weight must be a positive number, not {weight!r}")
            weight = 1
        statements.append(
            Statement(
                key=statement_key,
                text=text,
                tags=tags,
                levels=_level_descriptors(item.get("levels"), scale, where, key),
                weight=float(weight),
            )
        )
    return tuple(statements)


def _level_descriptors(
    data: Any, scale: tuple[Level, ...], where: Located, key: str
) -> dict[int, str]:
    """A descriptor per level; not checked while the scale itself is broken."""
    if not scale:
        return {}
    if not isinstance(data, dict):
        where.problem(f"{key}.levels", "missing level descriptors: give one for every level")
        return {}
    descriptors = {}
    for level in scale:
        value = data.get(level.level)
        if not isinstance(value, str) or not value.strip():
            where.problem(
                f"{key}.levels",
                f"missing level descriptor for level {level.level} ({level.name})",
            )
            continue
        descriptors[level.level] = " ".join(value.split())
    for extra in set(data) - {level.level for level in scale}:
        where.problem(f"{key}.levels", f"level {extra!r} is not on the scale")
    return descriptors


def parse_questionnaire(text: str, path: str) -> Questionnaire:
    """Validate YAML text: the questionnaire, or QuestionnaireError naming every fault."""
    data, where = parse_located(text, path)
    if where.problems:
        raise QuestionnaireError(where.problems)
    if not isinstance(data, dict):
        raise QuestionnaireError([Problem(path, 1, "", "the file must be a mapping of fields")])
    for unknown in set(data) - {"id", "title", "description", "scale", "dimensions", "statements"}:
        where.problem(str(unknown), f"unknown field '{unknown}'")
    questionnaire_id = data.get("id")
    if not isinstance(questionnaire_id, str) or not ID_PATTERN.match(questionnaire_id):
        where.problem("id", "'id' must be lower-case letters, digits and hyphens")
    title = text_field(data, "title", where, "")
    description = text_field(data, "description", where, "", required=False)
    scale = _scale(data.get("scale"), where)
    dimensions = _dimensions(data.get("dimensions"), where)
    statements = _statements(data.get("statements"), scale, dimensions, where)
    if where.problems:
        raise QuestionnaireError(where.problems)
    assert isinstance(questionnaire_id, str)  # else a problem was recorded and raised above
    return Questionnaire(
        id=questionnaire_id,
        title=title,
        description=description,
        scale=scale,
        dimensions=dimensions,
        statements=statements,
        version=version_of(data),
        content=data,
        source=path,
    )


def load_questionnaire(path: Path) -> Questionnaire:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        problem = Problem(str(path), None, "", f"cannot be read: {error}")
        raise QuestionnaireError([problem]) from error
    return parse_questionnaire(text, str(path))


def load_folder(folder: Path) -> dict[str, Questionnaire]:
    """Load every *.yaml in a folder; any problem in any file fails the whole load. Files byte
    for byte the same as ones already loaded in this process are not parsed again (the tests
    build an app per test; a failed load is never kept)."""
    paths = sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml"))
    return dict(_load_files(folder, tuple((path, path.read_bytes()) for path in paths)))


@functools.lru_cache(maxsize=8)
def _load_files(folder: Path, files: tuple[tuple[Path, bytes], ...]) -> dict[str, Questionnaire]:
    questionnaires: dict[str, Questionnaire] = {}
    problems: list[Problem] = []
    if not files:
        raise QuestionnaireError([Problem(str(folder), None, "", "no questionnaire files found")])
    for path, _ in files:
        try:
            questionnaire = load_questionnaire(path)
        except QuestionnaireError as error:
            problems.extend(error.problems)
            continue
        if questionnaire.id in questionnaires:
            other = questionnaires[questionnaire.id].source
            problems.append(
                Problem(str(path), None, "id", f"id '{questionnaire.id}' is also used by {other}")
            )
            continue
        questionnaires[questionnaire.id] = questionnaire
    if problems:
        raise QuestionnaireError(problems)
    return questionnaires


def from_content(content: dict[str, Any], source: str = "database") -> Questionnaire:
    """Rebuild a stored version (the answers on an old version still need its statements)."""
    text = yaml.safe_dump(content, sort_keys=False, allow_unicode=True)
    return parse_questionnaire(text, source)


def from_stored(content_json: str, version: str) -> Questionnaire:
    """Rebuild a version as the database keeps it (JSON, whose keys are text: levels back to
    whole numbers)."""
    content = json.loads(content_json)
    for statement in content.get("statements", []):
        statement["levels"] = {int(k): v for k, v in statement.get("levels", {}).items()}
    return from_content(content, source=f"stored version {version[:12]}")
