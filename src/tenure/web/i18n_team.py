"""Words of the team page and the book of business (assignment, reassignment).

Kept apart from ``tenure.web.i18n`` only to keep each file readable; ``i18n`` merges
these into its messages.
"""

from __future__ import annotations

# key: (English, 简体中文)
TEAM_MESSAGES: dict[str, tuple[str, str]] = {
    # The book of business: assignment rules and reassignment (tenure.book).
    "nav.book": ("Book of business", "客户分配"),
    "book.title": ("Book of business", "客户分配"),
    "book.rules": ("Assignment rules", "分配规则"),
    "book.rules_help": (
        "New accounts without an owner go to the first active rule that matches.",
        "没有负责人的新客户按顺序匹配第一条启用的规则。",
    ),
    "book.no_rules": ("No assignment rules yet.", "还没有分配规则。"),
    "book.every_account": ("Every account", "所有客户"),
    "book.inactive": ("inactive", "已停用"),
    "book.strategy": ("Who gets them", "分配方式"),
    "book.strategy.user": ("One person", "指定负责人"),
    "book.strategy.least_loaded": ("Least loaded in the team", "团队中客户最少者"),
    "book.strategy.round_robin": ("Team members in turn", "团队成员轮流"),
    "book.user": ("Person", "负责人"),
    "book.team": ("Team", "团队"),
    "book.rule": ("Rule", "规则"),
    "book.add_rule": ("Add rule", "新增规则"),
    "book.edit_rule": ("Edit rule", "编辑规则"),
    "book.edit": ("Edit", "编辑"),
    "book.move_up": ("Move up", "上移"),
    "book.move_down": ("Move down", "下移"),
    "book.delete_rule": ("Delete the rule '{name}'?", "删除规则「{name}」？"),
    "book.preview_unowned": ("Preview unowned accounts", "预览未分配客户"),
    "book.assign_now": ("Assign now", "立即分配"),
    "book.would_assign": (
        "{n} accounts would be assigned; {m} match no rule.",
        "将分配 {n} 个客户；{m} 个不匹配任何规则。",
    ),
    "book.assigned": ("Assigned {n} accounts.", "已分配 {n} 个客户。"),
    "book.unmatched": ("No rule matches", "无匹配规则"),
    "book.reassign": ("Bulk reassignment", "批量转移客户"),
    "book.reassign_help": (
        "Choose accounts and who takes them over, preview, then reassign.",
        "选择客户和接手人，先预览，再转移。",
    ),
    "book.from_owner": ("Current owner", "当前负责人"),
    "book.account_ids": (
        "Account ids (one per line, or separated by commas)",
        "客户编号（每行一个，或用逗号分隔）",
    ),
    "book.to_user": ("To a person", "转给个人"),
    "book.to_team": ("Spread over a team", "分给团队"),
    "book.spread": ("How", "分配方式"),
    "book.spread.least_loaded": ("Least loaded first", "客户最少者优先"),
    "book.spread.even": ("Evenly", "平均分配"),
    "book.reason": ("Reason", "原因"),
    "book.from": ("From", "原负责人"),
    "book.to": ("To", "新负责人"),
    "book.open_tasks": ("Open tasks", "待办任务"),
    "book.receiving": ("Receiving owner", "接手人"),
    "book.accounts": ("Accounts", "客户数"),
    "book.preview_summary": (
        "{n} accounts would move ({mrr} MRR, {tasks} open tasks follow).",
        "将转移 {n} 个客户（MRR {mrr}，{tasks} 个待办任务随之转移）。",
    ),
    "book.unchanged": (
        "{n} accounts already belong to the chosen owner and stay.",
        "{n} 个客户已属于所选负责人，保持不变。",
    ),
    "book.reassign_n": ("Reassign {n} accounts", "转移 {n} 个客户"),
    "book.confirm": ("Reassign {n} accounts now?", "确认转移 {n} 个客户？"),
    "book.reassigned": ("Reassigned {n} accounts.", "已转移 {n} 个客户。"),
    "book.failed": ("Not reassigned:", "未转移："),
    "book.notice_assigned": (
        "New accounts assigned to you: {n}",
        "新分配给你的客户：{n} 个",
    ),
    "book.notice_received": (
        "Accounts reassigned to you: {n}",
        "转给你的客户：{n} 个",
    ),
    "book.notice_lost": (
        "Your accounts reassigned to others: {n}",
        "你的客户已转给他人：{n} 个",
    ),
}
