"""Words of the daily briefing, its preferences and the mobile pages.

Kept apart from ``tenure.web.i18n`` only to keep each file readable; ``i18n`` merges
these into its messages.
"""

from __future__ import annotations

# key: (English, 简体中文)
BRIEFING_MESSAGES: dict[str, tuple[str, str]] = {
    # The briefing's content (tenure.briefing.content).
    "brief.title": ("Tenure daily briefing — {date}", "Tenure 每日简报 — {date}"),
    "brief.scope.company": ("Company", "全公司"),
    "brief.scope.team": ("Your team", "我的团队"),
    "brief.scope.book": ("Your book", "我的客户"),
    "brief.section.mrr_change": ("MRR change", "MRR 变动"),
    "brief.section.new_customers": ("New customers", "新增客户"),
    "brief.section.churned_customers": ("Churned customers", "流失客户"),
    "brief.section.renewals_due": ("Renewals due", "即将到期续约"),
    "brief.section.tasks_due": ("Your tasks due", "我的到期任务"),
    "brief.section.health_fell": ("Health fell", "健康度下降"),
    "brief.mrr.summary": (
        "MRR {mrr} ({change} yesterday)",
        "MRR {mrr}（昨日 {change}）",
    ),
    "brief.mrr.none": ("MRR {mrr}; no change yesterday", "MRR {mrr}，昨日无变动"),
    "brief.mrr.kind_detail": (
        "{amount} · {count} customers",
        "{amount} · {count} 个客户",
    ),
    "brief.mrr.kind_detail.one": ("{amount} · 1 customer", "{amount} · 1 个客户"),
    "brief.new.summary": (
        "{count} new customers, {amount} MRR",
        "新增 {count} 个客户，MRR {amount}",
    ),
    "brief.new.summary.one": (
        "1 new customer, {amount} MRR",
        "新增 1 个客户，MRR {amount}",
    ),
    "brief.new.returning": (
        "{new} new and {returning} returning customers, {amount} MRR",
        "新增 {new} 个客户、回流 {returning} 个客户，MRR {amount}",
    ),
    "brief.new.none": ("No new customers yesterday", "昨日无新增客户"),
    "brief.customer.detail": ("{amount} MRR", "MRR {amount}"),
    "brief.customer.returning": ("returning", "回流"),
    "brief.churned.summary": (
        "{count} customers churned, {amount} MRR",
        "流失 {count} 个客户，MRR {amount}",
    ),
    "brief.churned.summary.one": (
        "1 customer churned, {amount} MRR",
        "流失 1 个客户，MRR {amount}",
    ),
    "brief.churned.none": ("No customers churned yesterday", "昨日无客户流失"),
    "brief.renewals.summary": (
        "{count} renewals due in {days} days, {amount}",
        "{days} 天内 {count} 个续约到期，金额 {amount}",
    ),
    "brief.renewals.summary.one": (
        "1 renewal due in {days} days, {amount}",
        "{days} 天内 1 个续约到期，金额 {amount}",
    ),
    "brief.renewals.overdue_note": (" ({count} overdue)", "（{count} 个已逾期）"),
    "brief.renewals.none": (
        "No renewals due in the next {days} days",
        "未来 {days} 天无续约到期",
    ),
    "brief.renewals.detail": ("due {date} · {amount}", "{date} 到期 · {amount}"),
    "brief.renewals.overdue_detail": (
        "overdue since {date} · {amount}",
        "已于 {date} 逾期 · {amount}",
    ),
    "brief.tasks.summary": ("{count} tasks due", "{count} 项任务到期"),
    "brief.tasks.summary.one": ("1 task due", "1 项任务到期"),
    "brief.tasks.overdue_note": (" ({count} overdue)", "（{count} 项已逾期）"),
    "brief.tasks.none": ("No tasks due", "暂无到期任务"),
    "brief.tasks.due_today": ("due today", "今日到期"),
    "brief.tasks.late": ("{count} days overdue", "逾期 {count} 天"),
    "brief.tasks.late.one": ("1 day overdue", "逾期 1 天"),
    "brief.tasks.team": ("Team: {count} overdue tasks", "团队：{count} 项任务逾期"),
    "brief.tasks.team.one": ("Team: 1 overdue task", "团队：1 项任务逾期"),
    "brief.health.summary": (
        "{count} customers fell to a lower health band",
        "{count} 个客户健康度下降",
    ),
    "brief.health.summary.one": (
        "1 customer fell to a lower health band",
        "1 个客户健康度下降",
    ),
    "brief.health.none": (
        "No customer's health fell yesterday",
        "昨日无客户健康度下降",
    ),
    "brief.health.detail": (
        "{before} → {after} ({scores})",
        "{before} → {after}（{scores}）",
    ),
    "brief.head.mrr": ("MRR {change}", "MRR {change}"),
    "brief.head.mrr_flat": ("MRR unchanged", "MRR 无变动"),
    "brief.head.new": ("{count} new", "新增 {count}"),
    "brief.head.churned": ("{count} churned", "流失 {count}"),
    "brief.head.renewals": (
        "{count} renewals due this week",
        "本周 {count} 个续约到期",
    ),
    "brief.head.renewals_overdue": (
        "{count} renewals overdue",
        "{count} 个续约逾期",
    ),
    "brief.head.tasks": ("{count} tasks due", "{count} 项任务到期"),
    "brief.head.tasks.one": ("1 task due", "1 项任务到期"),
    "brief.head.renewals.one": ("1 renewal due this week", "本周 1 个续约到期"),
    "brief.head.renewals_overdue.one": ("1 renewal overdue", "1 个续约逾期"),
    "brief.head.health": ("{count} fell in health", "{count} 个健康度下降"),
    "brief.more": ("… and {count} more", "…… 另有 {count} 项"),
    "brief.see_all": ("See all", "查看全部"),
    "brief.open": ("Open the briefing", "打开简报"),
    # Delivery (tenure.briefing.channels): late marks, failures, webhook tests.
    "notify.late": ("(late)", "(补发)"),
    "notify.channel.email": ("email", "邮件"),
    "notify.channel.in_app": ("in-app notification", "站内通知"),
    "notify.deleted_webhook": ("a deleted webhook", "已删除的 Webhook"),
    "notify.failed_title": (
        "Your briefing of {date} was not sent by {channel}",
        "{date} 的每日简报未能通过{channel}发送",
    ),
    "notify.failed_body": (
        "Reason: {error}. Check the channel under My account.",
        "原因：{error}。请在“我的账户”中检查该渠道。",
    ),
    "notify.test_title": ("Tenure test message", "Tenure 测试消息"),
    "notify.test_message": (
        "This webhook ({name}) will receive your Tenure daily briefing.",
        "此 Webhook（{name}）将接收你的 Tenure 每日简报。",
    ),
    # The briefing card on My account (tenure.web.pages.me_briefing).
    "prefs.title": ("Daily briefing", "每日简报"),
    "prefs.enabled": ("Send me the daily briefing", "给我发送每日简报"),
    "prefs.send_time": ("Send time (HH:MM)", "发送时间（时:分）"),
    "prefs.zone": ("Your time zone: {zone}", "你的时区：{zone}"),
    "prefs.email": ("By email to {email}", "发送邮件至 {email}"),
    "prefs.in_app": ("In the notification centre", "站内通知中心"),
    "prefs.save": ("Save", "保存"),
    "prefs.saved": ("Briefing preferences saved", "简报设置已保存"),
    "prefs.not_saved": ("Not saved:", "未保存："),
    "prefs.preview": ("Preview today's briefing", "预览今日简报"),
    "prefs.webhooks": ("Chat webhooks", "群机器人 Webhook"),
    "prefs.no_webhooks": ("No webhooks yet.", "暂无 Webhook。"),
    "prefs.kind": ("Platform", "平台"),
    "prefs.kind.wecom": ("WeCom", "企业微信"),
    "prefs.kind.dingtalk": ("DingTalk", "钉钉"),
    "prefs.kind.feishu": ("Feishu / Lark", "飞书"),
    "prefs.kind.slack": ("Slack", "Slack"),
    "prefs.name": ("Name", "名称"),
    "prefs.url": ("Webhook address", "Webhook 地址"),
    "prefs.secret": (
        "Signing secret (DingTalk, Feishu; optional)",
        "加签密钥（钉钉、飞书；可选）",
    ),
    "prefs.signed": ("signed", "已加签"),
    "prefs.add": ("Add webhook", "添加 Webhook"),
    "prefs.added": ("Webhook added", "Webhook 已添加"),
    "prefs.delete": ("Delete", "删除"),
    "prefs.deleted": ("Webhook deleted", "Webhook 已删除"),
    "prefs.test": ("Send test", "发送测试"),
    "prefs.test_sent": ("Test message sent", "测试消息已发送"),
    "prefs.test_failed": ("Test message not sent:", "测试消息发送失败："),
}
