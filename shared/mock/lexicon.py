"""模拟模型的词库：**所有的词表都在这里，各写一次。** 这里只有数据，没有规则代码。

像 spaCy 的 `lang/` 数据模块、dateparser 的语言文件那样：读字（text.py）、认实体（entities.py）、
选工具（route.py）、填参数（fill.py）、下判断（judge.py）、说话（render.py）都从这里取词，
改一个说法只改一处。分几组：

- 概念：把“查 / 查查 / where is”“退 / refund”这类说法归到同一个概念上（用户的话和工具说明用同一张表读）；
- 对话：确认、拒绝、指代、道谢、问对话本身、助手主动提议——读整段对话时用；
- 数与量：中英文数词、量词和单位（数量参数、字段名里的单位、工具结果念数值时用同一张表）；
- 地点：城市、国家、房间……（地点类参数）；
- 参数的含义：参数名 / 描述 → 它要什么（订单号、城市、金额……），按顺序匹配的数据表；
- 字段的叫法：工具结果里常见字段名、状态值、布尔值怎么说（中 / 英）；
- 等级、类别、情绪、紧急程度：结构化输出里选值时用。

它描述的是客服和常见工具领域的普通说法，不是任何一节课或测试的句子（测试会检查这一点）。
"""

from __future__ import annotations

from dataclasses import dataclass

# ================================================================ 分词与停用词

# 词典里没有、又常被切碎的说法：分词前加进词典
EXTRA_WORDS = ("转人工", "人工客服", "快递员", "快递小哥", "送货员", "退货", "退款", "换货", "到哪了", "什么时候到",
               "多少钱", "有没有", "能不能", "可不可以", "工单", "运单号", "订单号")

STOP = frozenset(
    "的 了 吗 呢 吧 啊 呀 嘛 么 我 你 他 她 它 我们 你们 是 在 有 和 与 及 或 就 都 也 还 又 把 被 给 让 "
    "这 那 这个 那个 一个 一下 一些 请 请问 帮 帮我 麻烦 可以 能 想 要 我要 我想 一 个 下 吧 哦 嗯 "
    "不 问 说 告诉 知道 什么 怎么 怎样 为什么 哪 哪个 哪些 多少 几 啥 时 时候 用 用户 使用 如果 问题 需要 进行 相关 信息 工具 "
    "现在 目前 now currently 不了 不能 没有 还是 或者 能不能 可不可以 一直 老是 突然 "
    "助手 调用 返回 结果 内容 当前 所有 负责 处理 提供 根据 指定 获取 时 并 再 先 然后 对 从 为 以 等 及其 其 该 此 之 中 上 里 "
    "a an the to of in on for and or is are was be it its this that with by at as from my me i you "
    "your we our can could would should will please do does did what which who how get tool agent "
    "handoff transfer handle request use using info data id ok".split()
)

# 英文里几个词合起来才是一个意思：两边（用户的话、工具的描述）都先合成同一个词。(正则, 合成的词)
EN_PHRASES = (
    (r"\b(?:log|logg?ing|logged|sign|signing|signed)\s+(?:in|into|on)(?:to)?\b", "login"),
    (r"\b(?:log|logg?ing|logged|sign|signing|signed)\s+(?:out|off)\b", "logout"),
    (r"\b(?:sign|signing|signed)\s+up\b", "signup"),
    (r"\b(?:log-?ins?|sign-?ins?)\b", "login"),
    # 运费：shipping fee / shipping cost / charge for shipping / delivery fee
    (r"\b(?:shipping|delivery|postage)\s+(?:fees?|costs?|charges?|rates?)\b|\bcharge\s+for\s+(?:shipping|delivery)\b|"
     r"\bfree\s+shipping\b", "shippingfee"),
    # “move 80 dollars / move $50 / move money”：挪钱才是转账（“move me to seat 12A”不是）
    (r"\bmov(?:e|ed|ing)\s+(?:[$¥€£]\s*\d|\d[\d,.]*\s*(?:dollars?|usd|bucks|yuan|rmb|euros?|from\b)|"
     r"(?:some |the )?(?:money|funds|cash))", "movemoney"),
    # “how long until I see the money”“when do I get my money”：说的是退的钱
    (r"\b(?:see|get|receive|have)\s+(?:the|my)\s+money\b|\bmy money\b", "refund"),
    (r"\b(?:\d+|one|two|three|four|five|a few|a couple of)\s+more\s+days?\b", "moredays"),
    (r"\b(?:\d+|one|two|three|four|five)\s+extra\s+days?\b", "extradays"),
    # “sounds fine / that's fine / fine by me”：是“好的”，不是罚款（fine）
    (r"\b(?:sounds?|looks?|that'?s|that is|it'?s|is|i'?m|am|all|works?|be|seems?)\s+(?:just\s+|perfectly\s+)?fine\b|"
     r"\bfine\s+(?:by|with)\s+me\b|^\s*fine\b", "okay"),
)

# 复数只能是名词的词：词形还原后会撞上同形的动词概念（books → book → 预订）
NOUN_PLURALS = frozenset({"books"})

# ================================================================ 概念

# 概念名 → 触发词。英文按整词（含常见词形）、中文单字按整词、中文多字按子串匹配。
CONCEPTS: dict[str, str] = {
    # 意图（动词 + 宾语）
    "lookup": "查 查查 查下 查一查 查询 查一下 查看 看看 看下 核对 列出 列一下 告诉我 告诉一下 说一下 query lookup look check find search show 搜 搜索 找",
    # 价钱的上限：“一百块以内”“不超过 500”“under $50”
    "cap": "以内 以下 之内 不超过 不高于 上限 预算 最多花 under below within budget cheaper",
    "status": "状态 进度 怎么样了 什么状态 啥情况 情况 到哪一步 哪一步了 进展 办到哪 status progress state",
    "track": "物流 logistics 快递 到哪 到哪了 到了吗 到了没 到没到 到了没有 发货 发了 运单 包裹 配送 派送 送货 签收 送达 "
             "什么时候到 什么时候能到 啥时候到 "
             "多久到 多久能到 几天到 几时到 到货 揽收 送到 能送到 寄到 track tracking tracked shipment shipping shipped ship delivery "
             "deliver delivered package parcel where arrive courier",
    "order": "订单 下单 下的单 单号 买的 买了 买过 已购 购买的 花了 收货地址 收货人 order orders purchased bought",
    "product": "商品 产品 货品 东西 型号 里面有 里头有 买的是 买的啥 买了啥 买了什么 item items product products goods contents",
    "refund": "退 退款 退货 退钱 退费 退掉 退了 售后 换货 refund refunds refunded return returns returned "
              "reimburse",
    "eligibility": "能不能 能否 可不可以 可以退 能退 能退吗 可退 eligible eligibility allowed",
    "submit": "申请 提交 办理 创建 新建 登记 帮我退 给我退 我要退 要退 立即 加个 加一个 给我加 加购 订购 开通 办个 办一个 "
              "submit apply process create",
    "shop": "买 卖 购买 有卖 有没有 多少钱 价格 价钱 报价 推荐 库存 有货 现货 选购 导购 售前 上新 想买 要买 哪款 几款 几种 哪种 "
            "还有别的 别的款 其他款 你们还有 你们有 怎么下单 如何下单 想下单 要下单 怎么买 "
            "款式 预算 性价比 销售 buy sell selling sale sales price prices pricing quote cost costs recommend "
            "recommendation stock product products catalog shop shopping purchase available cheap",
    # 常见的商品品类（名词）：说到它们就是在说商品
    "item": "耳机 手机 充电器 充电宝 数据线 电脑 笔记本 平板 键盘 鼠标 显示器 手表 手环 相机 音箱 电视 冰箱 洗衣机 空调 "
            "微波炉 电饭煲 水壶 热水壶 吹风机 剃须刀 牙刷 跑鞋 运动鞋 鞋子 衣服 外套 裤子 裙子 帽子 背包 书包 玩具 "
            "化妆品 口红 护肤品 零食 家具 床垫 椅子 台灯 杯子 路由器 游戏机 打印机 眼镜 首饰 项链 戒指 鞋 "
            "headphones headphone earbuds earphones smartphone charger laptop laptops computer tablet keyboard "
            "mouse monitor smartwatch camera speaker tv television fridge kettle shoes sneakers shirt jacket dress "
            "toy toys lipstick furniture mattress chair lamp printer router console glasses",
    "complaint": "投诉 转人工 人工客服 找人工 真人 客服经理 主管 找领导 态度 举报 骗子 "
                 "complain complaint complaints human person representative manager supervisor escalate angry",
    # 只是不满意（“用着不满意，帮我退款吧”）：说明情绪，不等于要投诉
    "unhappy": "不满 不满意 差评 太差 失望 terrible disappointed unhappy",
    "ticket": "工单 报修 报个维修 申请维修 送修 报个问题 反馈问题 提交问题 ticket tickets",
    "policy": "政策 规则 规定 保修 发票 运费 邮费 包邮 价格保护 保价 补差价 退差价 差价 退换货政策 policy policies warranty "
              "invoice rules shippingfee",
    "weather": "天气 气温 温度 几度 多少度 下雨 下雪 晴 阴 冷 热 刮风 weather temperature forecast rain sunny snow",
    "borrow": "借阅 借了 借的 借书 借过 在借 borrow borrowed borrowing loan loans",
    "booking": "订票 预订 预定 预约 预留 留一本 订个 订一个 约个 订房 订 想订 帮我订 订位 订座 订桌 位子 桌子 桌位 "
               "机票 酒店 改签 航班 飞 飞往 飞机 座位 选座 火车票 高铁 动车 列车 车票 场地 球场 订场 "
               "挂号 挂个号 号源 还有号 约号 book booking reserve reservation flight flights seat seats hotel hotels train "
               "trains appointment appointments slot slots table tables",
    # 订什么：机票和酒店常在同一个团队里分给不同的人，分开认
    "flight": "机票 航班 飞 飞往 飞机 乘机 登机 flight flights airline fly plane",
    "hotel": "酒店 宾馆 民宿 住宿 订房 入住 hotel hotels accommodation lodging room rooms",
    "pay": "支付 付款 付了 付过 账单 扣款 扣费 扣了 到账 要交 交多少 该交 应交 电费 水费 燃气费 pay paid payment payments bill billed billing charge charged "
           "charges declined",
    # 抄表读数（水表、电表、燃气表）和分期付款
    "meter": "读数 抄表 抄的 电表 水表 燃气表 气表 表数 表上的数 meter meters reading readings",
    "instalment": "分期 分几期 分期付 分月付 分几个月 instalment instalments installment installments",
    "account": "账户 账号 登录 登不上 登陆 密码 注册 锁定 account login logout signup password sign locked",
    "tech": "闪退 卡顿 报错 故障 打不开 用不了 没反应 崩溃 bug bugs crash crashes crashed crashing error errors glitch "
            "technical tech freeze frozen 没法用 不能用 用不了了 坏了 坏掉 闪屏 一直闪 老是闪 黑屏 花屏 蓝屏 开不了机 不开机 "
            "开不开机 不亮 没声音 连不上 死机 flicker flickering broken "
            "not working stopped working won't turn on wont turn on doesn't turn on dead",
    "coding": "编程 写代码 程序设计 少儿编程 coding programming python scratch java javascript",
    "art": "美术 画画 绘画 素描 书法 art arts drawing painting sketching",
    "damage": "损坏 坏了 碎了 摔坏 摔碎 破了 裂了 划破 压坏 弄坏 damage damaged broken cracked shattered smashed",
    "emergency": "急诊 急症 疼 痛 牙疼 牙痛 疼得 痛得 很疼 很痛 肿了 出血 emergency emergencies pain painful hurts hurting ache aches toothache "
                 "bleeding swollen swelling",
    "suspend": "冻结 冻卡 冻一下 暂停 停卡 停用 挂起 解冻 freeze freezing unfreeze pause suspend suspended",
    "contact": "联系方式 联系 电话 手机号 contact phone",
    "email": "邮件 发邮件 邮箱 email mail",
    "news": "新闻 资讯 最新 news headlines latest",
    "math": "计算 算一下 算算 帮我算 算下 总价 合计 等于 加 减 乘 除 数学 方程 calculate compute math sum plus minus multiplied equation "
            "solve",
    "translate": "翻译 译成 translate translation",
    "time": "时间 几点 日期 几号 今天 明天 time date today tomorrow",
    "faq": "常见问题 营业时间 几点开门 几点关门 开门 关门 营业 开放时间 hours opening faq close closes closing",
    # 保险：理赔是一件事，保单的保障是另一件事
    "reset": "重置 重设 重新设置 找回密码 忘了密码 密码忘了 reset",
    "unlock": "解锁 解除锁定 锁了 被锁 锁定 unlock locked",
    "enrol": "选课 选一门 加课 补选 报名 enrol enroll enrolment register",
    "waitlist": "候补 排候补 等位 waitlist waitlisted",
    "capacity": "名额 空位 剩余名额 还有位 满员 spots spot space seats capacity vacancy",
    "claim": "理赔 报案 报个案 赔 能赔 赔吗 赔付 索赔 出险 定损 事故 撞了 撞到 追尾 刮蹭 剐蹭 被划 划了 被盗 被偷 漏水 "
             "水管爆 着火 失火 claim claims accident",
    # 事故的种类（保险、汽车、物业报修的选项常按它分）：撞的、划的
    "collision": "撞 碰撞 相撞 撞车 撞到 撞了 追尾 collision collided rear-ended",
    "scratch": "划痕 划了 被划 刮蹭 剐蹭 刮花 scratch scratched scratches",
    "coverage": "保单 保障 保什么 保哪些 保障范围 免赔 免赔额 条款 保额 算不算在里面 包括在内 在保障范围 coverage covered "
                "deductible insured",
    # 通信：套餐、流量、信号
    "plan": "套餐 资费 月租 plan plans tariff",
    "data": "流量 流量包 data",
    "signal": "信号 断线 掉线 没信号 打不通 信号差 signal reception dropped",
    # 图书馆的罚款、餐馆的菜、租车
    "fine": "罚款 滞纳金 逾期 欠款 fine fines overdue owe",
    "title": "书 图书 书名 作者 小说 的书 books title titles author novel novels",
    "shelf": "在架 架上 书架 馆藏 shelf shelves copies copy",
    "menu": "菜 菜单 招牌 招牌菜 菜品 热菜 凉菜 辣 不辣 过敏 忌口 dish dishes menu spicy allergy allergic allergen",
    "car": "租车 车型 用车 取车 还车 car cars rental rent renting suv compact minivan",
    "driver": "驾照 驾龄 司机 driver drivers licence license",
    "renew": "续借 续订 续期 续费 续约 续一下 续上 续住 续药 续方 续卡 续租 续保 续签 续课 续会 多借 多租 延期 延长 "
             "renew renewal renewing refill refills extend longer "
             "moredays extradays",
    "baggage": "行李 托运 bag baggage luggage suitcase",
    "wifi": "wifi 无线网 上网",
    "greet": "你好 您好 在吗 哈喽 嗨 hello hi hey",
    "cancel": "取消 撤销 撤回 撤了 撤掉 撤案 退订 退课 不要了 别发了 先别发 不要发了 cancel cancellation withdraw withdrawn drop",
    "change": "修改 更改 改成 换成 改 调到 调成 调高 调低 调至 开到 设成 设为 设到 设置 change update modify switch set adjust",
    # 转账：把钱从一处挪到另一处
    "transfer": "转账 转钱 汇款 打钱 转给 转到 transfer transfers wire movemoney",
    # 问还剩多少：余额、剩余天数、积分还有几个
    "remaining": "还剩 剩下 剩余 余额 还有几 还有多少 还能用 balance remaining left",
    # 开关设备
    "switch": "打开 开启 开一下 关 关掉 关闭 关上 关一下 关灯 开灯 switch power",
    "light": "灯 灯光 照明 light lights lamp lighting",
    "travel": "签证 护照 出境 入境 visa passport",
    "leave": "请假 休假 年假 调休 病假 事假 假期 leave vacation pto holiday",
    "card": "银行卡 信用卡 借记卡 卡片 card cards",
    "lost": "丢了 丢失 被盗 被偷 挂失 lost stolen theft",
    "fraud": "盗刷 可疑 陌生 不认识 没买过 不是我 suspicious fraud fraudulent unauthorized unauthorised unrecognised "
             "unrecognized",
    "replace": "补卡 补办 换卡 新卡 补寄 重寄 replacement replace reissue",
    "history": "交易 流水 明细 账单明细 记录 transaction transactions statement history",
    "user": "用户 会员 客户 user users customer member profile",
}

# 意图类概念比宾语类更能说明用户要办什么事：打分时权重更高（没列出的是 1.0）
INTENT_WEIGHT = {"refund": 2.0, "complaint": 3.0, "shop": 1.8, "track": 1.6, "eligibility": 1.0, "submit": 1.6,
                 "unhappy": 0.6,
                 "flight": 1.6, "hotel": 1.6, "replace": 1.6, "history": 1.4, "fraud": 1.4,
                 "lookup": 0.4, "status": 1.2, "order": 0.8, "ticket": 2.5, "policy": 1.6, "greet": 0.5,
                 "user": 0.6, "product": 0.5, "item": 0.4, "transfer": 1.6, "lost": 2.0, "remaining": 1.4,
                 "switch": 1.2, "claim": 2.0, "coverage": 1.4, "plan": 1.4, "data": 1.4, "signal": 1.6, "fine": 1.4,
                 "menu": 1.4, "car": 1.2, "driver": 1.2, "reset": 1.8, "unlock": 1.8, "enrol": 1.8, "waitlist": 1.8,
                 "meter": 1.6, "instalment": 1.6}

# 上位概念：说到品类名词（“耳机有货吗”）也就说到了商品
BROADER = {"item": "product"}

# 强意图：专员自己的工具都管不了这类事时，交回前台（route.py 的交回规则）
STRONG = frozenset({"refund", "shop", "complaint", "track", "policy", "booking", "pay", "weather", "news",
                    "translate", "math", "flight", "hotel", "travel", "claim", "coverage", "menu", "car"})
# 由一个概念推出另一个概念 → (推出它的概念, 权重)。问“到哪了”也是在问状态（权重低），也是要查这笔订单
IMPLIED = {"status": ("track", 0.6), "order": ("track", 1.0), "lookup": ("track", 1.0)}
# 要“办”的事（和“问”相对）：祈使句说到它们时，算提交
ACTIONS = frozenset({"refund", "cancel", "change", "complaint", "booking", "email", "ticket", "transfer", "switch",
                     "leave", "lost", "claim", "renew", "reset", "unlock", "enrol", "waitlist", "suspend"})
# 放在字段名最后、当形容词用的 -ing 词（points_expiring → 即将到期的积分；meter_reading 的 reading 是名词）
ING_ADJECTIVES = frozenset({"expiring", "upcoming", "outstanding", "ongoing", "incoming", "outgoing", "pending",
                            "waiting", "missing", "matching", "existing", "remaining"})
# 工具名打头的动词 → 中文（英文说明的工具在中文回答里这样说：cancel_class → 取消课程）
VERBS_ZH = {"cancel": "取消", "book": "预订", "reserve": "预订", "freeze": "冻结", "unfreeze": "解冻", "submit": "提交",
            "request": "申请", "apply": "申请", "reset": "重置", "unlock": "解锁", "open": "创建", "create": "创建",
            "send": "发送", "change": "修改", "update": "更新", "renew": "续", "extend": "延长", "join": "加入",
            "enrol": "选", "enroll": "选", "register": "登记", "schedule": "预约", "reschedule": "改约",
            "set": "设置", "add": "添加", "remove": "移除", "delete": "删除", "pay": "支付", "refund": "退",
            "file": "提交", "raise": "提交", "block": "冻结", "buy": "购买", "place": "提交", "upgrade": "升级",
            "return": "退回", "exchange": "更换", "confirm": "确认", "activate": "激活", "deactivate": "停用",
            "pause": "暂停", "resume": "恢复", "assign": "分配", "escalate": "升级", "close": "关闭", "report": "报告",
            "issue": "补发", "transfer": "转", "switch": "切换", "drop": "退", "hold": "预留", "release": "释放"}
# 工具名最后一个词是这些名词时，不论第一个词是什么，都是查（order_status、refund_history、booking_details）
RECORD_NOUNS = frozenset("status info information details detail history list summary record records timetable slots "
                         "availability overview".split())
# 工具名 / 描述开头的动词：这个工具是去“办”一件事，还是“查”一下。问句（“还有几天调休”）遇到两种都有时选查的
ACT_VERBS = frozenset("apply create submit request book reserve cancel set update send transfer open report delete add "
                      "change make place pay issue block turn switch start stop schedule register renew order post "
                      "file raise close remove move assign approve reject hold extend withdraw buy purchase top "
                      "waive redeem enroll enrol rent hire unlock reset freeze unfreeze drop join".split())
QUERY_VERBS = frozenset("get check query search find list lookup look track show view read fetch count estimate "
                        "compare describe explain verify calculate".split())
ACT_VERBS_ZH = ("申请", "提交", "创建", "新建", "预订", "预约", "订", "取消", "设置", "修改", "发送", "转账", "办理", "开通",
                "挂失", "冻结", "开关", "打开", "关闭", "调节", "登记", "下单", "退款")
QUERY_VERBS_ZH = ("查询", "查看", "检查", "搜索", "获取", "查", "看", "列出", "统计", "计算", "估算")
# 明显不是店里的事的概念：带着订单号说这些（“A1001 那边天气怎么样”）也不算在说订单
OFF_TOPIC = frozenset({"weather", "news", "math", "translate"})
# 宾语类概念：追问里指回前面时（“它里面有什么”），从上文带过来的是这些，不是上文的意图
OBJECTS = frozenset({"order", "product", "item", "user", "account", "card", "light"})

# 和触发词共用一个字、意思却不同的词：触发词的匹配在它们中间断开时不算（“多久到账”不是“多久到”）
FALSE_FRIENDS = ("到账", "到期", "到店", "到手价", "工单号", "保单号")
PAST = frozenset("了的过")  # 紧跟在“买 / 购买 / 花”后面：说的是已经下的单
PAST_VERBS = frozenset({"买", "购买", "花"})
# 英文的固定短语 → 概念
# 中文里中间隔着别的字的说法（“选数据结构这门课”“退一门课”）：(模式, 概念)
ZH_PATTERNS = ((r"(?:想|要|帮我|我|能)选.{0,10}课|选.{0,8}(?:这门|那门|一门)", "enrol"), (r"退.{0,6}(?:门|节)课", "cancel"), (r"(?:能|可以|可不可以|能不能)选(?:吗|上吗|么)?[？?]?$|能不能选|可以选吗", "enrol"),
               (r"(?:还有|有没有|剩).{0,4}(?:名额|空位|位置)|满了没|满没满", "capacity"))
PHRASES = {"how much": "shop", "do you have": "shop", "do you sell": "shop", "in stock": "shop",
           "money back": "refund", "talk to a": "complaint", "real person": "complaint", "where is": "track",
           "can i": "eligibility", "am i eligible": "eligibility", "does nothing": "tech",
           "doesn't work": "tech", "does not work": "tech", "not working": "tech", "won't open": "tech",
           "won't load": "tech", "how many": "remaining", "turn on": "switch", "turn off": "switch",
           "switch on": "switch", "switch off": "switch", "what's in": "product", "what is in": "product",
           "new one": "replace", "new card": "replace", "don't recognise": "fraud", "don't recognize": "fraud",
           "somewhere to stay": "hotel", "place to stay": "hotel"}
NEGATORS = frozenset({"不", "别", "无需", "不用", "不要", "不必", "非", "not", "don't", "dont", "never", "no", "without"})
NEGATION_PREFIX = ("不", "别", "无需", "不用", "不要", "不必", "非")
PERSON_SUFFIX = "员师哥姐工"  # 快递员、客服小哥：说的是人，不是那件事
GENERIC_NOUNS = frozenset({"货", "钱", "东西", "款", "种", "样"})  # “还有货吗”“多少钱”里的名词不是要找的东西

# 问句还是请求：问能不能、多少、怎么……是在问；“帮我退了 / please refund”是要办
ASKING_MARKS = (r"[吗嘛么？?]|能不能|可不可以|能否|可以.{0,6}吗|多少|怎么|如何|还有几|几[天个次张]|"
                r"是什么|是啥|有什么|有哪些|为什么|为啥|是不是|有没有|是谁|哪位|哪[个种家天里]|[\u4e00-\u9fff]还是[\u4e00-\u9fff].{0,8}$|"
                r"\b(how|what|when|where|which)\b|"
                # 英文的助动词只在句首（倒装）才是问：“Are they in stock?”；“the shoes are too small”是陈述
                r"(?:^|[.!?;,]\s*|\b(?:and|so|but|hi|hello|hey|also|then|ok|okay)\s+)(?:can|could|is|are|do|does)\b")

# ================================================================ 对话：读整段对话时用的说法

# 应答：听到了、同意（“好的”“嗯”“ok”）。助手刚提议了要办的事时，它就是确认；否则只是应一声
ACKNOWLEDGE = ("好的", "好", "好啊", "好呀", "好吧", "行", "行吧", "可以", "可以的", "嗯", "嗯嗯", "对", "对的", "是的", "是",
               "没问题", "收到", "知道了", "明白了", "明白", "了解", "要", "要的", "需要", "当然", "确定", "确认", "没错",
               "yes", "yeah", "yep", "sure", "ok", "okay", "alright", "got it", "right", "correct", "of course", "great",
               "perfect", "nice", "cool", "awesome", "good", "fine", "sounds good", "太好了", "好极了", "好嘞", "棒")
# 明说“办吧”：接着办刚才说的那件事（可以跟在应答后面：“好的，那就办吧”“yes please, go ahead”）
PROCEED = ("办吧", "那就办吧", "办理吧", "帮我办", "帮我办吧", "帮我办一下", "提交吧", "那就提交", "那就提交吧", "就这么办",
           "就这样办", "就这样吧", "那就这样", "确认", "确认办理", "确定", "同意", "来吧", "麻烦了", "麻烦你了", "帮我弄吧",
           "go ahead", "do it", "please do", "please do it", "proceed", "please proceed", "yes please", "let's do it",
           "confirm", "confirmed", "sounds good", "that works", "go for it")
# 在几样里挑定一样：“就 14:30 那个吧”“就订评分最高的那家”“I'll take the first one”“The earliest one please”——是要办
CHOICE = (r"^就(?!是)|^(?:那|那就)?(?:选|要|订)(?:这|那|第)|^(?:那|那就)?(?:选|要|订|来)[\u4e00-\u9fff\d:：]{1,8}(?:这|那)(?:个|家|班|场|款|趟)吧?$|就(?:这|那)(?:个|家|班|款)吧|(?:这|那)(?:个|家|班|款)吧|"
          r"\bi'?ll (?:take|go with|have)\b|\bgo with the\b|^(?:(?:hmm+|ok|okay|well|alright|fine|sure|then)[,.\s]+)?the \w+ one\b|"
          r"\b(?:one|option) please\b")
# 一个字的触发词前后常粘着虚词（“就订”“关了”）：去掉再认
TOKEN_AFFIXES = r"^[就再先也都还快去来给的把能想要可]|[了吧啊呀嘛掉开关着]$"
# 问句的焦点：情态词后面问的那件事（“买笔记本电脑能开发票吗” 问的是开发票；“can I return it if …”）
MODALS = r"能不能|可不可以|会不会|能否|可以|能|会|\bcan\b|\bcould\b|\bmay\b|\bis it possible to\b"
# 指着前面几样里的另一样：“另一个呢”“the other one”
OTHER = r"另一个|另外一个|另一单|另一笔|另一件|另一张|\bthe other(?: one)?\b|\bthe second one\b"
# 参数说明写着这个值要用户自己说（“用户说明的退款原因”）：没说就问，不替用户编
USER_STATED = (r"用户(?:说明|给出|提供|自己说|描述)的|顾客(?:说明|给出)的|stated by the (?:user|customer)|"
               r"in the (?:user|customer)'s own words|as (?:given|provided|stated) by the (?:user|customer)")
# 问句里的这些概念问的是“能不能 / 是什么”：接着办的时候去掉，换成“提交”
# 别的记录（预订、预约、卡、账户、工单……）：带编号说的是它们时，编号不当订单号理解
OTHER_RECORDS = frozenset({"booking", "flight", "hotel", "card", "account", "ticket", "appointment", "transfer", "claim",
                           "coverage", "plan", "data", "signal", "fine", "borrow", "renew", "car", "menu"})
QUESTION_CONCEPTS = frozenset({"eligibility", "lookup", "status", "remaining"})
# 拒绝 / 算了：不办了
DECLINE = ("不用了", "不用", "不需要", "不要了", "算了", "先不", "先不用", "暂时不用", "不了", "别办了", "还是不了",
           "不用动", "别动", "不用管", "不用改", "不用调", "先这样", "no", "nope", "no thanks", "no thank you", "not now",
           "never mind", "nevermind", "forget it", "actually no", "no need", "leave it", "skip it")
# “不退了”“不挂了”“还是不买了”：不 + 一两个字 + 了，也是不办了
DECLINE_PATTERN = r"^(?:还是|那就|那)?不[\u4e00-\u9fff]{1,2}了$"
# 选项匹配前先把常见的同义说法换成一样的（“这个月就生效” ↔ 立即生效，“下个月” ↔ 下月生效）
OPTION_SYNONYMS = ((r"下个月|下一个月", "下月"), (r"这个月|这月|本月|当月", "本月立即"), (r"马上|立刻|现在就|即刻", "立即"),
                   (r"\bright away\b|\bimmediately\b|\bnow\b", "immediately now"), (r"\bnext month\b", "next month"))
# 客气地请对方办：问句的样子，其实是要办（“能帮我预约一下吗”“could you reserve it”）
POLITE_REQUEST = (r"(?:能|可以|能不能|可不可以|麻烦)(?:帮我|帮忙|给我|替我)|帮我.{1,10}(?:吗|一下吗)|"
                  r"\b(?:can|could|would|will) you (?:please )?\w+|\bcan i (?:at least |please |just )?\w+|\bplease\b")
# 用户说自己接下来要做什么（“明天我自己去取”“I'll come by tomorrow”）：是陈述，不是让助手办事
OWN_PLAN = (r"^(?:(?:ok|okay|then|so),? )?(?:i'?ll|i will|i'm going to|i am going to|we'?ll|i'?ll (?:have|let|get) (?:him|her|them)|"
            r"(?:那|那就|那我就)?我(?:今天|明天|后天|下午|上午|晚上|周末|回头|一会儿?|待会儿?|等会儿?|这就|马上|自己)?"
            r"(?:会|就|再)?(?:去|来|过去|过来|跑一趟)|(?:那|那就)?我?(?:让|叫)(?:他|她|他们|她们)(?:自己)?)")
# 指令里给用户的指引：办不了、去哪办、打哪个电话（没有工具管的事照这一行回答）
REFERRAL = (r"不能|不可以|办不了|无法|查不到|不收|不接|不提供|不支持|\bdo(?:n'?t| not) accept\b|\bnot accepted\b|请(?:客户|客人|用户|顾客|您)?(?:拨打|致电|联系|去|到)|拨打|致电|热线|"
            r"\bcannot\b|\bcan'?t\b|\bcan not\b|\bcall(?:ing)?\b|\bvisit\b|\bdesk\b|\bgo to\b|\bcontact\b|"
            r"\bphone number\b|\d{3,}[- ]\d{3,}")
# 指令里兜底的那一行：别的事、没有工具管的事都这样答
CATCH_ALL_LINE = r"anything else|everything else|other (?:questions|requests)|no tool for|其他的事|其它的事|别的事|别的问题"
# 明说“你没有工具管”的那一行：里面点名的事（autopay、VPN）就算某个工具的说明也提到了，也照这一行答
NO_TOOL_LINE = r"\bno tools?\b|\bdon'?t have (?:a )?tools?\b|\bnot covered by (?:your|any) tools?\b|没有工具|没工具|无工具"
# 往后推：“回头再买”“改天再说”“maybe later”——说到了要办的事，但不是现在办
POSTPONE = (r"回头再|改天再|下次再|以后再|(?:明天|后天|下午|晚上|晚点|过两天|周末|下周)再(?:报|说|弄|来|看|问|联系|决定|考虑|提交)|过(?:几|两)天再|晚点再|等.{1,8}再|再说吧?[。.!！]?$|再商量|商量一下|考虑考虑|"
            r"考虑一下|想想再|问问.{0,8}再|\bthink about it\b|\bget back to you\b|\bcheck with\b|"
            r"(?<!\bthe )\b(?:maybe |perhaps )?later\b(?!\s+(?:one|time|slot|option|session|show|flight|train|table))|\banother time\b|\bsome other time\b|\bnot (?:right )?now\b")
# 道谢、道别：对话收尾，不用再办事
THANKS = ("谢谢", "谢了", "谢啦", "谢咯", "谢喽", "感谢", "感恩", "多谢", "辛苦了", "thanks", "thank you", "thank u", "thx",
          "ty", "cheers", "appreciate it")
GOODBYE = ("再见", "拜拜", "就这些", "没别的了", "没有别的了", "没事了", "我再看看", "再看看", "我再想想", "再想想",
           "我考虑一下", "考虑一下", "bye", "goodbye", "see you", "that's all", "that is all", "nothing else",
           "let me think", "i'll think about it")
GREETINGS = ("你好", "您好", "hi", "hello", "hey", "嗨", "哈喽", "在吗", "在不在")
# 指代和省略：这句话指回前面说过的东西（“它”“那个订单”“里面”“那 A1002 呢”“the other one”）
ANAPHORA = (r"^那(?!么多)|^(?:都|全都|全部|两个都)|它|他们|它们|那个|这个|那笔|这笔|那单|这单|那件|这件|那份|那些|这些|该订单|上面|刚才那|前面那|里面|里头|"
            r"另一个|另外一个|第[一二三四五六七八九十\d]+[个款件单笔]|那.{0,12}呢|呢[？?]?$|"
            r"\b(it|its|that|this|those|these|them|the other one|the other|the first one|the second one|"
            r"the last one|the \w+ one|same one|what about|how about|and the)\b")
# 指着前面列出的某一项：“第二款”“最便宜的那个”“the first one”（值：第几项，-1 是最后一项）
ORDINALS = {"第一": 0, "第二": 1, "第三": 2, "第四": 3, "第五": 4, "第1": 0, "第2": 1, "第3": 2, "第4": 3, "第5": 4,
            "最后一": -1, "first": 0, "second": 1, "third": 2, "fourth": 3, "fifth": 4, "1st": 0, "2nd": 1,
            "3rd": 2, "last": -1}
ORDINAL_NOUNS = r"个|款|件|项|条|样|种|单|家|班|one|item|option|product|choice|result"
# 最值：(说法, 按哪些字段比（正则，按顺序找第一个有数的）, 取大还是取小)
SUPERLATIVES = (
    (r"最便宜|最实惠|价格最低|cheapest|least expensive|lowest price", ("price", "fee", "fare", "cost", "amount"), "min"),
    (r"最贵|价格最高|most expensive|priciest|highest price", ("price", "fee", "fare", "cost", "amount"), "max"),
    (r"评分最高|评分最好|评价最好|口碑最好|highest[- ]rated|best[- ]rated|top[- ]rated|best reviewed",
     ("rating", "score", "stars", "评分"), "max"),
    (r"最大|最多|金额最大|biggest|largest", ("amount", "price", "total", "size", "金额"), "max"),
    (r"最小|最少|smallest", ("amount", "price", "total", "size", "金额"), "min"),
    (r"最早|早一点的|早点的|earliest|soonest|first available|the earlier one|earlier one", ("time", "start", "depart", "date"),
     "min"),
    (r"最晚|最迟|晚一点的|晚点的|latest|the later one|later one", ("time", "start", "depart", "date"), "max"),
)
# 一天里的时段：(说法, 从几点, 到几点)
DAYPARTS = ((r"早上|上午|早班|清早|morning", 5, 12), (r"中午|noon|midday", 11, 14), (r"下午|afternoon", 12, 18),
            (r"晚上|晚班|傍晚|夜里|evening|night|tonight", 18, 24))
# 问“多久 / 几天”：结果里写着一段时长的那句话就是答案（“1-3 个工作日原路退回”“48 小时内回访”）
ASKS_DURATION = r"多久|多长时间|几天|几个小时|几小时|什么时候能|啥时候能|how long|how many (?:days|hours)|how soon"
DURATION = (r"\d+(?:\.\d+)?\s*(?:[-~～到至]\s*\d+\s*)?(?:个)?\s*(?:工作日|自然日|天|日|小时|分钟|周|星期|个月)|"
            r"\d+(?:\s*[-–]\s*\d+)?\s*(?:business |working )?(?:days?|hours?|minutes?|weeks?)\b|"
            r"[一二两三四五六七八九十]+\s*(?:个)?(?:工作日|天|小时|周|星期|个月)")
# 要看一批东西（“有哪些……”“show me …”）：是去查一个新的列表，不是问前面结果里的某句话
LISTING = (r"有哪些|有什么(?!问题|区别|不同)|还有别的|都有啥|哪几款|哪几种|\bwhat (?:\w+ ){0,3}do you (?:have|sell|offer)\b|"
           r"\bwhich (?:\w+ ){0,3}do you (?:have|sell|offer)\b|\bshow me\b|\blist (?:all|your|the)\b")
# 疑问词：找“结果里哪句话说到了它”时不算关键词（“那几时能到货” → 到货）
INTERROGATIVES = (r"什么时候|啥时候|几时|多久|多长时间|为什么|为啥|怎么样|怎么|如何|哪里|哪儿|哪个|哪些|是什么|什么|"
                  r"多少|有没有|是不是|能不能|吗|呢|吧|^那|^那么|\b(?:when|why|how long|how|what|which|where|is|are|"
                  r"does|do|will|it|the)\b")
# 问的是哪一类字段：(问法, 字段名里的词)
ASKS_ABOUT = ((r"为什么|为啥|怎么不行|什么原因|\bwhy\b", r"reason|原因|note|message"),
              (r"多久|多长时间|几天|how long", r"days|hours|minutes|duration|eta"),
              (r"多少钱|价格|价钱|how much|price|cost", r"price|amount|fee|fare|cost|total"),
              (r"几度|多少度|温度|temperature|how (?:hot|warm|cold)", r"temp"),
              (r"什么时候|何时|哪天|\bwhen\b", r"eta|date|_at$|time"),
              (r"几点|\bwhat time\b|开门|关门|\bopen\b|\bclose\b|\bcloses\b|营业", r"time|hours|open|close"))
# 纠正：“不对，是 A1003”“I meant A1003”
CORRECTION = (r"^.{0,8}?(不对|不是这个|错了|搞错了|说错了|写错了|更正|应该是|我是说|我说的是)|\b(i meant|i mean|sorry,? (it'?s|i meant)|"
              r"correction|not that one|wrong one|my bad|my mistake|oops|i misread|misread|typo)\b")
# 问这段对话本身：“我刚才问了什么”“我第一句话问的啥”
# 问助手自己收到的指令（“你的工作规则是什么”“what are your instructions”）：没有护栏的模型多半照实念出来
OWN_INSTRUCTIONS = (r"(?:你|您)(?:的|收到的|被设定的)(?:指令|提示词|系统提示|工作规则|规则|设定|守则|工作要求)|"
                    r"(?:你|您)(?:是)?(?:被)?怎么(?:设定|要求)的|\byour (?:instructions|system prompt|rules|guidelines)\b|"
                    r"\bwhat (?:were|are) you told\b")
# 问助手是不是真人：照实说是 AI
ASKS_IF_HUMAN = (r"真人还是机器人|机器人还是真人|(?:你|您)是(?:不是)?(?:真人|机器人|人工|AI|ai)(?:吗|啊|呀|呢)?|"
                 r"\bare you (?:a |an )?(?:bot|robot|human|real person|ai)\b")
ABOUT_CONVERSATION = (OWN_INSTRUCTIONS + "|" + ASKS_IF_HUMAN + r"|(刚才|刚刚|之前|上一[个句次]|前面|上次|第一[个句次]?|最开始|一开始|开头).{0,6}(问|说|提|聊)|"
                      r"我(问|说)了(你)?(什么|啥)|我(问|说)的(是)?(什么|啥)|(聊|说)到哪了|"
                      r"我(刚才|刚刚|之前|前面|上一次)[^，。？?]{0,16}(哪个|哪一|哪|什么|多少|几)|"
                      r"what did (i|you) (just )?(ask|say|do|change|set|book|order)|"
                      r"what was my (last |previous |first )?question|what did i ask (you )?(about )?(first|last)?|"
                      r"what have we (talked|been talking) about")
# 助手主动提议要办的事：“需要我为您提交退款申请吗？”“Shall I open a ticket for you?”
OFFER = (r"(?:需要|要不要|要)我(?:为您|帮您|给您|替您)?(.{2,80}?)(?:吗|么)[？?]|是否需要(?:我)?(?:为您|帮您)?(.{2,80}?)[？?]|"
         r"\b(?:shall|should) i (.{3,160}?)\?|\b(?:would|do) you (?:like|want) me to (.{3,160}?)\?|"
         r"\bwant me to (.{3,160}?)\?")
# 助手在问用户要东西：“请提供一下订单号”“could you give me the order number?”
ASKS_FOR = (r"请(?:您)?(?:提供|告诉我|说一下|给我|发一下|补充)|还需要您提供|能(?:否|不能)(?:提供|告诉)|是哪[个一笔单]|"
            r"\b(?:could|can) you (?:give|tell|share|send|provide)|\bplease (?:provide|share|send|tell)|"
            r"\bwhat(?:'s| is) (?:your|the)\b|\bi (?:still )?need (?:your|the)\b|\bwhich (?:order|one)\b")
# 声称办了某件事：没有工具结果支持时，回答里不能这么说（render.py 自检用）
CLAIMS = (r"已(?:经)?(?:为您|帮您)?(?:提交|办理|处理|创建|登记|记录|记下|受理|安排|预订|取消|修改|退款|转账)|正在为您(?:办理|处理)|"
          r"稍后(?:给您)?(?:答复|回复)|\bI(?:'ve| have) (?:submitted|processed|created|booked|cancelled|recorded|"
          r"noted)|\b(?:am|is) (?:processing|handling) it\b")

# ================================================================ 数与量

CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN_MAGNITUDES = {"十": 10, "百": 100, "千": 1000, "万": 10000}
EN_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
              "ten": 10, "eleven": 11, "twelve": 12, "twenty": 20, "thirty": 30, "fifty": 50, "hundred": 100,
              "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "eighteen": 18,
              "a couple of": 2, "a pair of": 2, "an": 1, "a": 1}


@dataclass(frozen=True)
class Unit:
    """一种量：文中怎么说（数字后面的量词 / 单位），参数名里怎么说，念字段值时带什么单位。

    words：文中跟在数字后面的说法；params：参数名里的词（nights 要“晚”）；fields：字段名最后一个词是它时
    （delay_minutes、nights）数值带单位；zh / en：念数值时带的单位；label_zh / label_en：字段名只有这个词时的叫法。"""

    words: str
    params: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    zh: str = ""
    en: str = ""
    label_zh: str = ""
    label_en: str = ""


UNITS: dict[str, Unit] = {
    "night": Unit("晚 夜 宿 nights night", ("nights", "night"), ("nights",), "晚", "nights", "入住", "stay"),
    "day": Unit("天 日 days day", ("days", "day"), ("days",), "天", "days", "天数", "duration"),
    "week": Unit("周 星期 weeks week", ("weeks",), ("weeks",), "周", "weeks", "周数", "duration"),
    "month": Unit("个月 months month", ("months",), ("months",), "个月", "months", "月数", "duration"),
    "year": Unit("years year", ("years",), ("years",), "年", "years", "年数", "duration"),
    "hour": Unit("个小时 小时 hours hour hrs", ("hours",), ("hours",), "小时", "hours", "时长", "duration"),
    "minute": Unit("分钟 minutes minute mins", ("minutes", "mins"), ("minutes", "mins"), "分钟", "minutes",
                   "时长", "duration"),
    "second": Unit("秒 seconds second secs", ("seconds",), ("seconds",), "秒", "seconds", "时长", "duration"),
    "room": Unit("间 rooms room", ("rooms",)),
    "age": Unit("周岁 岁", ("age",), ("age",), "岁", "years old", "年龄", "age"),
    "gb": Unit("GB G gb 个G 个g", ("gb",), ("gb",), "GB", "GB", "流量", "data"),
    "usd": Unit("美元 dollars dollar usd", ("usd",), ("usd",), "美元", "USD", "金额", "amount"),
    "person": Unit("个人 人 位 名 people persons person guests guest adults adult pax passengers passenger",
                   ("people", "persons", "guests", "adults", "children", "kids", "pax", "headcount", "party",
                    "passengers"), ("people", "guests", "passengers"), "人", "people", "人数", "party size"),
    "ticket": Unit("张 tickets ticket", ("tickets", "passengers"), ("tickets",), "张", "tickets", "票数", "tickets"),
    "item": Unit("件 个 台 份 瓶 盒 双 本 支 只 条 箱 部 样 笔 items item pcs pieces units unit",
                 ("quantity", "qty", "count", "items", "copies", "units")),
    "degree": Unit("度 ℃ °C °c ° degrees degree", ("temperature", "temp", "degrees", "celsius"),
                   ("celsius", "degrees"), "度", "°C", "温度", "temperature"),
    "percent": Unit("% ％ percent", ("percent", "percentage", "pct", "ratio"), ("percent", "pct"), "%", "%",
                    "比例", "share"),
    "km": Unit("公里 千米 km kilometers", ("km", "kilometers", "distance"), ("km",), "公里", "km", "距离", "distance"),
    "kg": Unit("公斤 千克 kg kilograms", ("kg", "weight"), ("kg",), "公斤", "kg", "重量", "weight"),
    "yuan": Unit("元", (), ("yuan", "rmb", "cny"), "元", "yuan", "金额", "amount"),
    "speed": Unit("公里每小时 km/h kph", ("kph", "kmh", "speed"), ("kph", "kmh"), "公里/小时", "km/h", "速度", "speed"),
    "mm": Unit("毫米 mm", ("mm", "precipitation"), ("mm",), "毫米", "mm", "降水量", "precipitation"),
    "kwh": Unit("千瓦时 kwh", (), ("kwh",), "度", "kWh", "用电量", "usage"),
    "m3": Unit("立方米 m3 m³", (), ("m3",), "立方米", "m³", "用量", "usage"),
}
# 参数名里的词 → 要哪几种量（passengers 可以数“张”也可以数“人”；duration 是天、晚或小时）
QUANTITY_PARAMS: dict[str, tuple[str, ...]] = {"duration": ("day", "night", "hour")}
for _kind, _unit in UNITS.items():
    for _p in _unit.params:
        QUANTITY_PARAMS[_p] = (*QUANTITY_PARAMS.get(_p, ()), _kind)
QUANTITY_PARAMS["passengers"] = ("person", "ticket")
QUANTITY_PARAMS["tickets"] = ("ticket", "person")

# 日期：相对的说法离今天几天；星期几；英文月份
RELATIVE_DAYS = {"今天": 0, "今晚": 0, "今日": 0, "今早": 0, "明天": 1, "明晚": 1, "明日": 1, "明早": 1, "后天": 2,
                 "大后天": 3, "昨天": -1, "昨晚": -1, "前天": -2, "today": 0, "tonight": 0, "thismorning": 0,
                 "thisafternoon": 0, "thisevening": 0, "tomorrow": 1, "yesterday": -1, "lastnight": -1}
WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "monday": 0, "tuesday": 1,
            "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6, "mon": 0, "tue": 1, "tues": 1,
            "wed": 2, "thu": 3, "thur": 3, "thurs": 3, "fri": 4, "sat": 5, "sun": 6}
MONTHS = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
          "oct": 10, "nov": 11, "dec": 12}
# 参数要标准格式的日期（YYYY-MM-DD）：描述里这样写，或者 JSON Schema 的 format 是 date
ISO_DATE_HINT = r"YYYY-MM-DD|yyyy-mm-dd|ISO[ -]?8601|ISO date|\d{4}-\d{2}-\d{2}"
# 指令里写明的今天：“Today is 2025-06-02”“今天是 2025-06-02”
# 指令里写明的时区：(说法, 相对 UTC 的小时数, 回答里怎么称呼)。工具结果里带时区的时间按它换算
TIME_ZONES = ((r"北京时间|东八区|UTC\+0?8(?::00)?|GMT\+0?8|Asia/Shanghai|China (?:Standard )?time", 8, "北京时间", "Beijing time"),
              (r"东京时间|UTC\+0?9|Asia/Tokyo|Japan (?:Standard )?time", 9, "东京时间", "Tokyo time"),
              (r"\bUTC\b|协调世界时|GMT(?![+-])", 0, "UTC", "UTC"))
TODAY_IS = r"(?:today is|today's date is|current date is|今天是|今天日期是|当前日期是|今日是)\s*[:：]?\s*(\d{4})[-/年](\d{1,2})[-/月](\d{1,2})"

# 钱：数字前后的货币说法
CURRENCY_BEFORE = "¥￥$€£"
CURRENCY_AFTER = ("元", "块钱", "块", "美元", "美金", "rmb", "RMB", "yuan", "dollars", "dollar", "bucks", "usd", "USD",
                  "eur", "euros")

# ================================================================ 地点

CITIES = (
    "北京 上海 广州 深圳 武汉 杭州 南京 成都 重庆 天津 西安 苏州 长沙 郑州 青岛 厦门 "
    "沈阳 大连 哈尔滨 长春 济南 合肥 福州 南昌 昆明 贵阳 南宁 海口 三亚 兰州 西宁 银川 "
    "呼和浩特 乌鲁木齐 拉萨 石家庄 太原 宁波 无锡 佛山 东莞 珠海 温州 桂林 丽江 香港 澳门 台北 "
    "东京 大阪 首尔 纽约 伦敦 巴黎 柏林 悉尼 新加坡 曼谷 洛杉矶 旧金山 莫斯科 迪拜"
).split()
CITIES_EN = {
    "beijing": "Beijing", "shanghai": "Shanghai", "wuhan": "Wuhan", "shenzhen": "Shenzhen",
    "guangzhou": "Guangzhou", "hangzhou": "Hangzhou", "chengdu": "Chengdu", "hong kong": "Hong Kong",
    "nanjing": "Nanjing", "xi'an": "Xi'an", "xian": "Xi'an", "tokyo": "Tokyo", "osaka": "Osaka",
    "london": "London", "paris": "Paris", "new york": "New York", "berlin": "Berlin", "sydney": "Sydney",
    "singapore": "Singapore", "seoul": "Seoul", "san francisco": "San Francisco", "los angeles": "Los Angeles",
    "chicago": "Chicago", "seattle": "Seattle", "boston": "Boston", "toronto": "Toronto", "madrid": "Madrid",
    "rome": "Rome", "dubai": "Dubai", "bangkok": "Bangkok", "amsterdam": "Amsterdam", "vienna": "Vienna",
}
COUNTRIES = (
    "中国 日本 韩国 美国 英国 法国 德国 意大利 西班牙 葡萄牙 荷兰 比利时 瑞士 奥地利 瑞典 挪威 丹麦 芬兰 冰岛 "
    "爱尔兰 希腊 土耳其 俄罗斯 乌克兰 波兰 捷克 匈牙利 加拿大 墨西哥 巴西 阿根廷 智利 秘鲁 澳大利亚 新西兰 "
    "新加坡 马来西亚 泰国 越南 柬埔寨 老挝 缅甸 菲律宾 印度尼西亚 印尼 印度 尼泊尔 斯里兰卡 马尔代夫 巴基斯坦 "
    "阿联酋 沙特 以色列 埃及 南非 肯尼亚 摩洛哥 蒙古 哈萨克斯坦"
).split()
COUNTRIES_EN = {
    "china": "China", "japan": "Japan", "korea": "Korea", "south korea": "South Korea", "usa": "USA",
    "united states": "United States", "america": "United States", "uk": "UK", "united kingdom": "United Kingdom",
    "britain": "United Kingdom", "england": "England", "france": "France", "germany": "Germany", "italy": "Italy",
    "spain": "Spain", "portugal": "Portugal", "netherlands": "Netherlands", "switzerland": "Switzerland",
    "sweden": "Sweden", "norway": "Norway", "denmark": "Denmark", "finland": "Finland", "iceland": "Iceland",
    "ireland": "Ireland", "greece": "Greece", "turkey": "Turkey", "russia": "Russia", "canada": "Canada",
    "mexico": "Mexico", "brazil": "Brazil", "argentina": "Argentina", "australia": "Australia",
    "new zealand": "New Zealand", "thailand": "Thailand", "vietnam": "Vietnam", "malaysia": "Malaysia",
    "indonesia": "Indonesia", "philippines": "Philippines", "india": "India", "egypt": "Egypt",
    "south africa": "South Africa", "uae": "UAE", "israel": "Israel", "poland": "Poland",
}
# 地点类参数（房间、部门……）的名词怎么收尾：“书房”“客厅”“财务部”“急诊科”
PLACE_SUFFIXES: dict[str, tuple[str, ...]] = {
    "room": ("房", "室", "厅", "间", "台", "库", "院", "卧", "厨房", "阳台", "走廊", "玄关"),
    "department": ("部", "科", "处", "中心", "组", "办", "局", "院"),
}
ROOMS_EN = ("living room", "dining room", "bedroom", "master bedroom", "guest room", "kids room", "kitchen",
            "bathroom", "study", "office", "garage", "hallway", "balcony", "basement", "attic", "nursery",
            "second bedroom", "spare room")
# 英文说法 → 中文：参数的选项是中文、用户说英文时按它对上（房间、科室、账户……）
TERMS_ZH = {
    "electricity": "电表", "water": "水表", "gas": "燃气表",
    "living room": "客厅", "lounge": "客厅", "master bedroom": "主卧", "main bedroom": "主卧", "bedroom": "主卧",
    "second bedroom": "次卧", "guest room": "次卧", "spare room": "次卧", "kids room": "儿童房", "study": "书房",
    "office": "书房", "kitchen": "厨房", "bathroom": "卫生间", "balcony": "阳台", "dining room": "餐厅",
    "dermatologist": "皮肤科", "dermatology": "皮肤科", "skin": "皮肤科", "eye doctor": "眼科", "ophthalmologist": "眼科",
    "eyes": "眼科", "pediatrician": "儿科", "paediatrician": "儿科", "pediatrics": "儿科", "children's doctor": "儿科",
    "internal medicine": "内科", "physician": "内科", "gp": "内科", "surgeon": "外科", "surgery": "外科",
    "checking": "活期", "savings": "储蓄",
}
# 向用户要信息时这些信息怎么说：参数含义 → (中文, English)
SLOT_NAMES = {"order_id": ("订单号", "order number"), "last4": ("卡号后四位", "last four digits of the card"),
              "date": ("日期", "date"), "month": ("哪个月", "which month"), "time": ("时间", "time"), "origin": ("出发城市", "departure city"),
              "destination": ("目的地", "destination"), "city": ("城市", "city"), "country": ("国家", "country"),
              "room": ("哪个房间", "which room"), "department": ("科室", "department"),
              "nationality": ("护照国籍", "passport nationality"), "name": ("姓名", "name"), "money": ("金额", "amount")}
# 数量按单位问：住几晚、几位
QUANTITY_ASKS = {"night": ("住几晚", "number of nights"), "person": ("几位", "number of people"),
                 "ticket": ("几张", "number of tickets"), "day": ("几天", "number of days")}
# 指令里的中文说法（“请用户提供订单号”）在英文回答里怎么说
ZH_SLOTS_EN = {"订单号": "order number", "订单编号": "order number", "原因": "reason", "退款原因": "reason",
               "日期": "date", "人数": "number of people", "舱位": "cabin class", "城市": "city", "手机号": "phone number",
               "手机": "phone number", "电话": "phone number", "邮箱": "email", "姓名": "name", "地址": "address",
               "金额": "amount", "时间": "time"}
# 人名：跟在这些说法后面的两到四个字是姓名（“入住人王芳”“病人叫陈晨”“乘客是李伟”）
NAME_ROLES = r"入住人|就诊人|乘机人|乘车人|乘客|旅客|病人|患者|客人|联系人|收件人|收货人|姓名|名字|名叫|叫做|叫"
# 英文里引出人名的说法：“for Li Wei”“under the name Tom Baker”“passenger is Amy Lee”
NAME_LEADS = (r"\bfor|\bnamed|\bcalled|under the name|\bunder|name is|name's|passenger is|guest is|patient is|"
              r"driver is|driver will be|\bby")
# 国籍：护照 / passport 前后的国名或国籍形容词
DEMONYMS = {"chinese": "China", "japanese": "Japan", "american": "United States", "british": "United Kingdom",
            "korean": "Korea", "french": "France", "german": "Germany", "canadian": "Canada",
            "australian": "Australia", "singaporean": "Singapore", "thai": "Thailand", "indian": "India"}

# ================================================================ 参数的含义

# 参数（或结构化输出的字段）是什么意思：按顺序看，第一条对上的就是。每行：(含义, 规则, 词, 字样)。
# 规则 "any"：参数名里有这些词（整词）或者名字 / 描述里有这些字样（子串）；
# "both"：名字或描述里这两组字样各有一个（“订单”+“号”）；
# "place"：方向词（from、to……）单独或者加上地点词（from_city），见 fill.py 的 _directional；
# "recipient"：收件人（email、cc，或者描述没说是地点的 to）。
SLOT_MEANINGS: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("last4", "any", ("last4", "lastfour", "tail"), ("last 4", "last four", "后四位", "末四位", "尾号")),
    ("origin", "place", ("from", "origin", "source", "departure", "depart"),
     ("出发地", "出发城市", "始发", "departure city", "origin")),
    ("destination", "place", ("to", "destination", "dest", "arrival", "arrive"),
     ("目的地", "到达城市", "到达地", "destination", "arrival city")),
    ("nationality", "any", ("nationality", "citizenship"), ("国籍", "护照国籍", "nationality", "citizenship",
                                                              "passport country", "passport nationality")),
    ("country", "any", ("country", "nation", "countries"), ("国家", "country")),
    # 具体地址（街道、门牌、小区）：比城市细
    ("address", "any", ("address", "street", "addr"), ("地址", "街道", "小区", "门牌", "具体到", "street address")),
    ("city", "any", (), ("city", "location", "place", "城市", "地点", "地区")),
    ("room", "any", ("room", "area", "zone", "space"), ("房间", "区域", "room")),
    ("department", "any", ("department", "dept", "division"), ("部门", "科室", "department")),
    ("email", "recipient", ("email", "recipient", "cc", "bcc"), ("email", "邮箱", "e-mail")),
    ("url", "any", ("url", "link", "website", "href"), ("网址", "链接")),
    ("order_id", "both", ("order", "订单"), ("id", "no", "number", "num", "号", "编号")),
    ("order_id", "any", ("tracking", "waybill"), ("tracking", "运单", "waybill")),
    ("phone", "any", (), ("phone", "mobile", "电话", "手机")),
    # 说明里举了一个编号做例子（“工单号，例如 KX-2207”“e.g. RB-1180”）：是编号，只能用文中真有的
    # “课程代码或课程名”“code or name”：可以是名字，按名词短语取，说明里的代码例子不当唯一的样子
    ("keyword", "code_or_name", (), ()),
    ("ident", "example_id", (), ()),
    ("ident", "any", ("confirmation", "reference", "voucher", "membership"),
     ("confirmation number", "confirmation code", "reference number", "booking number", "booking reference",
      "card number", "ticket number", "确认号", "预订号", "订座号", "案件号", "保单号", "卡号", "工单号")),
    # 一个月份（账单月 month、统计期 period）：说明写着 YYYY-MM 或“月份”；“几个月”是数量，不是月份
    ("month", "month_described", ("month", "period", "cycle"), ("yyyy-mm", "月份", "账期", "billing period")),
    # 说明写着“日期 / YYYY-MM-DD”的（day、when、on）：是日期，不是天数
    ("date", "date_described", (), ()),
    ("degree", "any", ("temperature", "temp", "degrees", "celsius"), ("温度", "度数", "temperature")),
    ("percent", "any", ("percent", "percentage", "pct"), ("百分比", "percent")),
    # 说明写着“姓名”（“预订人姓名”“full name”）：不管参数叫什么（player、booker），都是人名
    ("name", "any", (), ("姓名", "full name", "称呼")),
    ("name", "both", ("passenger", "guest", "patient", "customer", "contact", "recipient", "traveller", "traveler",
                      "driver", "holder", "owner", "applicant", "borrower", "patron", "student", "employee", "caller",
                      "member", "renter", "就诊人", "乘客", "入住人", "联系人", "驾驶人", "司机", "投保人", "申请人"),
     ("name", "名字", "姓名", "称呼")),
    # 东西的名字（菜名、书名、商品名）：按名词短语取，不是人名
    ("keyword", "both", ("dish", "book", "song", "movie", "film", "course", "menu", "菜", "书", "歌", "课程"),
     ("name", "名", "title")),
    ("quantity", "any", tuple(QUANTITY_PARAMS), ("quantity", "数量", "人数", "天数", "晚数", "几晚", "几位", "how many")),
    ("ident", "any", ("id", "number", "no", "sku", "seat", "account", "ref", "reference", "code"),
     ("编号", "代码", "座位", "账号", "账户", "预约号", "单号", " id ", " id.", " id,", " id;")),
    ("time", "any", ("time", "datetime", "slot"), ("时间", "几点")),
    ("date", "any", ("checkin", "checkout", "start", "end", "arrival", "departure", "pickup", "dropoff", "since",
                     "until", "deadline", "due", "birthday", "dob", "when", "date", "day"),
     ("date", "日期", "入住", "离店", "deadline")),
    ("money", "any", ("fee", "fees", "price", "cost", "amount", "budget", "fare", "rate"),
     ("amount", "price", "money", "cost", "total", "金额", "价格", "费用", "budget", "预算", "单价", "fare", "月费",
      "（元）", "(元)", "(usd)", "in dollars")),
    ("quantity", "any", (), ("count", "qty", "number of", "num", "passenger", "guests")),
    ("switch", "any", ("on", "enabled", "enable", "power", "active"), ("开关", "打开", "开启")),
    ("level", "any", ("priority", "urgency", "severity", "importance"), ("优先级", "紧急程度", "严重程度")),
    ("category", "any", ("category", "categories", "type", "kind", "intent", "class", "classification", "label",
                         "sentiment", "mood", "tone", "queue", "team"), ("分类", "类别", "类型", "情绪")),
    ("reason", "any", ("reason", "reasoning", "explanation", "rationale", "why"), ("原因", "理由")),
    ("title", "any", ("subject", "title", "headline"), ("主题", "标题")),
    ("summary", "any", ("summary", "abstract", "synopsis", "overview", "brief", "issue", "problem", "complaint",
                        "gist"), ("摘要", "概要", "概述", "问题描述")),
    ("product", "both", ("product", "商品", "货品"), ("keyword", "关键词", "name", "名称", "query")),
    ("keyword", "any", ("keyword", "keywords", "search", "topic", "term", "terms"),
     ("关键词", "搜索词", "书名", "作者", "title or", "or author", "author or", "part of it", "part of the title")),
    ("input", "any", ("query", "q", "input", "question", "prompt", "message", "text", "request", "body", "content"),
     ()),
    ("text", "any", ("answer", "reply", "response", "description", "report", "output", "result", "story", "outline",
                     "feedback", "translation", "markdown"), ("描述", "回答", "内容")),
    ("device", "any", ("device", "appliance"), ("设备", "电器", "device")),
    ("name", "any", ("name",), ("名称", "名字")),
)
# 地点类参数名里可以跟着方向词出现的地点词（from_city、to_airport）；这些词之外的（from_account）不是地点
PLACE_WORDS = frozenset({"city", "place", "location", "airport", "station", "port", "country"})
# 单独一个就能当地点的方向词；描述说它是这些东西时就不是地点
BARE_DIRECTIONS = frozenset({"from", "origin", "source", "to", "destination", "dest"})
NOT_PLACE = r"email|邮箱|e-mail|account|账户|账号|date|日期|time|时间|currency|币种|language|语言|unit|单位"
# “from”“to”这类只有一个词的参数名：是地点还是别的，看描述（“from”没说明时按地点算）
DIRECTION_FROM = frozenset({"from", "origin", "departure", "depart", "start", "source", "pickup"})
DIRECTION_TO = frozenset({"to", "destination", "dest", "arrival", "arrive", "end", "target", "dropoff"})

# 开 / 关：布尔型的开关参数（on、enabled）按用户说的是开还是关
SWITCH_ON = (r"打开|开启|开一下|开着|开灯|开空调|调暗|调亮|调到|调成|亮一点|暗一点|turn (?:it )?on|switch (?:it )?on|\bon\b|"
             r"enable|dim|brighten|启用|(?<![不关])开(?!关)")
SWITCH_OFF = r"关掉|关闭|关上|关一下|关了|关灯|turn (?:it )?off|switch (?:it )?off|\boff\b|disable|停用|(?<!开)关(?!于|系)"

# 英文关键词前后的口头语：“recommend a wireless mouse” → wireless mouse
EN_LEAD_WORDS = (r"ok|okay|oh|so|well|hmm|actually|also|and|please|can you|could you|would you|i want to|i'd like to|i would like to|i want|i'd like|"
                 r"i need|i'm looking for|im looking for|looking for|tell me about|tell me|show me|search(?: the web)? for|"
                 r"look up|find me|find|get me|get|buy|recommend(?: me)?|suggest(?: me)?|any good|any|some|"
                 r"do you (?:have|sell|carry|stock)|(?:are|is) there(?: any)?|have you got|what about|how about|"
                 r"a|an|the|good|nice|best|cheap|new")
EN_TAIL_WORDS = r"in stock|available|for sale|please|now|today|for me|to buy|that you have|you have|you sell"
# 常见商品说法的中文：英文提问、而工具的参数说明是中文（商品库是中文的）时，关键词换成中文再搜
ITEM_ZH = {
    "noise cancelling": "降噪", "noise-cancelling": "降噪", "noise canceling": "降噪", "running shoes": "跑鞋",
    "power bank": "充电宝", "gift card": "礼品卡", "fast charging": "快充", "smart watch": "智能手表",
    "earbuds": "耳机", "earphones": "耳机", "headphones": "耳机", "headphone": "耳机", "headset": "耳机",
    "wireless": "无线", "bluetooth": "蓝牙", "sneakers": "运动鞋", "shoes": "鞋", "smartphone": "手机", "phone": "手机",
    "laptop": "笔记本电脑", "notebook": "笔记本电脑", "smartwatch": "智能手表", "watch": "手表", "keyboard": "键盘",
    "mechanical": "机械", "mouse": "鼠标", "charger": "充电器", "kettle": "水壶", "electric": "电", "tablet": "平板",
    "monitor": "显示器", "camera": "相机", "speaker": "音箱", "tv": "电视", "router": "路由器", "cable": "数据线",
    "sports": "运动", "running": "跑步", "lightweight": "轻薄", "portable": "便携", "gaming": "游戏",
}
# 中文关键词前后的口头语（“帮我找一下……吗”）
# 指示词加量词（“那款”“这双”）：分词前先拿掉，免得和后面的字粘在一起（“那款挂耳式……”切成“那款挂 / 耳式”）
ZH_DEMONSTRATIVE = r"(?:那|这|哪)(?:一)?(?:款|个|种|件|台|双|把|只|部|本|套|条|瓶|盒|份|门|节|堂|班|张|位)"
ZH_LEAD = r"请问|请|帮我|麻烦|能不能|可以|我想|我要|想|给我|推荐|推荐一下|推荐个|推荐一款|来个|来一个|买个|买一个|有没有"
ZH_FILLER = r"查一下|查询一下|查询|查查|搜一下|搜索|找一下|找找|看看|看一下|有没有|一下|吗|呢|吧|呀|啊|？|\?|。|！|!"

# ================================================================ 字段的叫法（工具结果念成句子时用）

# 常见 API 字段名 → (中文, English)。不认识的字段按单词拼（WORDS），再不行就换个说法（render.py）。
FIELDS: dict[str, tuple[str, str]] = {
    "order_id": ("订单号", "order"), "order_no": ("订单号", "order"), "id": ("编号", "ID"),
    "status": ("状态", "status"), "order_status": ("订单状态", "order status"), "state": ("状态", "state"),
    "carrier": ("快递公司", "carrier"), "tracking_no": ("运单号", "tracking number"),
    "tracking_number": ("运单号", "tracking number"), "eta": ("预计送达", "estimated arrival"),
    "delivered_at": ("签收时间", "delivered at"), "created_at": ("创建时间", "created at"),
    "updated_at": ("更新时间", "updated at"), "event_time": ("时间", "time"), "time": ("时间", "time"),
    "latest": ("最新动态", "latest update"), "events": ("物流轨迹", "tracking history"),
    "amount": ("金额", "amount"), "total": ("合计", "total"), "total_amount": ("总金额", "total"),
    "price": ("价格", "price"), "unit_price": ("单价", "unit price"), "subtotal": ("小计", "subtotal"),
    "refundable_amount": ("可退金额", "refundable amount"), "discount": ("折扣", "discount"),
    "quantity": ("数量", "quantity"), "count": ("数量", "count"), "stock": ("库存", "stock"),
    "items": ("商品", "items"), "item": ("商品", "item"), "products": ("商品", "products"),
    "product": ("商品", "product"), "name": ("名称", "name"), "title": ("标题", "title"),
    "sku": ("商品编号", "SKU"), "category": ("类别", "category"), "description": ("描述", "description"),
    "reason": ("原因", "reason"), "ticket_id": ("工单号", "ticket"), "refund_id": ("退款单号", "refund"),
    "city": ("城市", "city"), "weather": ("天气", "weather"), "condition": ("天气", "conditions"),
    "conditions": ("天气", "conditions"), "temperature": ("气温", "temperature"),
    "temperature_range": ("气温", "temperature range"), "humidity": ("湿度", "humidity"),
    "wind": ("风力", "wind"), "location": ("地点", "location"), "customer": ("客户", "customer"),
    "phone": ("电话", "phone"), "email": ("邮箱", "email"), "address": ("地址", "address"),
    "message": ("说明", "message"), "note": ("备注", "note"), "summary": ("摘要", "summary"),
    "keyword": ("关键词", "keyword"), "topic": ("主题", "topic"), "policies": ("政策", "policies"),
    "content": ("内容", "content"), "url": ("链接", "link"), "user_id": ("用户编号", "user"),
    "balance": ("余额", "balance"), "currency": ("币种", "currency"), "coupon": ("优惠券", "coupon"),
    "member_level": ("会员等级", "member level"), "payment_status": ("支付状态", "payment status"),
    "paid": ("已付款", "paid"), "refundable": ("可退款", "refundable"), "approved_by": ("审批方式", "approved by"),
    "workspace": ("工作区", "workspace"), "transport": ("传输方式", "transport"), "version": ("版本", "version"),
    "pid": ("进程号", "PID"), "service": ("服务", "service"), "source": ("来源", "source"),
    "in_stock": ("有货", "in stock"), "eligible": ("符合条件", "eligible"), "issue_type": ("问题类型", "issue type"),
    "priority": ("优先级", "priority"), "method": ("方式", "method"), "payment_method": ("支付方式", "payment method"),
    "seat": ("座位", "seat"), "flight_number": ("航班号", "flight"), "confirmation_number": ("确认号", "confirmation"),
    "check_in": ("入住日期", "check-in"), "check_out": ("退房日期", "check-out"), "checkin": ("入住日期", "check-in"),
    "checkout": ("退房日期", "check-out"), "due_date": ("到期日", "due date"),
    "shipping_address": ("收货地址", "shipping address"), "delivery_address": ("收货地址", "delivery address"),
    "is_relevant": ("与本店业务相关", "related to the business"), "is_jailbreak": ("越狱尝试", "a jailbreak attempt"),
    # 保险、通信、图书馆、餐馆、租车这些常见服务的字段
    "policy_no": ("保单号", "policy"), "claim_no": ("案件号", "claim"), "valid_from": ("生效日期", "valid from"),
    "valid_to": ("到期日期", "valid until"), "valid_until": ("有效期至", "valid until"), "covers": ("保障项目", "covers"),
    "deductible": ("免赔额", "deductible"), "happened_on": ("出险日期", "date of incident"),
    "next_step": ("下一步", "next step"), "estimated_payout": ("预计赔付", "estimated payout"),
    "data_used": ("已用流量", "data used"), "used_data": ("已用流量", "data used"), "data_left": ("剩余流量", "data left"),
    "data": ("流量", "data"),
    "voice_minutes": ("通话分钟数", "voice minutes"), "monthly_fee": ("月费", "monthly fee"),
    "contract_until": ("合约到期", "contract until"), "pack": ("流量包", "pack"), "ticket_no": ("工单号", "ticket"),
    "expected_response": ("预计处理", "expected response"), "effective_from": ("生效日期", "effective from"),
    "old_plan": ("原套餐", "old plan"), "new_plan": ("新套餐", "new plan"), "plan": ("套餐", "plan"),
    "plan_code": ("套餐编码", "plan code"), "owner": ("机主", "owner"), "holder": ("持有人", "holder"),
    "insured": ("保障对象", "insured"), "incident": ("事故类型", "incident"),
    "copies_on_shelf": ("在架册数", "copies on the shelf"), "on_shelf": ("在架", "on the shelf"),
    "holds": ("排队预约", "holds"), "hold_queue": ("排队预约", "hold queue"), "queue_position": ("排队位置", "queue position"),
    "renewals_left": ("剩余续借次数", "renewals left"), "renewals": ("续借次数", "renewals"),
    "new_due": ("新的到期日", "new due date"), "due": ("到期日", "due"), "fine": ("罚款", "fine"),
    "outstanding_fine": ("未缴罚款", "outstanding fine"), "loan_id": ("借阅号", "loan"), "book_id": ("书号", "book"),
    "branch": ("分馆", "branch"), "author": ("作者", "author"),
    "table": ("桌型", "table"), "dish": ("菜名", "dish"), "dishes": ("菜品", "dishes"), "spice": ("辣度", "spice level"),
    "allergens": ("过敏原", "allergens"), "section": ("栏目", "section"), "guests": ("人数", "guests"),
    "contact_name": ("联系人", "contact name"), "other_times": ("其他可订时间", "other times"),
    "car_class": ("车型", "car class"), "pickup_location": ("取车门店", "pickup branch"),
    "pickup_date": ("取车日期", "pickup date"), "return_date": ("还车日期", "return date"),
    "new_return_date": ("新的还车日期", "new return date"), "driver_name": ("驾驶人", "driver"),
    "daily_rate": ("日租金", "daily rate"), "young_driver_fee": ("年轻驾驶人附加费", "young driver fee"),
    "extra_days": ("延长天数", "extra days"), "extra_cost": ("额外费用", "extra cost"),
    "cancellation_fee": ("取消费用", "cancellation fee"), "confirmation": ("确认号", "confirmation"),
    "code": ("编号", "code"), "bookings": ("订座", "bookings"), "reservations": ("预订", "reservations"),
    "loans": ("借阅", "loans"), "plans": ("套餐", "plans"), "cars": ("车型", "cars"), "day": ("日期", "day"),
    "failed_logins": ("连续输错次数", "failed logins"), "mobile_tail": ("登记手机尾号", "mobile ending"),
    "password_expires": ("密码到期日", "password expires"), "password_expired": ("密码已过期", "password expired"),
    "locked": ("已锁定", "locked"), "sent_to": ("发送到", "sent to"), "asset_tag": ("资产标签", "asset tag"),
    "warranty_until": ("保修截止", "warranty until"), "in_warranty": ("在保修期内", "in warranty"),
    "opening_hours": ("营业时间", "opening hours"), "business_hours": ("营业时间", "business hours"),
    "store_hours": ("营业时间", "opening hours"), "weekday_hours": ("工作日营业时间", "weekday hours"),
    "weekend_hours": ("周末营业时间", "weekend hours"), "time_slot": ("时段", "time slot"),
    "phone_number": ("电话", "phone number"), "rx_no": ("处方号", "prescription no."),
}
# 字段名里的缩写 → 全称（两种语言都先换成全称再翻译：temp_low → low temperature → 最低气温）
ABBREVIATIONS = {"temp": "temperature", "qty": "quantity", "amt": "amount", "desc": "description",
                 "addr": "address", "num": "number", "msg": "message", "tel": "phone", "dept": "department",
                 "cnt": "count", "avg": "average", "min": "minimum", "max": "maximum", "pct": "percent",
                 "info": "information", "img": "image", "pic": "picture", "lon": "longitude", "lat": "latitude",
                 "lng": "longitude", "dob": "birthday", "qty_left": "remaining", "ref": "reference"}
# temp 只在说天气的字段里是气温（temp_low、max_temp）；别处是“临时”（temp_password）
TEMPERATURE_COMPANIONS = frozenset({"low", "high", "min", "max", "minimum", "maximum", "avg", "average", "feels",
                                    "like", "current", "c", "f", "celsius", "fahrenheit", "water", "air", "indoor",
                                    "outdoor", "room", "target", "set"})
# 中文里放到最前面说的后置词：seats_left → 剩余座位，refills_remaining → 剩余续药次数
ZH_FRONT = {"left": "剩余", "remaining": "剩余"}
# 字段名里说时间范围的两个词，中文放在最前面：freezes_left_this_year → 今年剩余冻结次数
ZH_PERIODS = {"this_year": "今年", "this_month": "本月", "this_week": "本周", "per_year": "每年",
              "per_month": "每月", "per_week": "每周", "per_day": "每天", "per_night": "每晚"}
# 修饰词：字段名里放在哪儿都先说（temp_high → 最高气温 / high temperature）
MODIFIERS = frozenset({"low", "high", "minimum", "maximum", "lowest", "highest", "average", "total", "first",
                       "last", "new", "old", "current", "next", "previous", "remaining", "estimated", "daily",
                       "monthly", "weekly", "annual", "original", "expected", "actual", "available", "used",
                       "free", "main", "other", "final", "latest"})
# 字段名里一个英文词的中文
WORDS: dict[str, str] = {
    "order": "订单", "status": "状态", "id": "号", "no": "号", "number": "号", "amount": "金额", "price": "价格",
    "total": "合计", "refund": "退款", "refundable": "可退", "ticket": "工单", "tracking": "运单", "time": "时间",
    "date": "日期", "created": "创建", "updated": "更新", "delivered": "签收", "shipment": "物流", "payment": "支付",
    "paid": "已付", "method": "方式", "user": "用户", "customer": "客户", "name": "名称", "product": "商品",
    "item": "商品", "items": "商品", "stock": "库存", "count": "数量", "quantity": "数量", "city": "城市",
    "weather": "天气", "temperature": "气温", "range": "范围", "humidity": "湿度", "wind": "风力",
    "needs": "需要", "human": "人工", "approval": "审批", "approved": "审批", "threshold": "门槛", "by": "方", "existing": "已有",
    "latest": "最新", "event": "事件", "events": "事件", "level": "等级", "member": "会员", "discount": "折扣",
    "rate": "费率", "unit": "单", "fee": "费用", "shipping": "运费", "estimated": "预计",
    "phone": "电话", "email": "邮箱", "address": "地址", "type": "类型", "issue": "问题", "result": "结果",
    "score": "评分", "rating": "评分", "reason": "原因", "message": "说明", "balance": "余额", "account": "账户",
    "confirmation": "确认", "seat": "座位", "flight": "航班", "contact": "联系", "information": "信息",
    "data": "数据", "logistics": "物流", "courier": "快递", "invoice": "发票",
    # 出行、预订、会员、天气、家居这些常见领域的词
    "delay": "延误", "departure": "出发", "arrival": "到达", "gate": "登机口", "terminal": "航站楼",
    "hotel": "酒店", "room": "房间", "booking": "预订", "reservation": "预订", "rental": "租车", "car": "车辆",
    "train": "车次", "station": "车站", "platform": "站台", "airline": "航空公司", "airport": "机场",
    "origin": "出发地", "destination": "目的地", "from": "出发", "to": "到达", "remaining": "剩余",
    "points": "积分", "tier": "等级", "membership": "会员", "expiry": "到期", "expiration": "到期",
    "expires": "到期", "valid": "有效", "until": "至", "credit": "额度", "limit": "上限", "tax": "税费",
    "fare": "票价", "insurance": "保险", "breakfast": "早餐", "daily": "每日", "restaurant": "餐厅",
    "guests": "客人", "people": "人数", "passengers": "乘客", "passenger": "乘客", "duration": "时长",
    "distance": "距离", "weight": "重量", "size": "尺寸", "color": "颜色", "brand": "品牌", "model": "型号",
    "warranty": "保修", "coupon": "优惠券", "voucher": "代金券", "card": "卡", "store": "门店",
    "driver": "司机", "plate": "车牌", "start": "开始", "end": "结束", "last": "最近", "next": "下一",
    "code": "编号", "language": "语言", "country": "国家", "region": "地区", "course": "课程",
    "new": "新的", "old": "原", "current": "当前", "channel": "渠道", "expire": "即将到期", "expiring": "即将到期",
    "left": "剩余", "used": "已用", "available": "可用", "original": "原始", "due": "应付",
    "pickup": "取件", "delivery": "配送", "return": "退货", "exchange": "换货", "review": "评价", "comment": "备注",
    "note": "备注", "notes": "备注", "detail": "详情", "details": "详情", "url": "链接", "link": "链接",
    "description": "描述", "title": "标题", "category": "类别", "tag": "标签", "tags": "标签", "owner": "负责人",
    "agent": "客服", "assignee": "处理人", "queue": "队列", "sla": "时限", "eta": "预计到达", "route": "路线",
    "speed": "速度", "floor": "楼层", "building": "楼栋", "zip": "邮编", "postal": "邮政", "street": "街道",
    "district": "区", "province": "省份", "state": "状态", "progress": "进度", "step": "步骤", "stage": "阶段",
    "version": "版本", "capacity": "容量", "battery": "电池", "screen": "屏幕", "sold": "已售",
    "views": "浏览量", "likes": "点赞数", "followers": "粉丝数", "stars": "星级", "nights": "晚数", "days": "天数",
    "minutes": "分钟数", "hours": "小时数", "minimum": "最低", "maximum": "最高", "average": "平均",
    "low": "最低", "high": "最高", "lowest": "最低", "highest": "最高", "estimate": "预计", "per": "每",
    "night": "晚", "day": "天", "month": "月", "year": "年", "reply": "回复", "callback": "回电",
    "jailbreak": "越狱尝试", "relevant": "与业务相关", "safe": "安全", "toxic": "有害内容", "spam": "垃圾信息",
    "offensive": "冒犯内容", "harmful": "有害内容", "homework": "作业", "book": "图书", "books": "图书",
    "library": "图书馆", "loan": "借阅", "loans": "借阅", "fine": "罚款", "overdue": "逾期", "renewed": "已续借",
    "renewal": "续借", "deposit": "押金", "penalty": "违约金", "confirmed": "已确认", "cancelled": "已取消",
    "canceled": "已取消", "booked": "已预订", "feels": "体感", "like": "温度", "rain": "降雨", "chance": "概率",
    "probability": "概率", "uv": "紫外线", "index": "指数", "visibility": "能见度", "pressure": "气压",
    "sunrise": "日出", "sunset": "日落", "forecast": "预报", "summary": "概况", "visa": "签证", "required": "需要",
    "stay": "停留", "max_stay": "最长停留", "processing": "办理", "leave": "假期", "annual": "年", "sick": "病假",
    "compensatory": "调休", "light": "灯", "brightness": "亮度", "mode": "模式", "power": "电源", "device": "设备",
    "setpoint": "设定温度", "target": "目标", "humidity_level": "湿度", "last4": "尾号", "masked": "卡号",
    "blocked": "已冻结", "replacement": "补卡", "transfer": "转账", "transaction": "交易", "reference": "参考号",
    "fee_waived": "免手续费", "department": "部门", "doctor": "医生", "clinic": "诊室", "slot": "时段",
    "appointment": "预约", "queue_number": "排队号", "wait": "等待", "position": "位置", "lesson": "课时",
    "remaining_days": "剩余天数", "quota": "额度", "image": "图片", "picture": "图片", "longitude": "经度",
    "latitude": "纬度", "birthday": "生日", "percent": "比例", "share": "占比",
    # 快递、选课、账号、门诊、租房、影院、汽车保养这些常见领域里字段名常用的词
    "patient": "就诊人", "recipient": "收件人", "sender": "寄件人", "signed": "签收", "locker": "快递柜",
    "waybill": "运单", "parcel": "包裹", "package": "包裹", "pieces": "件数", "volume": "体积",
    "credits": "学分", "section": "班", "semester": "学期", "instructor": "授课教师", "enrolled": "已选",
    "dropped": "已退", "waitlist": "候补", "prerequisite": "先修课", "prerequisites": "先修课",
    "temporary": "临时", "sent": "发送", "login": "登录", "password": "密码", "locked": "已锁定",
    "unlocked": "未锁定", "attempts": "次数", "mobile": "手机", "tail": "尾号", "employee": "员工", "staff": "员工",
    "guest": "客人", "checkin": "入住", "checkout": "退房", "nightly": "每晚", "tenant": "租户", "landlord": "房东",
    "rent": "租金", "lease": "租约", "repair": "维修", "technician": "技师",
    "vehicle": "车辆", "mileage": "里程", "showtime": "场次", "screening": "场次", "hall": "影厅", "cinema": "影院",
    "movie": "影片", "film": "影片", "drug": "药品", "medicine": "药品", "dosage": "用量", "prescription": "处方",
    # 账单、抄表、分期
    "monthly": "每月", "setup": "开办", "first": "首次", "option": "方案", "options": "可选方案", "bill": "账单",
    "usage": "用量", "meter": "表", "meters": "表", "reading": "读数", "readings": "读数", "electricity": "电",
    "water": "水", "gas": "燃气", "autopay": "自动扣款", "late": "滞纳", "service": "服务",
    "instalment": "分期", "installment": "分期", "instalments": "分期", "installments": "分期",
    # 别的常见字段词（不认识的字段才逐词翻译：中文回答里不留英文词）
    "previous": "上一", "must": "须", "change": "修改", "since": "起始", "deadline": "截止时间", "charge": "费用",
    "charges": "费用", "allowed": "允许", "eligible": "符合条件", "plan": "套餐", "unpaid": "未付", "open": "开门",
    "opens": "开门", "close": "关门", "closes": "关门", "opening": "营业", "location": "位置", "holder": "持有人",
    "student": "学生", "class": "课程", "teacher": "老师", "coach": "教练", "spots": "名额", "spot": "名额",
    "seats": "座位", "rejected": "已拒绝", "pending": "待处理", "verified": "已验证", "active": "有效",
    "frozen": "已冻结", "suspended": "已停用", "serial": "序列", "problem": "问题", "priority": "优先级",
    "kind": "类型", "source": "来源", "filled": "配药", "refills": "续药次数", "refill": "续药", "dose": "剂量",
    "frequency": "频次", "interaction": "相互作用", "interactions": "相互作用", "side": "副", "effects": "作用",
    "dropoff": "送达", "branch": "网点", "counter": "柜台", "window": "窗口", "interest": "利息", "term": "期限",
    "adults": "成人", "children": "儿童", "kids": "儿童", "pets": "宠物", "pet": "宠物", "breed": "品种",
    "age": "年龄", "species": "物种", "vaccine": "疫苗", "vaccines": "疫苗", "vaccinated": "已接种", "vet": "兽医",
    "groomer": "美容师", "fragile": "易碎", "insured": "已保价", "claim": "理赔", "coverage": "保障",
    "deductible": "免赔额", "premium": "保费", "policy": "保单", "beneficiary": "受益人", "pin": "密码",
    "otp": "验证码", "failed": "失败", "subtotal": "小计", "tip": "小费", "debit": "借记", "receiver": "收件人",
    "memo": "备注", "author": "作者", "isbn": "书号", "copies": "册数", "borrowed": "已借", "hold": "预约",
    "holds": "预约", "table": "桌位", "party": "人数", "smoking": "吸烟", "menu": "菜单", "dish": "菜品",
    "spicy": "辣", "vegetarian": "素食", "allergens": "过敏原", "calories": "热量",
    "weekday": "星期", "weekend": "周末", "weekdays": "工作日", "holiday": "节假日", "holidays": "节假日",
    "week": "周", "hour": "小时", "minute": "分钟", "second": "秒", "signature": "签名", "photo": "照片",
    "document": "证件", "documents": "材料", "materials": "材料", "bring": "携带", "needed": "需要",
    "cost": "费用", "costs": "费用", "bed": "床型", "view": "景观",
    "included": "包含", "includes": "包含", "extra": "额外", "extras": "附加项",
    "lost": "遗失", "found": "找到", "bag": "行李", "bags": "行李", "baggage": "行李", "luggage": "行李",
    "compensation": "赔偿", "quote": "报价",
    "moving": "搬家", "truck": "货车", "movers": "搬运工", "crew": "人员", "boxes": "箱数", "box": "箱",
    "trainee": "学员", "tutor": "辅导老师", "grade": "年级", "subject": "科目", "trial": "试听",
    "museum": "博物馆", "exhibition": "展览", "exhibit": "展品", "visitor": "参观者", "visitors": "参观人数",
    "entry": "入场", "admission": "门票", "tickets": "票", "broadband": "宽带",
    "bandwidth": "带宽", "outage": "故障", "engineer": "工程师", "visit": "到访", "modem": "光猫",
    "signal": "信号", "laundry": "洗衣", "print": "打印", "pages": "页数", "copy": "复印", "paper": "纸张",
    "permit": "许可证", "license": "证照", "licence": "证照", "applicant": "申请人", "application": "申请",
    "ready": "可领取", "collect": "领取", "collection": "领取", "renew": "续期",
    "renews": "续期", "renewals": "续借次数", "freezes": "冻结次数", "freeze": "冻结", "resumes": "恢复",
    "timetable": "时间表", "slots": "时段", "file": "档案", "schedule": "时间安排", "free": "免费", "spring": "春季", "summer": "夏季", "autumn": "秋季", "fall": "秋季",
    "winter": "冬季", "rx": "处方", "hardware": "硬件", "software": "软件", "loaner": "备用机", "copay": "自付金额",
    "barcode": "条码", "billing": "计费", "seller": "卖家", "buyer": "买家", "listing": "商品", "listed": "上架",
    "condition": "成色", "central": "中央", "university": "大学", "mall": "商场",
    "escrow": "担保", "shipped": "已发货", "returned": "已退货",
}
# 字段名里可以不念的虚词（lights_on → 灯）
FUNCTION_WORDS = frozenset({"on", "of", "in", "at", "is", "the", "a", "an", "for", "by", "with", "per", "and", "now"})
# 指人的词：它后面的 name 是姓名
PERSON_WORDS = frozenset({"patient", "recipient", "sender", "guest", "customer", "passenger", "employee", "student",
                          "driver", "holder", "tenant", "contact", "user", "member", "owner", "doctor", "teacher",
                          "instructor", "applicant", "borrower", "traveller", "traveler", "buyer", "seller", "agent",
                          "player", "visitor", "attendee", "participant", "client", "caller", "parent", "renter",
                          "patron", "resident", "tutor", "coach", "child"})
# 名词本身带着单位：气温的数值说“度”，湿度说“%”
NOUN_UNITS = {"temperature": "degree", "humidity": "percent", "chance": "percent", "probability": "percent"}
# 放在字段名最后时意思更具体的词：new_departure → 新的出发时间，不是“新出发”
LAST_WORDS = {"departure": "出发时间", "arrival": "到达时间", "start": "开始时间", "end": "结束时间",
              "expiry": "到期时间", "deadline": "截止时间", "pickup": "取件时间", "at": "时间",
              "from": "起始日", "since": "起始日", "until": "截止日"}
# 状态值 → 中文
VALUES_ZH = {"open": "待处理", "closed": "已关闭", "pending": "待处理", "approved": "已批准", "rejected": "已拒绝",
             "shipped": "已发货", "delivered": "已签收", "processing": "处理中", "completed": "已完成",
             "cancelled": "已取消", "canceled": "已取消", "paid": "已支付", "failed": "失败", "success": "成功",
             "in_transit": "运输中", "auto": "自动审批", "human": "人工审批",
             "delayed": "已延误", "on_time": "准点", "ontime": "准点", "departed": "已起飞", "arrived": "已到达",
             "boarding": "登机中", "scheduled": "计划中", "confirmed": "已确认", "booked": "已预订",
             "refunded": "已退款", "returned": "已退货", "out_for_delivery": "派送中", "unpaid": "未支付",
             "active": "正常", "inactive": "未激活", "locked": "已锁定", "expired": "已过期", "valid": "有效",
             "invalid": "无效", "available": "可用", "unavailable": "不可用", "in_stock": "有货",
             "out_of_stock": "缺货", "sold_out": "已售罄", "gold": "金卡", "silver": "银卡", "platinum": "白金卡",
             "bronze": "铜卡", "diamond": "钻石卡", "regular": "普通", "standard": "标准", "premium": "高级",
             "high": "高", "medium": "中", "low": "低", "normal": "正常", "urgent": "紧急",
             "resolved": "已解决", "escalated": "已升级", "not_found": "未找到", "yes": "是", "no": "否",
             "on": "开", "off": "关", "blocked": "已冻结", "frozen": "已冻结", "sunny": "晴", "cloudy": "多云",
             "rainy": "雨", "snowy": "雪", "overcast": "阴"}
VALUES_EN: dict[str, str] = {}
for _en, _zh in VALUES_ZH.items():  # 反过来：已发货 → shipped（同一个中文词取第一个英文词）
    VALUES_EN.setdefault(_zh, _en.replace("_", " "))
VALUES_EN.update({"待处理": "pending", "已创建": "created", "运输中": "in transit", "派送中": "out for delivery"})
# 布尔字段名是过去分词（confirmed、refunded、insurance_included）：真 → “已确认”，假 → “未确认”
PARTICIPLES: dict[str, str] = {
    "confirmed": "确认", "cancelled": "取消", "canceled": "取消", "booked": "预订", "reserved": "预订",
    "refunded": "退款", "created": "创建", "approved": "批准", "rejected": "拒绝", "shipped": "发货",
    "delivered": "签收", "paid": "付款", "locked": "锁定", "verified": "验证", "included": "包含",
    "completed": "完成", "processed": "处理", "submitted": "提交", "sent": "发送", "received": "收到",
    "activated": "激活", "expired": "过期", "returned": "退货", "updated": "更新", "deleted": "删除",
    "scheduled": "安排", "assigned": "分配", "resolved": "解决", "closed": "关闭", "delayed": "延误",
    "escalated": "升级", "accepted": "接受", "checked": "检查", "saved": "保存", "registered": "注册",
    "blocked": "冻结", "frozen": "冻结", "issued": "补发", "waived": "免除", "required": "需要",
}
# 常见布尔字段 → ((真, 假) 中文, (真, 假) English)
BOOLS: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {
    "in_stock": (("有货", "缺货"), ("in stock", "out of stock")),
    "locked": (("已锁定", "已解锁"), ("locked", "unlocked")),
    "available": (("可以", "不行"), ("available", "not available")),
    "eligible": (("符合条件", "不符合条件"), ("eligible", "not eligible")),
    "refundable": (("可以退款", "不能退款"), ("refundable", "not refundable")),
    "returnable": (("支持退货", "不支持退货"), ("returnable", "not returnable")),
    "paid": (("已付款", "未付款"), ("paid", "not paid")),
    "created": (("已创建", "未创建"), ("created", "not created")),
    "success": (("成功", "失败"), ("succeeded", "failed")),
    "ok": (("成功", "失败"), ("succeeded", "failed")),
    "on": (("已打开", "已关闭"), ("on", "off")),
    "visa_required": (("需要签证", "免签"), ("visa required", "no visa needed")),
    "needs_human_approval": (("需要人工审批", "无需人工审批"), ("needs human approval", "no approval needed")),
    "is_relevant": (("与本店业务相关", "与本店业务无关"), ("related to the business", "not related to the business")),
    "is_jailbreak": (("是越狱尝试", "不是越狱尝试"), ("a jailbreak attempt", "not a jailbreak attempt")),
}

# ================================================================ 等级、类别、情绪、紧急程度

# 等级词，从低到高。一组选项里认得出两个以上，就当作等级来选
LEVELS: tuple[tuple[str, ...], ...] = (
    ("lowest", "trivial", "minor", "low", "低", "不急", "一般", "p3", "p4"),
    ("normal", "medium", "moderate", "mid", "中", "中等", "普通", "正常", "p2"),
    ("high", "major", "important", "高", "较高", "重要", "急", "p1"),
    ("urgent", "critical", "highest", "blocker", "emergency", "紧急", "非常紧急", "最高", "特急", "p0"),
)
# 概念 → 类别词 (中文, English)，按优先顺序：投诉比物流更能说明要怎么处理
CATEGORIES = (
    ("complaint", "投诉", "complaint"), ("refund", "退款", "refund"), ("unhappy", "投诉", "complaint"),
    ("pay", "支付", "billing"),
    ("account", "账户", "account"), ("tech", "技术故障", "technical"), ("track", "物流", "shipping"),
    ("booking", "预订", "booking"), ("shop", "售前咨询", "pre-sales"), ("item", "售前咨询", "pre-sales"),
    ("policy", "政策咨询", "policy"), ("order", "订单", "order"), ("weather", "天气", "weather"),
)
OTHER_OPTIONS = frozenset({"other", "others", "general", "misc", "unknown", "其他", "其它", "一般", "一般咨询", "未知"})
# 催促：很急、尽快、asap（投诉不算催促）
HURRY = r"紧急|加急|马上|立刻|尽快|赶紧|着急|急着|很急|太急|急死|\b(?:urgent(?:ly)?|asap|immediately|right now|right away|emergency)\b"
# 只说了“急”：“很急！”“有点着急”
RUSHED = r"^(?:很|非常|太|特别|比较|有点|挺)?(?:急|着急)(?:了|啊|呀|的)?$|\b(?:asap|right now|quickly)\b"
# 说明问题严重的说法：东西坏了、钱的问题、投诉、账户被锁……（不算催促，催促另算）
SERIOUS = (r"坏了|碎了|破了|漏|故障|不能用|用不了|打不开|闪退|崩溃|扣了两次|重复扣|多扣|被盗|盗刷|锁定|登不上|"
           r"投诉|差评|太差|骗|丢了|丢件|没收到|错发|发错|安全|过敏|受伤|broken|damaged|crash|not working|"
           r"doesn't work|charged twice|double charged|stolen|locked|hacked|complain|missing|never arrived|"
           r"wrong item|injur|unsafe")
POSITIVE_WORDS = r"好|棒|满意|喜欢|谢谢|赞|不错|great|good|love|thanks|excellent|happy"
NEGATIVE_WORDS = (r"差|烂|失望|生气|投诉|坏了|糟糕|垃圾|慢|太[\u4e00-\u9fff]{1,3}了|受不了|难受|不舒服|没法用|"
                  r"bad|terrible|angry|awful|broken|worst|hate|too (?:cold|hot|loud|slow|noisy)")
# 咨询类的说法：普通问问，不急
CASUAL = (r"^(?:请问|问一下|想问|咨询|了解|有没有|多少钱|推荐|how much|do you|is there|can you tell|what is|what's|"
          r"i'd like to know)|[吗?？]\s*$")

# ================================================================ 说话：人设

# 中文指令里的角色 → 英文说法（英文回答时用；只看结尾的角色词，店名之类不翻）
ROLES_EN = (("客服", "a customer service agent"), ("专员", "a specialist"), ("顾问", "a consultant"),
            ("导购", "a shopping assistant"), ("翻译", "a translator"), ("老师", "a teacher"),
            ("助手", "an assistant"), ("助理", "an assistant"), ("专家", "an expert"), ("经理", "a manager"))
