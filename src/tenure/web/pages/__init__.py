"""The pages of the web app, registered on NiceGUI's app by ``register_pages``."""

from __future__ import annotations

from nicegui import ui

from tenure.web.pages.book import book_page
from tenure.web.pages.business import business_page
from tenure.web.pages.customer import customer_page
from tenure.web.pages.customers import customers_page
from tenure.web.pages.health import health_customers_page
from tenure.web.pages.login import login_page
from tenure.web.pages.me import me_page
from tenure.web.pages.mobile import (
    mobile_briefing,
    mobile_health,
    mobile_home,
    mobile_movements,
    mobile_renewals,
)
from tenure.web.pages.mobile_customer import mobile_customer
from tenure.web.pages.mobile_tasks import mobile_task, mobile_tasks
from tenure.web.pages.notifications import notifications_page, open_notification
from tenure.web.pages.playbooks import (
    new_playbook_page,
    playbook_page,
    playbooks_page,
)
from tenure.web.pages.renewals import renewal_terms_page, renewals_page
from tenure.web.pages.revenue import customers_behind_page, revenue_page
from tenure.web.pages.rules import new_rule_page, rule_page, rules_page
from tenure.web.pages.scorecard_editor import new_scorecard_page, scorecard_page
from tenure.web.pages.scorecards import scorecards_page
from tenure.web.pages.segments import segments_page
from tenure.web.pages.task import task_page
from tenure.web.pages.tasks import tasks_page
from tenure.web.pages.team import team_performance_page
from tenure.web.pages.team_behind import team_behind_page
from tenure.web.pages.workbench import workbench_page

ROUTES = (
    ("/login", login_page),
    ("/", business_page),
    ("/revenue", revenue_page),
    ("/revenue/customers", customers_behind_page),
    ("/renewals", renewals_page),
    ("/renewals/terms", renewal_terms_page),
    ("/health/customers", health_customers_page),
    ("/health/scorecards", scorecards_page),
    ("/health/scorecards/new", new_scorecard_page),
    ("/health/scorecards/{scorecard_id}", scorecard_page),
    ("/customers", customers_page),
    ("/customers/{account_id}", customer_page),
    ("/me", me_page),
    ("/workbench", workbench_page),
    ("/tasks", tasks_page),
    ("/tasks/{task_id}", task_page),
    ("/notifications", notifications_page),
    ("/notifications/{note_id}", open_notification),
    ("/rules", rules_page),
    ("/rules/new", new_rule_page),
    ("/rules/{rule_id}", rule_page),
    ("/playbooks", playbooks_page),
    ("/playbooks/new", new_playbook_page),
    ("/playbooks/{playbook_id}", playbook_page),
    ("/segments", segments_page),
    ("/book", book_page),
    ("/team", team_performance_page),
    ("/team/behind", team_behind_page),
    ("/m", mobile_home),
    ("/m/briefing/{date}", mobile_briefing),
    ("/m/customers/{external_id}", mobile_customer),
    ("/m/tasks", mobile_tasks),
    ("/m/tasks/{task_id}", mobile_task),
    ("/m/renewals", mobile_renewals),
    ("/m/movements/{date}", mobile_movements),
    ("/m/health/{date}", mobile_health),
)


def register_pages() -> None:
    """Register every page; called once per app (and per simulated app in tests)."""
    for path, function in ROUTES:
        ui.page(path)(function)
