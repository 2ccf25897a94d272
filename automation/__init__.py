"""phasegate's Automation API library: deploy behind the policy gate, migrate between phases, advise when to move.

Functions, not scripts: `deploy(stack)`, `migrate(source, target)` / `plan_migration(...)` / `rollback(...)` and
`advise(stack)`. Stacks are reached only through `automation.stacks` (the real pulumi CLI, or a test's fake) and
AWS only through `automation.aws`.
"""

from .advise import Advice, advise
from .aws import Aws
from .deploy import DeployResult, deploy
from .errors import AutomationError
from .health import WallClock, http_probe
from .migration.facts import MigrateOptions
from .migration.runner import MigrationPlan, migrate, plan_migration, rollback
from .settings import Setting, parse_setting
from .stacks import GuardedStack, Stack, Stacks, pulumi_opener

__all__ = ["Advice", "AutomationError", "Aws", "DeployResult", "GuardedStack", "MigrateOptions", "MigrationPlan",
           "Setting", "Stack", "Stacks", "WallClock", "advise", "deploy", "http_probe", "migrate", "parse_setting",
           "plan_migration", "pulumi_opener", "rollback"]
