"""Words and number formats of the pages, in English and Simplified Chinese."""

from __future__ import annotations

import logging
from collections.abc import Callable
from decimal import Decimal

from tenure.web.i18n_briefing import BRIEFING_MESSAGES
from tenure.web.i18n_team import TEAM_MESSAGES
from tenure.web.i18n_work import WORK_MESSAGES

log = logging.getLogger(__name__)

LOCALES = ("zh-CN", "en")
DEFAULT_LOCALE = "en"

# key: (English, 简体中文)
MESSAGES: dict[str, tuple[str, str]] = {
    "app.name": ("Tenure", "Tenure"),
    "nav.business": ("Business overview", "业务概览"),
    "nav.revenue": ("Revenue overview", "经营概览"),
    "nav.renewals": ("Renewals", "续约续费"),
    "nav.customers": ("Customers", "客户"),
    "nav.account": ("My account", "我的账户"),
    "nav.scorecards": ("Health scorecards", "健康度评分卡"),
    "nav.api_docs": ("API documentation", "API 文档"),
    "nav.sign_out": ("Sign out", "退出登录"),
    "login.title": ("Sign in to Tenure", "登录 Tenure"),
    "login.email": ("Email", "邮箱"),
    "login.password": ("Password", "密码"),
    "login.submit": ("Sign in", "登录"),
    "login.locked": (
        "Too many failed attempts. Try again later.",
        "失败次数过多，请稍后再试。",
    ),
    "login.wrong": ("Wrong email or password.", "邮箱或密码错误。"),
    "login.disabled": ("This account is disabled.", "该账户已停用。"),
    "common.filters": ("Filters", "筛选"),
    "common.all": ("All", "全部"),
    "common.apply": ("Apply", "应用"),
    "common.reset": ("Reset", "重置"),
    "common.from": ("From", "开始"),
    "common.to": ("To", "结束"),
    "common.interval": ("Interval", "周期"),
    "common.month": ("Month", "月"),
    "common.quarter": ("Quarter", "季度"),
    "common.year": ("Year", "年"),
    "common.none": ("Nothing to show.", "暂无数据。"),
    "common.back": ("Back", "返回"),
    "common.language": ("Language", "语言"),
    "common.customer": ("Customer", "客户"),
    "common.name": ("Name", "名称"),
    "common.date": ("Date", "日期"),
    "common.amount": ("Amount", "金额"),
    "common.stale": (
        "Revenue facts are not built yet: run `tenure rebuild`.",
        "收入数据尚未计算：请运行 `tenure rebuild`。",
    ),
    "dim.industry": ("Industry", "行业"),
    "dim.region": ("Region", "区域"),
    "dim.tier": ("Tier", "客户等级"),
    "dim.owner": ("Owner", "负责人"),
    "dim.plan": ("Plan", "套餐"),
    "dim.size": ("Size", "规模"),
    "dim.status": ("Status", "状态"),
    "dim.tag": ("Tag", "标签"),
    "status.active": ("Active", "活跃"),
    "status.churned": ("Churned", "已流失"),
    "status.prospect": ("Never paid", "未付费"),
    "business.active_now": ("Active customers", "活跃客户"),
    "business.trend": ("Active customers by month", "月度活跃客户"),
    "business.new_yesterday": ("New yesterday", "昨日新增"),
    "business.churned_yesterday": ("Churned yesterday", "昨日流失"),
    "business.new_month": ("New this month", "本月新增"),
    "business.churned_month": ("Churned this month", "本月流失"),
    "business.returned_month": ("Returned this month", "本月回流"),
    "business.by_segment": ("Active customers by segment", "活跃客户分布"),
    "revenue.mrr": ("MRR", "月经常性收入 MRR"),
    "revenue.arr": ("ARR", "年经常性收入 ARR"),
    "revenue.change": ("vs last month", "较上月"),
    "revenue.trend": ("MRR trend", "MRR 趋势"),
    "revenue.composition": ("MRR movements by month", "月度 MRR 构成"),
    "revenue.show_retained": ("Show retained MRR", "显示留存 MRR"),
    "revenue.retained": ("Retained", "留存"),
    "revenue.nrr": ("NRR", "净收入留存率 NRR"),
    "revenue.grr": ("GRR", "总收入留存率 GRR"),
    "revenue.nrr_12m": ("NRR (12 months)", "NRR（近12个月）"),
    "revenue.grr_12m": ("GRR (12 months)", "GRR（近12个月）"),
    "revenue.logo_churn": ("Logo churn", "客户流失率"),
    "revenue.arpa": ("ARPA", "客均收入 ARPA"),
    "revenue.quick_ratio": ("Quick ratio", "增长效率 Quick ratio"),
    "revenue.customers_behind": ("Customers behind the figure", "数字背后的客户"),
    "revenue.click_hint": (
        "Click a bar or a figure to see the customers behind it.",
        "点击柱形或数字查看对应客户。",
    ),
    "kind.new": ("New", "新增"),
    "kind.expansion": ("Expansion", "扩容"),
    "kind.reactivation": ("Reactivation", "回流"),
    "kind.contraction": ("Contraction", "缩减"),
    "kind.churn": ("Churn", "流失"),
    "kind.fx": ("FX impact", "汇率影响"),
    "kind.retained": ("Retained", "留存"),
    "renewals.this_month": ("Due this month", "本月到期"),
    "renewals.this_quarter": ("Due this quarter", "本季度到期"),
    "renewals.due": ("Due", "到期"),
    "renewals.renewed": ("Renewed", "已续约"),
    "renewals.churned": ("Churned", "已流失"),
    "renewals.open": ("Open", "待定"),
    "renewals.rate_by_count": ("Renewal rate by count (续约率)", "续约率（按客户数）"),
    "renewals.gross_rate_by_amount": (
        "Gross renewal rate by amount (续费率)",
        "续费率（按金额，不含增购）",
    ),
    "renewals.net_rate_by_amount": (
        "Net renewal rate by amount",
        "净续费率（按金额，含增购）",
    ),
    "renewals.forecast_vs_actual": ("Forecast against actual", "预测与实际"),
    "renewals.forecast": ("Forecast", "预测"),
    "renewals.actual": ("Renewed amount", "实际续费"),
    "renewals.due_amount": ("Amount due", "到期金额"),
    "renewals.terms": ("Terms due", "到期明细"),
    "renewals.high_value": ("High value", "高价值"),
    "renewals.outcome": ("Outcome", "结果"),
    "outcome.renewed": ("Renewed", "续约"),
    "outcome.upsell": ("Upsell", "增购续约"),
    "outcome.downsell": ("Downsell", "降级续约"),
    "outcome.churned": ("Churned", "流失"),
    "outcome.open": ("Open", "待定"),
    "customers.search": ("Search id or name", "搜索编号或名称"),
    "customers.export_csv": ("Export CSV", "导出 CSV"),
    "customers.export_xlsx": ("Export XLSX", "导出 XLSX"),
    "customers.total": ("{n} customers", "共 {n} 个客户"),
    "customer.profile": ("Profile", "基本信息"),
    "customer.owner": ("Owner", "负责人"),
    "customer.tags": ("Tags", "标签"),
    "customer.since": ("Customer since", "成为客户"),
    "customer.subscriptions": ("Subscriptions", "订阅"),
    "customer.contracts": ("Contracts", "合同"),
    "customer.mrr_history": ("MRR history", "MRR 历史"),
    "customer.movements": ("MRR movements", "MRR 变动"),
    "customer.renewals": ("Renewals", "续约记录"),
    "customer.contacts": ("Contacts", "联系人"),
    "customer.timeline": ("Timeline", "跟进记录"),
    "customer.health": ("Health", "健康度"),
    "customer.tasks": ("Tasks", "任务"),
    "customer.not_yet": (
        "Nothing recorded yet for this customer.",
        "该客户暂无记录。",
    ),
    "customer.custom": ("Other attributes", "其他属性"),
    "customer.not_found": ("No such customer.", "没有该客户。"),
    "band.red": ("Red", "红"),
    "band.yellow": ("Yellow", "黄"),
    "band.green": ("Green", "绿"),
    "band.insufficient": ("Insufficient data", "数据不足"),
    "health.by_segment": ("Customer health by segment", "客户健康度分布"),
    "health.trend": ("Customer health, last 90 days", "近 90 天客户健康度"),
    "health.segment": ("Segment by", "分组"),
    "health.no_value": ("(none)", "（未填）"),
    "health.click_hint": (
        "Click a bar to see its customers.",
        "点击柱形查看对应客户。",
    ),
    "health.customers": ("Customers by health", "健康度客户名单"),
    "health.not_scored": ("Health has not been scored yet.", "尚未计算健康度。"),
    "health.scored_on": ("Scored on {day}", "评分日期 {day}"),
    "health.score": ("Health score", "健康分"),
    "health.change_30": ("{delta} in 30 days", "近 30 天 {delta}"),
    "health.insufficient_note": (
        "Too little data for a score: the measures present carry too little weight.",
        "数据不足：有数据的指标权重太低，无法评分。",
    ),
    "health.by_rule": ("Set by rule: {reason}", "规则判定：{reason}"),
    "health.by_hand": ("Set by hand: {reason}", "人工设定：{reason}"),
    "health.scorecard": (
        "Scorecard {name}, version {version}",
        "评分卡 {name}，第 {version} 版",
    ),
    "health.history": ("Health history", "健康度历史"),
    "health.explanation": ("How the score is made", "评分明细"),
    "health.measure": ("Measure", "指标"),
    "health.value": ("Value", "数值"),
    "health.points": ("Points", "得分"),
    "health.weight": ("Weight", "权重"),
    "health.contribution": ("Contribution", "贡献"),
    "health.status": ("Status", "状态"),
    "measure.scored": ("Scored", "已计分"),
    "measure.missing": ("Missing", "缺失"),
    "measure.not_valid_yet": ("Not valid yet", "尚未生效"),
    "measure.expired": ("Expired", "已过期"),
    "health.override": ("Override in force", "生效中的人工调整"),
    "health.override_text": (
        "{band} until {day}: {reason}",
        "{band}，有效期至 {day}：{reason}",
    ),
    "health.revoke": ("Revoke override", "撤销调整"),
    "health.set_override": ("Set an override", "人工调整健康度"),
    "health.band": ("Band", "健康等级"),
    "health.reason": ("Reason", "原因"),
    "health.expires_on": ("Expires on", "到期日"),
    "health.save": ("Save", "保存"),
    "health.saved": ("Saved.", "已保存。"),
    "health.sentiment": ("Record sentiment", "记录客户情绪"),
    "health.sentiment_value": ("How does the customer feel?", "客户感受如何？"),
    "health.note": ("Note", "备注"),
    "health.latest_sentiment": ("Latest sentiment", "最近情绪评估"),
    "sentiment.1": ("1 · Very unhappy", "1 · 非常不满"),
    "sentiment.2": ("2 · Unhappy", "2 · 不满"),
    "sentiment.3": ("3 · Neutral", "3 · 一般"),
    "sentiment.4": ("4 · Happy", "4 · 满意"),
    "sentiment.5": ("5 · Very happy", "5 · 非常满意"),
    "usage.title": ("Product usage, last 90 days", "近 90 天产品使用"),
    "usage.active_users": ("Active users", "活跃用户"),
    "usage.events": ("Events", "事件数"),
    "usage.none": ("No product usage in the last 90 days.", "近 90 天无产品使用。"),
    "scorecards.admin_only": (
        "Only admins manage health scorecards.",
        "仅管理员可管理健康度评分卡。",
    ),
    "scorecards.new": ("New scorecard", "新建评分卡"),
    "scorecards.edit": ("Edit scorecard", "编辑评分卡"),
    "scorecards.name": ("Name", "名称"),
    "scorecards.segment": ("Segment", "适用客户"),
    "scorecards.everyone": ("Every account", "全部客户"),
    "scorecards.priority": ("Priority", "优先级"),
    "scorecards.priority_hint": (
        "Lower numbers are tried first.",
        "数字越小越优先匹配。",
    ),
    "scorecards.default": ("Default", "默认"),
    "scorecards.active": ("Active", "启用"),
    "scorecards.version": ("Version", "版本"),
    "scorecards.bands": (
        "Band thresholds (lowest score of each band)",
        "健康等级分数线",
    ),
    "scorecards.minimum": ("Minimum data", "最少数据"),
    "scorecards.weight_share": ("Share of weight needed (0–1)", "所需权重占比（0–1）"),
    "scorecards.min_measures": ("Measures needed", "所需指标数"),
    "scorecards.measures": ("Measures (JSON)", "指标（JSON）"),
    "scorecards.exceptions": ("Exceptions (JSON)", "例外规则（JSON）"),
    "scorecards.other_segment": (
        "Other segment conditions (JSON)",
        "其他适用条件（JSON）",
    ),
    "scorecards.any_value": ("Empty: any value", "留空表示不限"),
    "scorecards.bad_json": ("Not valid JSON: {error}", "JSON 格式错误：{error}"),
    "scorecards.not_list": (
        "This must be a JSON list [...].",
        "此处须为 JSON 列表 [...]。",
    ),
    "scorecards.not_object": (
        "This must be a JSON object {...}.",
        "此处须为 JSON 对象 {...}。",
    ),
    "scorecards.delete": ("Delete", "删除"),
    "scorecards.confirm_delete": ("Delete scorecard {name}?", "删除评分卡 {name}？"),
    "scorecards.cancel": ("Cancel", "取消"),
    "scorecards.deleted": ("Scorecard deleted.", "评分卡已删除。"),
    "scorecards.export": ("Export all (JSON)", "全部导出（JSON）"),
    "scorecards.import": ("Import JSON file", "导入 JSON 文件"),
    "scorecards.replace": (
        "Also delete scorecards the file does not name",
        "同时删除文件中未包含的评分卡",
    ),
    "scorecards.imported": (
        "Imported: {created} created, {updated} updated, {unchanged} unchanged, "
        "{deleted} deleted.",
        "导入完成：新建 {created}，更新 {updated}，未变 {unchanged}，删除 {deleted}。",
    ),
    "scorecards.import_failed": (
        "Nothing was imported:",
        "未导入任何内容：",
    ),
    "scorecards.save_failed": ("Not saved:", "未保存："),
    "scorecards.not_found": ("No such scorecard.", "没有该评分卡。"),
    "account.title": ("My account", "我的账户"),
    "account.change_password": ("Change password", "修改密码"),
    "account.current_password": ("Current password", "当前密码"),
    "account.new_password": ("New password", "新密码"),
    "account.password_changed": ("Password changed.", "密码已修改。"),
    "account.api_keys": ("API keys", "API 密钥"),
    "account.new_key": ("Create API key", "创建 API 密钥"),
    "account.key_once": (
        "Copy this key now: it will not be shown again.",
        "请立即复制该密钥，它不会再次显示。",
    ),
    "account.revoke": ("Revoke", "吊销"),
    "account.role": ("Role", "角色"),
}

MESSAGES.update(WORK_MESSAGES)
MESSAGES.update(TEAM_MESSAGES)
MESSAGES.update(BRIEFING_MESSAGES)


def translator(locale: str | None) -> Callable[..., str]:
    """Return a function that gives the text of a key in ``locale``."""
    column = 1 if locale == "zh-CN" else 0

    def text(key: str, **values: object) -> str:
        entry = MESSAGES.get(key)
        if entry is None:
            log.warning("no text for %s", key)
            return key
        return entry[column].format(**values) if values else entry[column]

    return text


def pick_locale(preferred: str | None, accept_language: str | None) -> str:
    """Choose the page language: the user's choice, else the browser's, else English."""
    if preferred in LOCALES:
        return preferred
    if accept_language and accept_language.lower().startswith("zh"):
        return "zh-CN"
    return DEFAULT_LOCALE


def money_text(amount: Decimal | int | float | None, currency: str) -> str:
    """Format an amount in major units with its currency: ¥1,234,567 or USD 1,234."""
    if amount is None:
        return "–"
    symbol = {"CNY": "¥", "USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}.get(currency)
    value = Decimal(str(amount))
    places = 0 if abs(value) >= 1000 else 2
    text = f"{abs(value):,.{places}f}"
    sign = "-" if value < 0 else ""
    return f"{sign}{symbol}{text}" if symbol else f"{sign}{currency} {text}"


def percent_text(rate: Decimal | float | None) -> str:
    """Format a fraction (1 = 100%) as a percentage with one decimal."""
    if rate is None:
        return "–"
    return f"{Decimal(str(rate)) * 100:.1f}%"
