"""Words of the team page and the book of business (assignment, reassignment).

Kept apart from ``tenure.web.i18n`` only to keep each file readable; ``i18n`` merges
these into its messages.
"""

from __future__ import annotations

# key: (English, 简体中文)
TEAM_MESSAGES: dict[str, tuple[str, str]] = {
    # Team and personal performance (tenure.team).
    "nav.team": ("Team performance", "团队业绩"),
    "team.title": ("Team performance", "团队业绩"),
    "team.not_permitted": (
        "Your role may not see team figures.",
        "你的角色无权查看团队业绩。",
    ),
    "team.period": ("Period", "期间"),
    "team.period.this_month": ("This month", "本月"),
    "team.period.last_month": ("Last month", "上月"),
    "team.period.this_quarter": ("This quarter", "本季度"),
    "team.period.last_12_months": ("Last 12 months", "近 12 个月"),
    "team.period.custom": ("Custom", "自定义"),
    "team.team": ("Team", "团队"),
    "team.all_teams": ("All teams", "全部团队"),
    "team.no_team": ("No team", "无团队"),
    "team.unassigned": ("Unassigned", "未分配"),
    "team.total": ("Total", "合计"),
    "team.comparison": ("Teams compared", "团队对比"),
    "team.trend": ("MRR and its movements, last 12 months", "MRR 及变动（近 12 个月）"),
    "team.ranking": ("Ranking", "排名"),
    "team.rank_by": ("Rank by", "排名依据"),
    "team.rank": ("#", "名次"),
    "team.person": ("Person", "成员"),
    "team.people": ("People", "人数"),
    "team.mrr": ("MRR", "MRR"),
    "team.opening_mrr": ("Opening MRR", "期初 MRR"),
    "team.net_new_mrr": ("Net new MRR", "净新增 MRR"),
    "team.transfers": ("Transfers, net", "转入转出净额"),
    "team.transfers_in": ("Transferred in", "转入"),
    "team.transfers_out": ("Transferred out", "转出"),
    "team.nrr": ("NRR", "净收入留存率 NRR"),
    "team.grr": ("GRR", "总收入留存率 GRR"),
    "team.churn": ("Churn", "流失 MRR"),
    "team.logo_churn": ("Logo churn", "客户流失率"),
    "team.rate_by_count": ("Renewal rate by count (续约率)", "续约率（按数量）"),
    "team.gross_rate_by_amount": (
        "Renewal rate by amount, gross (续费率)",
        "续费率（按金额，毛）",
    ),
    "team.net_rate_by_amount": (
        "Renewal rate by amount, net (续费率)",
        "续费率（按金额，净）",
    ),
    "team.renewals_due": ("Renewals due", "到期续约"),
    "team.renewals_renewed": ("Renewed", "已续约"),
    "team.renewals_churned": ("Churned at renewal", "到期未续"),
    "team.renewals_open": ("Renewals open", "待定续约"),
    "team.tasks_completed": ("Tasks done", "完成任务"),
    "team.tasks_overdue": ("Tasks overdue", "逾期任务"),
    "team.health": ("Health of each book", "各成员客户健康度"),
    "team.book": (
        "Paying accounts served, by type/size and by tier",
        "服务中的付费客户（按类型/规模、按等级）",
    ),
    "team.size": ("Type/size", "类型/规模"),
    "team.tier": ("Tier", "等级"),
    "team.accounts": ("Accounts", "客户数"),
    "team.nrr_help": (
        "NRR: of the accounts in the book at the start that were paying, their "
        "opening MRR plus the expansion, reactivation, contraction and churn while "
        "this person (or team) held them, over their opening MRR. GRR: the same "
        "without expansion and reactivation. Accounts taken over during the period "
        "are not counted; accounts handed on count only until the handover.",
        "NRR：期初在其名下且付费的客户，以期初 MRR 加上其负责期间的扩容、回流、缩减和"
        "流失，除以期初 MRR。GRR：同上但不含扩容和回流。期间内接手的客户不计入；转出的"
        "客户只计到转出为止。",
    ),
    "team.rates_help": (
        "Renewal rate by count (续约率) = renewed terms / decided terms. By amount "
        "(续费率): gross = renewed up to the amount due / amount due; net = renewed "
        "/ amount due; decided terms only.",
        "续约率（按数量）= 已续约条数 / 已有结果条数。续费率（按金额）：毛 = 不超过到期"
        "金额的续约金额 / 到期金额；净 = 续约金额 / 到期金额；只计已有结果的续约。",
    ),
    "team.attribution_help": (
        "Each figure belongs to whoever owned the account when it happened; a "
        "renewal to the owner on its due date. Reassigning never rewrites the past.",
        "每项数据归属发生时的客户负责人；续约归属到期日的负责人。转移客户不会改写历史。",
    ),
    "team.click_hint": (
        "Click a figure to see the accounts behind it.",
        "点击数字查看对应的客户。",
    ),
    "team.behind": ("Accounts behind the figure", "数据对应的客户"),
    "team.behind_total": ("{n} rows · {amount}", "{n} 条 · {amount}"),
    "team.behind_count": ("{n} rows", "{n} 条"),
    "team.opening": ("opening {amount}", "期初 {amount}"),
    "team.paying": ("paying", "付费"),
    "team.nobody": ("nobody", "无负责人"),
    "team.band": ("Health: {band}", "健康度：{band}"),
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
