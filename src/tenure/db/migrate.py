"""Schema migrations: Alembic configured in code, plus a small command line.

Run ``python -m tenure.db.migrate --help`` for the commands. New revisions get the
next four-digit id and a dated file name such as ``2026_12_03_0001_initial.py``.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any, Literal

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.autogenerate.api import AutogenContext
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.operations import ops
from alembic.script import ScriptDirectory
from sqlalchemy import ForeignKeyConstraint, TypeDecorator
from sqlalchemy.engine import make_url

from tenure.db.models import Base
from tenure.db.session import make_engine
from tenure.settings.service import database_url

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
FILE_TEMPLATE = "%(year)d_%(month).2d_%(day).2d_%(rev)s_%(slug)s"


def alembic_config(url: str) -> Config:
    """Return an Alembic configuration for ``url`` using the packaged migrations."""
    config = Config()
    # ConfigParser interpolates '%', so literal percent signs are doubled.
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.set_main_option("file_template", FILE_TEMPLATE.replace("%", "%%"))
    config.set_main_option("timezone", "UTC")
    config.set_main_option("path_separator", "os")
    return config


def _render_item(
    type_: str, obj: Any, autogen_context: AutogenContext
) -> str | Literal[False]:
    """Render custom column types as their SQLAlchemy implementation type."""
    if type_ == "type" and isinstance(obj, TypeDecorator):
        impl = obj.impl_instance
        if type(impl).__module__.startswith("sqlalchemy."):
            return f"sa.{impl!r}"
    return False


def context_options(dialect_name: str) -> dict[str, Any]:
    """Return the migration context options shared by env.py and schema checks."""
    return {
        "render_as_batch": dialect_name == "sqlite",
        "compare_type": True,
        "render_item": _render_item,
    }


def defer_cyclic_foreign_keys(
    context: MigrationContext, revision: Any, directives: list[ops.MigrationScript]
) -> None:
    """Add ``use_alter`` foreign keys after the new tables exist; drop them first."""
    for script in directives:
        for upgrade_ops, downgrade_ops in zip(
            script.upgrade_ops_list, script.downgrade_ops_list, strict=True
        ):
            deferred: list[tuple[str, ForeignKeyConstraint]] = []
            for op in upgrade_ops.ops:
                if not isinstance(op, ops.CreateTableOp):
                    continue
                kept = []
                for item in op.columns:
                    if isinstance(item, ForeignKeyConstraint) and item.use_alter:
                        deferred.append((op.table_name, item))
                    else:
                        kept.append(item)
                op.columns = kept
            for table, fk in deferred:
                create = ops.CreateForeignKeyOp.from_constraint(fk)
                create.kw.pop("use_alter", None)
                upgrade_ops.ops.append(ops.ModifyTableOps(table, [create]))
            downgrade_ops.ops[:0] = [
                ops.ModifyTableOps(table, [ops.DropConstraintOp.from_constraint(fk)])
                for table, fk in deferred
            ]


def upgrade(url: str, revision: str = "head") -> None:
    """Migrate the database at ``url`` up to ``revision``."""
    log.info("upgrading %s to %s", _safe(url), revision)
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    """Migrate the database at ``url`` down to ``revision`` (``base`` empties it)."""
    log.info("downgrading %s to %s", _safe(url), revision)
    command.downgrade(alembic_config(url), revision)


def current(url: str) -> str | None:
    """Return the revision the database at ``url`` is at, or None if unmigrated."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def _scripts() -> ScriptDirectory:
    """Return the packaged migration scripts."""
    return ScriptDirectory.from_config(alembic_config("sqlite://"))


def head() -> str | None:
    """Return the newest revision shipped with the package."""
    return _scripts().get_current_head()


def differences(url: str) -> list[Any]:
    """Return Alembic's differences between the database at ``url`` and the models."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={
                    "target_metadata": Base.metadata,
                    **context_options(connection.dialect.name),
                },
            )
            diffs: list[Any] = compare_metadata(context, Base.metadata)
            return diffs
    finally:
        engine.dispose()


def next_revision_id() -> str:
    """Return the next four-digit revision id after the highest numeric one."""
    revisions = [script.revision for script in _scripts().walk_revisions()]
    numbers = [int(rev) for rev in revisions if rev.isdigit()]
    return f"{max(numbers, default=0) + 1:04d}"


def revision(message: str, autogenerate: bool = False) -> Path:
    """Write a new revision file, compared against a scratch SQLite database at head."""
    rev_id = next_revision_id()
    with tempfile.TemporaryDirectory(prefix="tenure-migrate-") as scratch:
        url = f"sqlite:///{Path(scratch, 'scratch.sqlite').as_posix()}"
        upgrade(url)
        config = alembic_config(url)
        _add_format_hooks(config)
        script = command.revision(
            config, message=message, autogenerate=autogenerate, rev_id=rev_id
        )
    if script is None or isinstance(script, list):
        raise RuntimeError("alembic did not write exactly one revision")
    return Path(script.path)


def _add_format_hooks(config: Config) -> None:
    """Format and lint-fix new revision files with ruff when it is installed."""
    venv_bin = str(Path(sys.executable).parent)
    ruff = shutil.which("ruff", path=venv_bin) or shutil.which("ruff")
    if ruff is None:
        log.warning("ruff not found: the new revision is not formatted")
        return
    hooks = {
        "ruff_format": "format --quiet REVISION_SCRIPT_FILENAME",
        "ruff_fix": "check --fix --quiet REVISION_SCRIPT_FILENAME",
    }
    config.set_section_option("post_write_hooks", "hooks", ", ".join(hooks))
    for name, options in hooks.items():
        config.set_section_option("post_write_hooks", f"{name}.type", "exec")
        config.set_section_option("post_write_hooks", f"{name}.executable", ruff)
        config.set_section_option("post_write_hooks", f"{name}.options", options)


def _safe(url: str) -> str:
    """Return ``url`` with any password hidden, for logs."""
    return make_url(url).render_as_string(hide_password=True)


def main(argv: list[str] | None = None) -> int:
    """Run the migration command line."""
    parser = argparse.ArgumentParser(prog="python -m tenure.db.migrate")
    parser.add_argument("--url", help="database URL (default: TENURE_DATABASE_URL)")
    commands = parser.add_subparsers(dest="command", required=True)
    rev = commands.add_parser("revision", help="write a new revision file")
    rev.add_argument("-m", "--message", required=True)
    rev.add_argument(
        "--autogenerate",
        action="store_true",
        help="fill it with the differences between the models and the migrations",
    )
    up = commands.add_parser("upgrade", help="migrate up (default: to head)")
    up.add_argument("revision", nargs="?", default="head")
    down = commands.add_parser("downgrade", help="migrate down to a revision")
    down.add_argument("revision")
    commands.add_parser("current", help="print the database's revision")
    commands.add_parser("check", help="list differences between database and models")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    if args.command == "revision":
        path = revision(args.message, autogenerate=args.autogenerate)
        print(path)
        return 0
    url: str = args.url or database_url()
    if args.command == "upgrade":
        upgrade(url, args.revision)
    elif args.command == "downgrade":
        downgrade(url, args.revision)
    elif args.command == "current":
        print(current(url) or "(none)")
    elif args.command == "check":
        diffs = differences(url)
        for diff in diffs:
            print(diff)
        return 1 if diffs else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
