"""The problems a PMO's lessons are about, and how each is written in English and Chinese.

Lessons of one problem are written in words that share little: staff *resign*, *quit*, *hand in
their notice*, are *poached*, *roll off*; 离职, 跳槽, 人员流失. No grouping by shared words
gathers them, and a dictionary translates words, not problems. The **problem list**
(:data:`PROBLEMS`) is what a PMO already knows: the recurring causes of project trouble, each with
the words and phrases lessons use for it in both languages. A lesson's **problem** is the one
whose cues it uses most (:func:`problem_of`), the title counting twice as much as the
description; the themes gather the lessons of one problem first, and group the rest by their
words (:mod:`pmo_analysis.analyses.lessons.themes`).

The list follows published catalogues of project risk factors, so that it names the problems a
register holds rather than the ones a sample was written with:

* Schmidt, Lyytinen, Keil and Cule, "Identifying software project risks: an international Delphi
  study", *Journal of Management Information Systems* 17(4), 2001: 53 risk factors in 14 groups
  (sponsorship, relationship management, project management, scope, requirements, funding,
  scheduling, development process, personnel, staffing, technology, external dependencies,
  planning, corporate environment);
* Carr, Konda, Monarch, Ulrich and Walker, *Taxonomy-Based Risk Identification*, SEI
  CMU/SEI-93-TR-6, 1993 (product engineering, development environment, programme constraints);
* the knowledge areas of PMI's *PMBOK Guide* (scope, schedule, cost, quality, resources,
  communications, risk, procurement, stakeholders) and ITIL's service transition and operation
  (release, deployment, incidents, capacity, availability, security).

Cue syntax: English cues are phrases separated by ``;``; each word is compared by its Snowball stem
(``resigned``, ``resignation`` -> ``resign``), and the words of a phrase must come in order with at
most :data:`GAP` other words between them (``left ... company`` finds "left the company"). Chinese
cues are separated by spaces and found as written (离职 in 她离职了).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

__all__ = ["GAP", "TITLE_CUE_WEIGHT", "Problem", "PROBLEMS", "problem_scores", "problem_of", "cue_pattern"]

#: Words allowed between two words of an English cue phrase ("left the company", "handed in her notice").
GAP = 2
#: A cue in the title counts this many times one in the description: the title states the problem.
TITLE_CUE_WEIGHT = 4.0


@dataclass(frozen=True)
class Problem:
    """One problem of the list: its id, its names and its cues in English and Chinese."""

    id: str
    name: str
    name_zh: str
    en: str
    zh: str


PROBLEMS: tuple[Problem, ...] = (
    # ------------------------------------------------------------------ scope and requirements
    Problem(
        "requirements_unclear",
        "Unclear requirements",
        "需求不明确",
        "unclear requirement*; requirement* unclear; requirements were unclear; vague; ambiguous; ambiguit*;"
        " requirement* not defined; poorly defined; ill defined; undefined requirement*; incomplete requirement*;"
        " requirement* incomplete; incomplete specification*; missing requirement*; misunderstood requirement*;"
        " requirement* misunderstood; misinterpret*; interpreted differently; acceptance criteria; no sign off;"
        " not signed off; business owner* not available; unclear user stor*; requirement* gathering;"
        " elicitation; unclear specification*; specification* unclear; not clear what; nobody knew what;"
        " built the wrong; wrong thing built; expectations differ*; assumed requirement*; unclear scope;"
        " scope was unclear; not what the business; not what users wanted; did not match the need*",
        "需求不明确 需求模糊 需求不清 需求不完整 需求理解 理解偏差 理解不一致 验收标准 需求说明 需求调研 需求缺失 口径不一致"
        " 没有书面确认 需求文档 描述含糊 含糊 歧义 规格说明 需求未确认 做出来不是 预期不一致 需求没有 需求不到位 不是用户想要"
        " 范围不清",
    ),
    Problem(
        "requirements_change",
        "Requirement changes",
        "需求变更频繁",
        "requirement* change*; requirements changed; changing requirement*; late change*; changed late;"
        " change request*; change control; requirement churn; churn; moving target; changed mind;"
        " changed their mind*; reversed decision*; requirement volatility; kept changing; redesign*;"
        " reprioriti*; u turn",
        "需求变更 变更频繁 频繁变更 变更请求 变更控制 需求反复 需求变化 反复修改 推倒重来 朝令夕改 变来变去 改来改去 临时变更"
        " 需求调整 方案反复",
    ),
    Problem(
        "scope_creep",
        "Scope creep",
        "范围蔓延",
        "scope creep; creep; crept; gold plating; gold plate*; extra feature*; additional feature*; new feature*;"
        " features added; feature added; added feature*; feature request*; wish list; nice to have; scope grew;"
        " scope growth; growth in scope; scope expan*; expanded scope; scope increase*; out of scope;"
        " outside scope; outside the scope; beyond scope; beyond the scope; outside the charter;"
        " uncontrolled scope; scope baseline; scope statement; additions; said yes; enhancement*;"
        " deliverables grew; grew from; kept growing; kept adding; kept being added; added up;"
        " extended to all; quietly extended; small request*; minor request*; extra module*; extra report*;"
        " more features; scope control",
        "范围蔓延 范围扩大 范围膨胀 范围增长 范围的增长 镀金 额外 新增功能 追加功能 增加功能 范围外 范围之外 范围基线 范围说明"
        " 愿望清单 不断追加 不断增加 持续增加 功能膨胀 需求膨胀 无序膨胀 范围失控 说不 小需求 加个 多交付 扩大到 功能增强"
        " 范围控制 顺便",
    ),
    # ------------------------------------------------------------------ estimates and cost
    Problem(
        "estimates",
        "Unrealistic estimates",
        "估算不切实际",
        "underestimat*; unrealistic estimate*; optimistic estimate*; estimate* optimistic; estimates were wrong;"
        " effort estimate*; estimation; estimating; overoptimistic; over optimistic; too optimistic;"
        " unrealistic deadline*; unrealistic schedule*; unrealistic plan*; unrealistic timeline*;"
        " aggressive timeline*; aggressive schedule*; imposed deadline*; planning fallacy; took twice;"
        " took three times; twice as long; double the effort; best case; guesstimate*; top down date*",
        "低估 估算 估计不足 估计过于乐观 过于乐观 不切实际 工作量估计 拍脑袋 倒排工期 工期压缩 时间估计 预估不足 计划过于理想"
        " 乐观估计 最理想 工期不合理",
    ),
    Problem(
        "budget_overrun",
        "Budget overruns",
        "预算超支",
        "budget overrun*; cost overrun*; overrun*; overspend*; overspent; over budget; exceeded the budget;"
        " budget exceeded; exceeded the approved; costs exceeded; cost increase*; cost escalat*; unplanned cost*;"
        " unplanned expense*; unbudgeted; hidden cost*; hidden fee*; licence fee*; license fee*;"
        " contingency consumed; contingency spent; reserve spent; funding ran out; money ran out;"
        " ran out of money; ran out of budget; top up*; additional funding; extra funding; financial plan;"
        " financial headroom; financial outlook; spend; spending; expenditure*; expense*; invoice*; monthly bill;"
        " day rate*; price increase*; cost forecast*; burn rate; more expensive; exchange rate*; currency;"
        " budget*; money; funding; costs; cost more",
        "超支 超预算 预算 费用 成本 追加资金 资金 储备金 应急储备 实际支出 开支 花费 花完 账单 单价 费率 财务 超出批复 汇率"
        " 涨价 贵了 收费 投资 经费 钱",
    ),
    # ------------------------------------------------------------------ suppliers and contracts
    Problem(
        "vendor_delivery",
        "Vendor delivery delays",
        "供应商交付延迟",
        "vendor delivered; vendor missed; vendor delay*; vendor slipp*; supplier delay*; supplier missed;"
        " missed delivery; missed the agreed; delivery date*; vendor performance; vendor underperform*;"
        " vendor quality; third party deliver*; outsourc*; subcontract*; milestone penalt*; penalty clause*;"
        " service level*; vendor did not; vendor failed; supplier failed; delivered late; late delivery;"
        " delivery delay*; vendor management; supplier management",
        "供应商交付 供应商延迟 供应商延期 厂商交付 交付延迟 交付延期 未按合同 未按期交付 逾期交付 交付推迟 外包方 外包团队 分包"
        " 供应商未 厂商未 供应商能力 乙方 里程碑考核 违约 服务水平 供应商管理",
    ),
    Problem(
        "vendor_lockin",
        "Vendor lock-in",
        "厂商锁定",
        "lock in; locked in; lockin; locked into; proprietary; closed format*; closed ecosystem*; closed product*;"
        " exit clause*; exit cost*; exit strateg*; switching cost*; switching vendor*; switch provider*;"
        " portability; portable; captive; dependence on one; dependent on one; single vendor; sole supplier;"
        " only the supplier; only the original; only the vendor; incumbent; open standard*; open interface*;"
        " data export*; renewal price*; renewal term*; vendor specific; tied us; tied to",
        "锁定 绑定 私有 专有 封闭 退出条款 退出成本 更换厂商 更换供应商 更换服务商 更换平台 可移植 可迁移性 受制于人 单一厂商"
        " 单一供应商 依赖原厂 原厂 原集成商 只能依赖 只有厂商 续约 开放标准 开放接口 导出工具 导出格式 议价能力 被动接受",
    ),
    Problem(
        "procurement",
        "Procurement delays",
        "采购流程缓慢",
        "procur*; purchase order*; purchasing; purchase*; tender*; rfp; rfq; rfi; request for proposal*;"
        " bidding; bidder*; sourcing; supplier selection; vendor selection; contract signature; contract signing;"
        " signed the contract; contract award*; contract negotiation*; legal review; framework agreement*;"
        " approved supplier list; preferred supplier*; supplier onboarding; vendor onboarding; order placed;"
        " lead time*; purchase approval*; purchase request*; requisition*; buying; quotation*;"
        " licences arrived; hardware arrived; equipment arrived",
        "采购 招标 投标 询价 比价 采购流程 采购审批 采购订单 下单 供应商选择 供应商准入 合同签署 合同签订 合同审批 合同谈判"
        " 法务审核 框架协议 到货 交货期 采购周期 请购 选型 报价 订货 购买 发货 物流 供货 标书 流标 中标",
    ),
    # ------------------------------------------------------------------ people
    Problem(
        "staff_turnover",
        "Staff turnover",
        "人员流失",
        "turnover; attrition; resign*; quit; leaver*; left the company; left the organi*; left the team;"
        " left the project; left the job; left the firm; left the business; left the bank; left mid;"
        " left halfway; left abruptly; left without; who left; they left; when they left; when she left;"
        " when he left; left us; handed notice; handed in; gave notice; notice period; poach*; departure*;"
        " departed; moved job*; new job; another job; other job*; better paid; better offer*; job offer*;"
        " higher salar*; pay rise; counter offer*; exit interview*; retention; retain staff; retention bonus*;"
        " roll off; rolled off; replaced three; replaced twice; replaced several; changed hands; successor*;"
        " backfill*; vacanc*; unfilled; staff churn; key person; key people; bus factor; walked out;"
        " walked out the door; exodus; lost two; lost three; lost the only; moved on;"
        " headhunt*; left for; joined a competitor; joined another",
        "离职 辞职 流失 跳槽 人员流动 人员变动 人员更替 走人 挖走 挖角 另谋高就 辞呈 人才流失 留任 留人 空缺 补位 接替 接任"
        " 离开公司 离开项目 离开团队 调离 调走 核心人员离开 关键人员离开 三任 几任 人走了 招聘 招人 招不到 人员稳定 骨干流失"
        " 走了 提出离开 被竞争对手 猎头 跳去 换人 人员更换 新人接手",
    ),
    Problem(
        "resource_overallocation",
        "Resource over-allocation",
        "资源冲突",
        "over allocat*; overallocat*; overbook*; over book*; booked on; multiple projects; three projects;"
        " several projects; pulled onto; pulled off; pulled away; competing priorit*; resource conflict*;"
        " resource contention; shared resource*; part time; split across; overload*; overworked; burnout;"
        " burn out; burned out; stretched thin; bandwidth; understaff*; under staffed; short staffed;"
        " not enough people; resource shortage*; capacity of the team; day job",
        "资源冲突 资源不足 人手不足 人力不足 多个项目 同时参与 兼职 抽调 借调 调去 超负荷 过载 疲惫 资源紧张 人员紧张 资源争抢"
        " 分身乏术 同时占用 本职工作",
    ),
    Problem(
        "skills_training",
        "Training and skills gaps",
        "培训与技能不足",
        "training; trained; untrained; trainer*; upskill*; reskill*; skill gap*; skills gap*; lack skill*;"
        " lacked skill*; lacked the skill*; lacked experience; inexperienc*; lack experience; lack of experience;"
        " competence; competenc*; coach*; teach; taught; teaching; learning plan; e learning; course*;"
        " classroom; onboarding of new; newcomer*; enablement; super user*; know how; expertise;"
        " learning curve; unfamiliar; novice*; could not operate; unable to use; did not know how; manual*;"
        " user guide*; certification training",
        "培训 技能 能力不足 经验不足 缺乏经验 不熟悉 不会使用 不会操作 学习 课程 讲师 授课 辅导 赋能 新手 新人 新员工 上手"
        " 关键用户 专业能力 能力考核 考核 摸索 操作手册 用户手册",
    ),
    # ------------------------------------------------------------------ stakeholders, communication, governance
    Problem(
        "communication",
        "Communication breakdown",
        "沟通不畅",
        "communicat*; miscommunicat*; silo*; not informed; kept informed; not told; never told; were told;"
        " heard about; status report*; reported green; watermelon; meeting minutes; minuted; agenda*;"
        " channel*; single source of truth; unanswered; no reply; briefing; briefed; handoff*; hand off;"
        " language barrier*; spoke past; kept in the dark; surprised; blindsided; bad news; no feedback;"
        " town hall*; newsletter*; updates; outdated information; nobody told; no one told; found out;"
        " learned of; learnt of",
        "沟通 信息 通知 告知 传达 通报 汇报 周报 会议纪要 纪要 议程 渠道 交底 各自为政 信息孤岛 不知情 蒙在鼓里 突然得知"
        " 听说 坏消息 语言障碍 各说各话 信息不对称 无人答复 无人回应 进展 没人告诉 才知道 才得知",
    ),
    Problem(
        "stakeholder_conflict",
        "Stakeholder conflict",
        "干系人冲突",
        "stakeholder conflict*; conflict; conflicts; conflicting; disagree*; dispute*; argued; arguing;"
        " argument*; clash*; turf; politic*; competing interest*; competing agenda*; competing demand*;"
        " conflicting priorit*; opposed; opposing; opposition; veto*; blocked the decision;"
        " power struggle*; friction; misaligned; not aligned; infighting; stalemate; deadlock*;"
        " standoff; stand off; rival*; fought; at odds; tug of war; could not agree; never agreed;"
        " refused; refusal; hostil*; two departments; both departments; each department;"
        " sales and operations; finance and it",
        "干系人冲突 冲突 分歧 争执 争议 争论 矛盾 对立 扯皮 推诿 意见不一 意见不统一 各执一词 僵持 僵局 博弈 内耗 立场 部门墙"
        " 争夺 反对 否决 协调不了 协调困难 站队 互不相让 不同意 拒绝 不买账 各部门 两个部门 部门之间 领导之间 诉求 利益 僵住"
        " 互相 谁也不 不让步 吵",
    ),
    Problem(
        "governance",
        "Weak sponsorship and governance",
        "发起人与治理薄弱",
        "governance; steering committee; steering group; decision*; approval*; approve; escalation path;"
        " accountab*; ownership; owner unclear; no owner; nobody owned; raci; mandate; decision rights;"
        " no authority; sponsor; sponsorship; executive support; leadership support; business case;"
        " stage gate; gate review; bureaucra*; sign off took",
        "治理 决策 审批 拍板 指导委员会 领导小组 发起人 授权 权责 职责 责任不清 无人负责 没人负责 主责 牵头 高层支持 领导支持"
        " 商业论证 阶段评审 层层审批 签批",
    ),
    Problem(
        "adoption",
        "Low user adoption",
        "用户抵触变革",
        "adoption; adopt; resist*; reluctan*; change management; organisational change; organizational change;"
        " buy in; workaround*; shadow system*; spreadsheets; old system; old way; went back; revert*;"
        " low usage; usage; uptake; change fatigue; business readiness; readiness",
        "抵触 抗拒 不愿 不配合 使用率 变革 变革管理 习惯 旧系统 老办法 旧流程 绕开 线下 接受度 准备度 推广停滞",
    ),
    # ------------------------------------------------------------------ technology and operations
    Problem(
        "testing",
        "Insufficient testing",
        "测试不充分",
        "testing; not tested; untested; insufficient test*; inadequate test*; tester*; test case*; test coverage;"
        " regression*; defect*; bug; bugs; found in production; escaped defect*; quality assurance; qa; uat;"
        " acceptance test*; test plan*; test script*; automated test*; test automation; unit test*;"
        " verification; skipped test*; testing was squeezed; testing was cut; test cycle*; test phase*",
        "测试不充分 测试不足 未测试 没有测试 测试用例 覆盖率 回归测试 缺陷 漏测 用户验收 验收测试 自动化测试 单元测试 测试计划"
        " 测试时间 压缩测试 问题单 测试人员 测试",
    ),
    Problem(
        "test_environment",
        "Test environments",
        "测试环境问题",
        "test environment*; environment* not ready; environment* unavailable; environment was down;"
        " staging environment*; sandbox*; test data; environment unstable; shared environment*;"
        " environment booking; non production; pre production; preprod; uat environment*",
        "测试环境 环境不稳定 环境不可用 环境未就绪 环境准备 预生产 准生产 测试数据 沙箱 环境冲突 环境搭建 联调环境",
    ),
    Problem(
        "outages",
        "Infrastructure outages",
        "基础设施故障",
        "outage*; downtime; went down; brought down; offline; went dark; crashed; server crash*; failover;"
        " disaster recovery; dr site; backup*; restored from backup; restore test; power failure; power outage*;"
        " blackout; data centre; data center; server room; hardware failure*; storage array*; network failure*;"
        " lost connectivity; network connectivity; single point of failure; availability zone*;"
        " high availability; service interruption*; certificate expir*; expired certificate*; patch weekend;"
        " operating system patch*; stopped responding; disk space; unplanned downtime; no standby;"
        " load balancer*",
        "停机 宕机 服务中断 中断服务 断电 掉电 崩溃 灾备 容灾 备份 故障切换 主备 单点故障 机房 数据中心 存储阵列 磁盘 网络故障"
        " 断网 可用区 高可用 证书过期 补丁 停服 无法访问 停止响应 全面中断 服务器 主机 基础设施 负载均衡",
    ),
    Problem(
        "performance",
        "System performance",
        "系统性能问题",
        "system performance; poor performance; performance issue*; performance problem*; performance test*;"
        "performance degrad*; slow; slowly; slowness; sluggish; latency; response time*;"
        "throughput; load test*; stress test*; volume test*; peak load; scalab*; could not scale;"
        "bottleneck*; timeout*; timed out; cpu; memory leak*; concurren*; capacity planning;"
        "batch window; overnight batch; batch job*; page load*; slow quer*; tuning; freez*;"
        "hung; seconds to load; minutes to load; users at once; simultaneous users",
        "性能 缓慢 变慢 很慢 卡顿 卡死 响应时间 响应慢 响应延迟 吞吐 压测 压力测试 性能测试 并发 高峰 峰值 扩容 瓶颈 超时 内存 "
        "跑批 批处理 查询慢 调优 负载 容量规划 处理时间 打不开",
    ),
    Problem(
        "security",
        "Security weaknesses",
        "安全漏洞",
        "security; insecure; vulnerab*; penetration test*; pen test*; pentest*; breach*; cyber attack*;"
        " attacker*; hacker*; hacked; malware; ransomware; phishing; password*; credential*; access right*;"
        " access control*; privileged; admin rights; encryption; encrypted; unencrypted; cve; firewall rule*;"
        " authentication; mfa; multi factor; sensitive data; personal data; data leak*; exposed; audit log*;"
        " infosec; cyber*; unpatched; role based",
        "安全 网络安全 信息安全 安全漏洞 漏洞 渗透测试 攻击 黑客 病毒 勒索 钓鱼 密码 口令 账号 权限 访问控制 加密 明文 泄露"
        " 泄漏 敏感数据 个人信息 身份认证 多因素 等保 安全审计 未打补丁 弱口令 越权 入侵 木马",
    ),
    Problem(
        "data_quality",
        "Data quality",
        "数据质量问题",
        "data quality; poor data; bad data; dirty data; inaccurate; incorrect data; wrong data; inconsistent data;"
        "inconsisten*; duplicate record*; duplicat*; missing value*; incomplete data; data error*;"
        "data cleans*; cleansing; data clean*; master data; reference data; data governance; data owner*;"
        "data standard*; reconcil*; mismatch*; garbage; data entry; stale data; outdated data; data accuracy;"
        "data integrity; empty field*; blank field*; erroneous; typo*; wrong code*; wrong address*;"
        "nulls; null values; figures did not match; numbers did not match;"
        "did not add up; trust the numbers; trust the data",
        "数据质量 数据不准确 数据不一致 数据错误 数据缺失 数据不完整 脏数据 重复数据 重复记录 数据清洗 清洗 主数据 数据标准 "
        "数据治理 口径 对账 核对 错漏 录入错误 数据准确 数据完整 字段为空 空值 数据过时 不准确 对不上 数据源 源数据 "
        "格式不统一 错误数据 乱码 手工录入 报表数字 不可信",
    ),
    Problem(
        "data_migration",
        "Data migration",
        "数据迁移",
        "data migration*; migrat*; legacy data; historical data; data conversion*; data load*; data mapping;"
        " extract transform; etl; trial migration*; mock migration*; migration rehearsal*",
        "数据迁移 迁移 历史数据 数据转换 数据映射 数据导入 迁移演练 导数",
    ),
    Problem(
        "integration",
        "Integration and interfaces",
        "系统集成与接口问题",
        "integration; integrat*; interface*; api; apis; middleware; message queue*; endpoint*; web service*;"
        " connector*; upstream system*; downstream system*; end to end; interoperab*; incompatib*;"
        " file format*; data exchange; handshake; payload*; schema*",
        "集成 接口 联调 对接 中间件 上下游 上游系统 下游系统 端到端 兼容 协议 报文 数据交换 接口规范",
    ),
    Problem(
        "deployment",
        "Deployment and cutover failures",
        "上线切换失败",
        "deployment failed; failed deployment; deployment error*; release failed; failed release; botched release;"
        " go live failed; go live postponed; go live aborted; go live weekend; cutover; cut over; roll back;"
        " rollback*; rolled back; switchover; switch over; big bang; release plan*; deployment plan*;"
        " deployment script*; manual deployment*; downtime window; hypercare; release weekend; code freeze;"
        " back out; backout; dress rehearsal; go no go; release management",
        "上线失败 上线推迟 上线中止 发布失败 部署失败 投产失败 切换失败 割接 回退 回滚 切换方案 部署方案 发布计划 部署脚本"
        " 手工部署 封版 保障期 上线演练 切换演练 投产窗口",
    ),
    Problem(
        "technical_debt",
        "Legacy technical debt",
        "技术债务与遗留系统",
        "technical debt; tech debt; legacy system*; legacy code; legacy application*; outdated; obsolete;"
        " obsolescence; end of life; end of support; unsupported; old version*; spaghetti; hard coded;"
        " hardcoded; shortcut*; refactor*; code quality; maintainab*; fragile code; brittle; deprecated",
        "技术债 技术债务 遗留系统 老旧 过时 淘汰 停止支持 不再支持 版本过低 老版本 硬编码 重构 代码质量 可维护 历史包袱",
    ),
    Problem(
        "documentation",
        "Documentation and knowledge transfer",
        "文档与知识转移不足",
        "documentation; undocumented; not documented; knowledge transfer; knowledge loss; knowledge lost;"
        " knowledge sharing; handover*; hand over; runbook*; run book*; wiki*; knowledge base; record keeping;"
        " tribal knowledge; only one knew; nobody knew; nobody else knew; design rationale",
        "文档 知识转移 知识传递 知识沉淀 交接 移交 运维手册 知识库 归档 只有他知道 无人知道 没人知道 经验未沉淀",
    ),
    Problem(
        "compliance",
        "Regulatory and compliance findings",
        "合规问题",
        "compliance; compliant; non compliance; noncompliance; regulat*; audit finding*; auditor*;"
        " legal requirement*; gdpr; privacy; data protection; licence compliance; license compliance;"
        " licence audit; sox; policy breach*; certification; accreditation; penalt*; sanction*",
        "合规 违规 监管 审计发现 法规 法律 隐私 个人信息保护 资质 认证 罚款 处罚 整改",
    ),
    Problem(
        "risk_management",
        "Risks not managed",
        "风险管理不足",
        "risk register; risk log; risk management; risks were not; risk was not; mitigation; mitigat*;"
        " contingency plan*; fallback; plan b; unforeseen; not foreseen; not anticipated; early warning;"
        " warning sign*; issue log",
        "风险 风险登记 风险管理 应对措施 预案 应急预案 备选方案 预警 未预见 没有预料 意料之外 隐患",
    ),
    Problem(
        "dependencies",
        "Dependencies on other projects",
        "项目间依赖",
        "dependency; dependencies; depends on; waiting on; waited for; blocked by; upstream team; another project;"
        " other project*; other programme*; other program*; interdependen*; platform team",
        "依赖关系 前置 等其他项目 其他项目 兄弟项目 上游团队 先后顺序 平台团队 项目间",
    ),
    Problem(
        "procedures",
        "Procedures not followed",
        "规程未遵守",
        "procedure*; process not followed; not followed; deviat*; checklist*; work instruction*; step skipped;"
        " bypass*; standard operating; sop; discipline; configuration control; configuration management; walkdown*",
        "规程 流程未遵守 未遵守 违反流程 跳过 绕过 检查单 检查表 作业指导书 操作规程 标准作业 纪律 配置管理 配置控制",
    ),
    Problem(
        "benefits",
        "Benefits not realised",
        "收益未实现",
        "benefits; benefits realisation; benefits realization; value not delivered; roi; return on investment;"
        " payback; kpi; kpis; business value; savings not; savings never; not realised; not realized;"
        " value tracking; post implementation review",
        "收益 效益 价值未实现 收益未实现 投资回报 回收期 节省 降本 成效 后评估 效果不明显",
    ),
)


#: Endings a cue word takes without a ``*``: plurals, past forms and participles (quit -> quitting).
_INFLECTED = r"(?:s|es|ed|d|ing|'s|[bdgklmnprt](?:ed|ing))?"


def _word(w: str) -> str:
    """Regex of one cue word: a prefix when it ends in ``*`` (``migrat*``: migrate, migration),
    else the word and its inflections (``resign``: resigned, resigns; not ``resignation``)."""
    return re.escape(w[:-1]) + r"[a-z0-9]*" if w.endswith("*") else re.escape(w) + _INFLECTED


def _phrase(words: list[str]) -> str:
    """Regex of one English cue phrase over the words of a text joined by spaces."""
    gap = rf"(?: \S+){{0,{GAP}}}"
    return r"(?<!\S)" + (gap + " ").join(_word(w) for w in words) + r"(?!\S)"


_EN_WORD = re.compile(r"[a-z0-9]+")
_CUE_WORD = re.compile(r"[a-z0-9]+\*?")


def _words(text: str) -> str:
    """The words of an English text, lower-cased and joined by single spaces (every word kept: the
    gaps count)."""
    return " ".join(_EN_WORD.findall(text.lower()))


def cue_pattern(cues: str) -> dict[str, str]:
    """Each ``;``-separated English cue phrase -> its regex over a text's words.

    >>> pats = cue_pattern("left company; resign*; quit")
    >>> [bool(re.search(pats["left company"], _words(t))) for t in ["She left the company", "left the big old company"]]
    [True, False]
    >>> [bool(re.search(pats["quit"], _words(t))) for t in ["He quit", "quitting", "quite"]], bool(re.search(pats["resign*"], "resignation"))
    ([True, True, False], True)
    """
    out = {}
    for cue in cues.split(";"):
        words = _CUE_WORD.findall(cue.lower())
        if words:
            out[" ".join(words)] = _phrase(words)
    return out


@lru_cache(maxsize=1)
def _cues() -> tuple[np.ndarray, list[list[tuple[int, str, re.Pattern | None]]]]:
    """The problem of each cue, and per problem its cues: (cue number, cue, English regex or None
    for a Chinese cue found as written)."""
    owner: list[int] = []
    per: list[list[tuple[int, str, re.Pattern | None]]] = []
    for i, p in enumerate(PROBLEMS):  # the list, not rows
        cues: list[tuple[int, str, re.Pattern | None]] = []
        for key, pattern in cue_pattern(p.en).items():
            cues.append((len(owner), key, re.compile(pattern)))
            owner.append(i)
        for key in dict.fromkeys(p.zh.split()):
            cues.append((len(owner), key, None))
            owner.append(i)
        per.append(cues)
    return np.array(owner), per


def _gloss(text: str) -> str:
    """The English words the Chinese words of ``text`` mean (the glossary's, else CC-CEDICT's first
    short sense, :func:`pmo_analysis.analyses.lessons.text.translate`), joined by spaces: a Chinese
    lesson meets the English cues too (辞职 -> resign, 采购 -> procure).

    >>> _gloss("关键人员辞职"), _gloss("no Chinese")
    ('key staff resign', '')
    """
    from pmo_analysis.analyses.lessons import text as T

    runs = T._CJK.findall(text)
    out = []
    for run in runs:
        for w in T._chinese_words(run):
            if w in T.GLOSSARY:
                out += [T._word_of_stem(t) for t in T.GLOSSARY[w]]
            elif w not in T._CN_STOP:
                out += [e for _, e in T._sense(w) if e.isascii()]
    return " ".join(out)


def _hits(text: str) -> list[int]:
    """Numbers of the cues found in ``text``; of a problem's cues found, one inside a longer one
    ("migration" in "data migration", 迁移 in 数据迁移) is left out: the phrase counts once.
    """
    _, per = _cues()
    words = _words(text)
    gloss = _gloss(text)
    out: list[int] = []
    for cues in per:  # problems, not rows
        found = [
            (n, k, pat is None)
            for n, k, pat in cues
            if (k in text if pat is None else (pat.search(words) or (gloss and pat.search(gloss))))
        ]
        for n, k, zh in found:
            sep = "" if zh else " "
            if not any(m != n and z == zh and f"{sep}{k}{sep}" in f"{sep}{o}{sep}" for m, o, z in found):
                out.append(n)
    return out


def problem_scores(titles: pd.Series, descriptions: pd.Series) -> np.ndarray:
    """Lessons x problems: the weights of the cues of each problem found in the lesson's title
    (x :data:`TITLE_CUE_WEIGHT`) and description. A cue weighs its inverse document frequency in
    the register, ``ln((1 + n) / (1 + lessons using it)) + 1`` as in TF-IDF: a cue many lessons
    use says less about which problem a lesson has. Each distinct text is read once (registers
    copy lessons).

    >>> s = problem_scores(pd.Series(["Lead architect resigned", "关键开发人员离职"]), pd.Series(["", "交接不充分"]))
    >>> [PROBLEMS[i].id for i in s.argmax(axis=1)]
    ['staff_turnover', 'staff_turnover']
    """
    from scipy import sparse  # here: scipy.sparse takes 0.2 s to import

    owner, _ = _cues()
    n = len(titles)

    def found(texts: pd.Series):
        codes, uniq = pd.factorize(texts.astype("string").fillna(""))
        rows = [_hits(str(t)) for t in uniq]  # distinct texts, not lessons
        m = sparse.csr_matrix(
            (
                np.ones(sum(map(len, rows))),
                (np.repeat(np.arange(len(rows)), list(map(len, rows))), np.concatenate([[], *rows]).astype(int)),
            ),
            shape=(len(uniq), len(owner)),
        )
        return m[codes] if n else sparse.csr_matrix((0, len(owner)))

    t, d = found(titles), found(descriptions)
    used = np.asarray(((t + d) > 0).sum(axis=0)).ravel()
    idf = np.log((1 + n) / (1 + used)) + 1
    to_problem = sparse.csr_matrix((idf, (np.arange(len(owner)), owner)), shape=(len(owner), len(PROBLEMS)))
    return np.asarray(((TITLE_CUE_WEIGHT * t + d) @ to_problem).todense())


def spread(
    scores: np.ndarray, meaning: np.ndarray, *, neighbours: int = 10, alpha: float = 0.8, steps: int = 30
) -> np.ndarray:
    """Each lesson's problem evidence after it has spread along the lessons of like meaning: label
    spreading (Zhou, Bousquet, Lal, Weston and Schölkopf, "Learning with local and global
    consistency", NIPS 2003) on the graph linking each lesson to its ``neighbours`` nearest in
    ``meaning`` (unit rows; weight: cosine similarity, when positive). ``scores`` (lessons x
    problems) are the seeds; ``alpha`` is the share of a lesson's
    evidence that comes from its neighbours; ``steps`` iterations of
    ``F <- alpha S F + (1 - alpha) Y`` (``alpha ** steps`` of the seeds' weight is left out).

    A lesson whose cues are few or shared by several problems takes the problem of the lessons that
    mean what it means; one with no cue at all takes it when they agree. Memory is linear in the
    lessons: the graph is sparse and built in blocks.

    >>> m = np.array([[1.0, 0.0], [0.98, 0.2], [0.0, 1.0], [0.1, 0.99]])
    >>> m /= np.linalg.norm(m, axis=1, keepdims=True)
    >>> s = np.array([[1.0, 0.0], [0.0, 0.0], [0.0, 1.0], [0.5, 0.5]])
    >>> spread(s, m, neighbours=1).argmax(axis=1).tolist()
    [0, 0, 1, 1]
    """
    from scipy import sparse  # here: scipy.sparse takes 0.2 s to import

    Y = np.asarray(scores, dtype=float)
    n = Y.shape[0]
    if n < 2:
        return Y
    k = min(neighbours, n - 1)
    M = np.asarray(meaning, dtype=np.float32)
    rows, cols, vals = [], [], []
    for start in range(0, n, 500):  # blocks of lessons, not lessons
        S = M[start : start + 500] @ M.T
        r = np.arange(S.shape[0])
        S[r, r + start] = -np.inf
        near = np.argpartition(-S, k - 1, axis=1)[:, :k]
        rows.append(np.repeat(r + start, k))
        cols.append(near.ravel())
        vals.append(np.maximum(S[r[:, None], near], 0).ravel())
    W = sparse.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n, n))
    W = W.maximum(W.T)
    d = np.asarray(W.sum(axis=1)).ravel()
    inv = sparse.diags(1 / np.sqrt(np.maximum(d, 1e-12)))
    S = inv @ W @ inv
    F = Y.copy()
    for _ in range(steps):  # iterations, not rows
        F = alpha * (S @ F) + (1 - alpha) * Y
    return F


def problem_of(scores: np.ndarray) -> np.ndarray:
    """Index in :data:`PROBLEMS` of each lesson's problem, -1 for none: the problem with the highest
    score. A tie goes to the tied problem most lessons have as their clear problem (the register's
    more common one); a tie that leaves undecided, and a lesson with no cue, have none.

    >>> problem_of(np.array([[0, 3, 1], [2, 2, 0], [0, 1, 0], [0, 0, 0], [1, 0, 1]])).tolist()
    [1, 1, 1, -1, -1]
    """
    scores = np.asarray(scores, dtype=float)
    if scores.size == 0:
        return np.full(scores.shape[0], -1)
    top = scores.max(axis=1, keepdims=True)
    tied = (scores == top) & (top > 0)
    clear = tied.sum(axis=1) == 1
    common = (
        np.bincount(scores[clear].argmax(axis=1), minlength=scores.shape[1])
        if clear.any()
        else np.zeros(scores.shape[1])
    )
    rank = np.where(tied, common[None, :] + 1, 0)
    best = rank.argmax(axis=1)
    unique_best = (rank == rank.max(axis=1, keepdims=True)).sum(axis=1) == 1
    return np.where(tied.any(axis=1) & (clear | unique_best), best, -1)
