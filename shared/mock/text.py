"""模拟模型的“读字”部分：分词、语言判断、概念词典。

- 分词：中文用 rjieba（jieba 的 Rust 实现，自带词典）。加载词典约 0.2 秒，所以第一次需要时才加载；
  预先 fork 子进程的服务可以在父进程里调用 `preload()`，子进程就不用再付这笔钱。
- 概念（`CONCEPTS`）：一张通用的小词典，把“查 / 退 / 买 / 投诉 / 到哪……”这类说法归到同一个概念上，
  中英文都有。用户的话和工具的名字、描述、指令都用同一张词典去读，两边落到同一个概念就算对上了。
  它描述的是客服和常见工具领域的普通说法，不是任何一节课的问题。
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache

CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z']+")
TOKEN_ID = re.compile(r"[A-Za-z]*\d[\w-]*")  # A1001、user456、12A：编号，不是单词

_lock = threading.Lock()
_jieba = None


def preload() -> None:
    """加载分词词典（幂等）。fork 子进程之前在父进程里调用一次，子进程直接共享。"""
    _segmenter()


def _segmenter():
    global _jieba
    if _jieba is None:
        with _lock:
            if _jieba is None:
                import rjieba

                for word in EXTRA_WORDS:  # 词典里没有、又常被切碎的客服说法
                    rjieba.add_word(word, None, None)
                _jieba = rjieba
    return _jieba


EXTRA_WORDS = ("转人工", "人工客服", "快递员", "快递小哥", "送货员", "退货", "退款", "换货", "到哪了", "什么时候到", "多少钱", "有没有",
               "能不能", "可不可以", "工单", "运单号", "订单号")


# ---------------------------------------------------------------- 语言


def is_english(text: str) -> bool:
    """这句话是英文吗：有英文单词，没有汉字。"""
    return not CJK.search(text) and len(LATIN_WORD.findall(text)) >= 1


def wants_english(instructions: str) -> bool:
    """指令要求用英文回答。"""
    return bool(re.search(
        r"(用|以|使用|只会用|只用|只能用)\s*英[文语]|英[文语](回答|回复|作答)|"
        r"\b(respond|reply|answer|speak|write)\b[^.\n]{0,30}\bin english\b|english only|only (speak|respond in) english",
        instructions, re.I))


def wants_chinese(instructions: str) -> bool:
    return bool(re.search(r"(用|以|使用|只会用|只用)\s*(中文|汉语)|(中文|汉语)(回答|回复)|in chinese", instructions, re.I))


# ---------------------------------------------------------------- 分词


STOP = set(
    "的 了 吗 呢 吧 啊 呀 嘛 么 我 你 他 她 它 我们 你们 是 在 有 和 与 及 或 就 都 也 还 又 把 被 给 让 "
    "这 那 这个 那个 一个 一下 一些 请 请问 帮 帮我 麻烦 可以 能 想 要 我要 我想 一 个 下 吧 哦 嗯 "
    "不 问 说 告诉 知道 什么 怎么 怎样 为什么 哪 哪个 哪些 多少 几 啥 时 时候 用 用户 使用 如果 问题 需要 进行 相关 信息 工具 助手 调用 返回 结果 内容 当前 所有 "
    "负责 处理 提供 根据 指定 获取 时 并 再 先 然后 对 从 为 以 等 及其 其 该 此 之 中 上 里 "
    "a an the to of in on for and or is are was be it its this that with by at as from my me i you "
    "your we our can could would should will please do does did what which who how get tool agent "
    "handoff transfer handle request use using info data id ok".split()
)


@lru_cache(maxsize=8192)
def words(text: str) -> tuple[str, ...]:
    """切成词：中文按词，英文按单词（小写、还原词形：crashing → crash），编号（A1001、user456）整个保留；
    去掉停用词和标点。英文的固定说法先合成一个词（log in / logging in → login）。"""
    out: list[str] = []
    for token in _segmenter().cut(normalize_english(text)):
        token = token.strip()
        if not token or token.lower() in STOP:
            continue
        if CJK.search(token):
            out.append(token)
        elif TOKEN_ID.fullmatch(token):
            out.append(token)
        else:
            out += [stem(w) for w in split_identifier(token) if len(w) > 1 and w.lower() not in STOP]
    return tuple(out)


# 英文里几个词合起来才是一个意思的说法：两边（用户的话、工具的描述）都先合成同一个词再比较。
EN_PHRASES = (
    (re.compile(r"\b(?:log|logg?ing|logged|sign|signing|signed)\s+(?:in|into|on)(?:to)?\b", re.I), "login"),
    (re.compile(r"\b(?:log|logg?ing|logged|sign|signing|signed)\s+(?:out|off)\b", re.I), "logout"),
    (re.compile(r"\b(?:sign|signing|signed)\s+up\b", re.I), "signup"),
    (re.compile(r"\b(?:log-?ins?|sign-?ins?)\b", re.I), "login"),
)


def normalize_english(text: str) -> str:
    if not LATIN_WORD.search(text):
        return text
    for pattern, word in EN_PHRASES:
        text = pattern.sub(word, text)
    return text


@lru_cache(maxsize=8192)
def stem(word: str) -> str:
    """够用的英文词干：crashes / crashing / crashed → crash，charged / charges → charg，logging → log。
    两边用同一个函数，词干不必是真正的单词，只要同一个词的几种形式落到一起。"""
    w = word.lower()
    if len(w) <= 3 or not w.isalpha():
        return w
    if w.endswith(("ies", "ied")) and len(w) > 4:
        return w[:-3] + "y"
    for suffix in ("ing", "ed"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[: -len(suffix)]
            if len(w) >= 4 and w[-1] == w[-2] and w[-1] not in "lsz":  # shipped → ship，logging → log
                w = w[:-1]
            return _drop_e(w)
    if w.endswith("es") and len(w) > 4 and w[-3] in "sxzh":  # crashes → crash，boxes → box
        return w[:-2]
    if w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    return _drop_e(w)


def _drop_e(w: str) -> str:
    return w[:-1] if w.endswith("e") and len(w) > 3 else w


def split_identifier(name: str) -> list[str]:
    """get_weather → get, weather；queryOrder → query, Order；transfer-to-x → transfer, to, x。"""
    return list(_split_identifier(name))


@lru_cache(maxsize=8192)
def _split_identifier(name: str) -> tuple[str, ...]:
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", name).replace("_", " ").replace("-", " ")
    return tuple(LATIN_WORD.findall(spaced))


def subgrams(word: str) -> list[str]:
    """长的中文词再拆成相邻两字：“电热水壶”也能和“热水”对上。"""
    if len(word) < 3 or not CJK.match(word):
        return []
    return [word[i : i + 2] for i in range(len(word) - 1)]


# ---------------------------------------------------------------- 概念


# 概念名 → 触发词。英文按整词、中文单字按整词、中文多字按子串匹配。
CONCEPTS: dict[str, str] = {
    # 意图（动词 + 宾语）
    "lookup": "查 查查 查询 查一下 查看 看看 看下 核对 query lookup look check find search show 搜 搜索 找",
    "status": "状态 进度 怎么样了 什么状态 啥情况 情况 status progress state",
    "track": "物流 logistics 快递 到哪 到哪了 发货 发了 运单 包裹 配送 派送 送货 签收 送达 什么时候到 什么时候能到 啥时候到 多久到 多久能到 几天到 几时到 到货 揽收 "
             "track tracking tracked shipment shipping shipped ship delivery deliver delivered package parcel where arrive courier",
    "order": "订单 下单 下的单 单号 买的 买了 买过 已购 购买的 花了 order orders purchased bought",
    "product": "商品 产品 货品 东西 型号 item items product products goods",
    "refund": "退 退款 退货 退钱 退费 退掉 退了 售后 换货 refund refunds refunded return returns returned money back reimburse",
    "eligibility": "能不能 能否 可不可以 可以退 能退 能退吗 可退 eligible eligibility allowed",
    "submit": "申请 提交 办理 创建 新建 登记 帮我退 给我退 我要退 要退 立即 submit apply process create",
    "shop": "买 卖 购买 有卖 有没有 多少钱 价格 价钱 报价 推荐 库存 有货 现货 选购 导购 售前 上新 想买 要买 哪款 几款 几种 哪种 款式 "
            "预算 性价比 销售 buy sell selling sale sales price prices pricing quote cost costs recommend recommendation "
            "stock product products catalog shop shopping purchase available cheap",
    # 常见的商品品类（名词）：说到它们就是在说商品。
    "item": "耳机 手机 充电器 充电宝 数据线 电脑 笔记本 平板 键盘 鼠标 显示器 手表 手环 相机 音箱 电视 冰箱 洗衣机 空调 "
            "微波炉 电饭煲 水壶 热水壶 吹风机 剃须刀 牙刷 跑鞋 运动鞋 鞋子 衣服 外套 裤子 裙子 帽子 背包 书包 玩具 "
            "化妆品 口红 护肤品 零食 家具 床垫 椅子 台灯 杯子 路由器 游戏机 打印机 眼镜 首饰 项链 戒指 鞋 "
            "headphones headphone earbuds earphones smartphone charger laptop laptops computer tablet keyboard "
            "mouse monitor smartwatch camera speaker tv television fridge kettle shoes sneakers shirt jacket dress "
            "toy toys lipstick furniture mattress chair lamp printer router console glasses",
    "complaint": "投诉 转人工 人工客服 真人 客服经理 态度 差评 不满 不满意 举报 骗子 太差 "
                 "complain complaint complaints human person representative manager escalate angry terrible",
    "ticket": "工单 报修 报个问题 反馈问题 提交问题 ticket tickets",
    "policy": "政策 规则 规定 保修 发票 运费 包邮 价格保护 退换货政策 policy policies warranty invoice rules",
    "weather": "天气 气温 温度 下雨 下雪 晴 阴 冷 热 刮风 weather temperature forecast rain sunny snow",
    "borrow": "借阅 借了 借的 借书 借过 在借 borrow borrowed borrowing loan loans",
    "booking": "订票 预订 预定 预约 订个 订一个 约个 订房 机票 酒店 改签 航班 座位 选座 火车票 高铁 动车 列车 车票 "
               "book booking reserve reservation flight flights seat seats hotel hotels train trains",
    "pay": "支付 付款 付了 付过 账单 扣款 扣费 扣了 到账 pay paid payment payments bill billed billing charge charged "
           "charges declined",
    "account": "账户 账号 登录 登不上 登陆 密码 注册 锁定 account login logout signup password sign locked",
    "tech": "闪退 卡顿 报错 故障 打不开 用不了 没反应 崩溃 bug bugs crash crashes crashed crashing error errors glitch "
            "technical tech freeze frozen",
    "contact": "联系方式 联系 电话 手机号 contact phone",
    "email": "邮件 发邮件 邮箱 email mail",
    "news": "新闻 资讯 消息 最新 news headlines latest",
    "math": "计算 算 一共 总共 总价 合计 等于 加 减 乘 除 数学 方程 calculate compute math sum plus minus times equation solve",
    "translate": "翻译 译成 translate translation",
    "time": "时间 几点 日期 几号 今天 明天 time date today tomorrow",
    "faq": "常见问题 营业时间 几点开门 几点关门 开门 关门 营业 开放时间 hours opening faq",
    "renew": "续借 续订 续期 续费 续约 续一下 续上 续住 renew renewal renewing extend",
    "baggage": "行李 托运 bag baggage luggage suitcase",
    "wifi": "wifi 无线网 上网",
    "greet": "你好 您好 在吗 哈喽 嗨 hello hi hey",
    "cancel": "取消 撤销 不要了 cancel cancellation",
    "change": "修改 更改 改成 换成 改 change update modify switch",
    "user": "用户 会员 客户 user users customer member profile",
}

# 意图类概念比宾语类更能说明用户要办什么事：打分时权重更高。
INTENT_WEIGHT = {"refund": 2.0, "complaint": 3.0, "shop": 1.8, "track": 1.6, "eligibility": 1.0, "submit": 1.6,
                 "lookup": 0.4, "status": 1.2, "order": 0.8, "ticket": 2.5, "policy": 1.6, "greet": 0.5,
                 "user": 0.6, "product": 0.5, "item": 0.4}

# 上位概念：说到一个品类名词（“耳机有货吗”）也就说到了商品。话题写着“商品”的相关性判断、
# 描述写着“搜索商品”的工具，都认得出这句话在说商品。
BROADER = {"item": "product"}

# 和触发词共用一个字、意思却不同的词：触发词的匹配在它们中间断开时不算（“多久到账”不是“多久到”）。
FALSE_FRIENDS = re.compile(r"到账|到期|到店|到手价")
PAST = {"了", "的", "过"}
PAST_VERBS = {"买", "购买", "花"}
# 英文的固定短语 → 概念（单词在 CONCEPTS 里）。
PHRASES = {"how much": "shop", "do you have": "shop", "do you sell": "shop", "in stock": "shop",
           "money back": "refund", "talk to a": "complaint", "real person": "complaint", "where is": "track",
           "can i": "eligibility", "am i eligible": "eligibility", "does nothing": "tech",
           "doesn't work": "tech", "does not work": "tech", "not working": "tech", "won't open": "tech",
           "won't load": "tech"}
NEGATORS = {"不", "别", "无需", "不用", "不要", "不必", "非", "not", "don't", "dont", "never", "no", "without"}
NEGATION = re.compile(r"(不|别|无需|不用|不要|不必|非)$")  # “买了 / 买的 / 买过”：说的是已经下的单，不是想购物

# 复数只能是名词的词：词形还原后会撞上同形的动词概念（books → book → 预订）。
NOUN_PLURALS = {"books"}
_SINGLE: dict[str, set[str]] = {}
_MULTI: list[tuple[str, str]] = []
_ENGLISH: dict[str, set[str]] = {}
for _name, _triggers in CONCEPTS.items():
    for _t in _triggers.split():
        if CJK.search(_t):
            if len(_t) == 1:
                _SINGLE.setdefault(_t, set()).add(_name)
            else:
                _MULTI.append((_t, _name))
        else:
            _ENGLISH.setdefault(_t.lower(), set()).add(_name)
_CJK_TRIGGERS = set(_SINGLE) | {t for t, _ in _MULTI}
_ITEM_WORDS = set(CONCEPTS["item"].split())
GENERIC_NOUNS = {"货", "钱", "东西", "款", "种", "样"}  # “还有货吗”“多少钱”里的名词不是要找的东西


@lru_cache(maxsize=8192)
def concepts(text: str) -> frozenset[str]:
    """这段文字说到了哪些概念。规则：

    - 否定：“不提交”“无需退款”“don't refund” 不算；
    - 正反问：“卖不卖”“热不热” 按动词 / 形容词本身算；
    - 已经买了：“买了 / 买的 / 购买的 / 花了” 说的是已有的订单，不是想购物；
    - 英文：整词、常见词形（raining → rain）、几个固定短语（how much、do you have）。
    """
    found: set[str] = set()
    text = normalize_english(text)
    low = text.lower()
    raw_tokens = _segmenter().cut(text)
    inside = _inside_longer_word(raw_tokens)
    false_friends = [m.span() for m in FALSE_FRIENDS.finditer(text)]
    for trigger, name in _MULTI:
        for m in re.finditer(re.escape(trigger), text):
            if NEGATION.search(text[max(0, m.start() - 2) : m.start()]):
                continue
            if inside(m.start(), m.end(), PERSON_SUFFIX if name != "item" else PERSON_SUFFIX + "号"):
                continue  # “快递员”里的“快递”说的是人，不是物流；“手机号”说的是号码，不是手机
            if trigger in PAST_VERBS and text[m.end() : m.end() + 1] in PAST:
                continue
            if any(a < m.end() < b for a, b in false_friends):
                continue  # “多久到账”的“多久到”被“到账”截断了：说的是钱，不是快递
            found.add(name)
            break
    for m in re.finditer(r"([\u4e00-\u9fff])不\1", text):  # 正反问：卖不卖、热不热、有没有
        found |= _SINGLE.get(m.group(1), set())
    for phrase, name in PHRASES.items():
        if re.search(r"\b" + phrase + r"\b", low):
            found.add(name)
    tokens = [t.strip().lower() for t in raw_tokens]
    for i, token in enumerate(tokens):
        before = [t for t in tokens[max(0, i - 2) : i] if t]
        if before and before[-1] in NEGATORS:  # “不提交”“无需退款”“don't refund”：说的是不要
            continue
        if token == "buy" and "did" in tokens[max(0, i - 4) : i]:  # what did I buy：已经买了
            found.add("order")
        elif token in PAST_VERBS and i + 1 < len(tokens) and tokens[i + 1][:1] in PAST:
            found.add("order")
        elif token in _SINGLE:
            found |= _SINGLE[token]
        elif token in _ENGLISH:
            found |= _ENGLISH[token]
        elif token.lower() in NOUN_PLURALS:
            continue  # books 是“书”，不是“预订”（book a flight）
        elif not CJK.search(token) and not TOKEN_ID.fullmatch(token):
            for w in split_identifier(token):  # snake_case / camelCase 名字里的单词，以及常见词形
                for form in english_forms(w.lower()):
                    found |= _ENGLISH.get(form, set())
    found |= {BROADER[c] for c in found if c in BROADER}
    return frozenset(found)


def _inside_longer_word(tokens: list[str]):
    """[start, end) 是不是一个表示人的词的一部分（快递员、客服小哥）：说的是人，不是那件事。"""
    spans, pos = [], 0
    for token in tokens:
        spans.append((pos, pos + len(token), token))
        pos += len(token)

    def inside(start: int, end: int, suffixes: str = PERSON_SUFFIX) -> bool:
        for a, b, token in spans:
            if a <= start < b:
                return end <= b and b - a > end - start and token[-1] in suffixes
        return False

    return inside


PERSON_SUFFIX = "员师哥姐工"


def english_forms(word: str) -> list[str]:
    """raining → rain，bags → bag，shipped → ship：够用的英文词形还原。"""
    forms = [word]
    for suffix, repl in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            base = word[: -len(suffix)] + repl
            forms += [base, base + "e"]
            if len(base) > 3 and base[-1] == base[-2]:  # shipped → shipp → ship
                forms.append(base[:-1])
    return forms


def intent_modality(text: str) -> set[str]:
    """问句还是请求：“能退吗 / can I” 是在问，“帮我退了 / please refund” 是要办。"""
    if re.search(r"[吗嘛么？?]|能不能|可不可以|能否|可以.{0,6}吗|多少|怎么|如何|\b(how|what|can|could|is|are|do|does)\b",
                 text, re.I):
        return {"ask"}
    return {"act"}


def nouns(text: str) -> list[str]:
    """文中的名词短语：相邻名词合并，前面紧挨着的修饰词（“降噪”“轻薄”）也算进去。
    “有卖台灯吗” → 台灯；“想买个蓝牙耳机” → 蓝牙耳机；“有没有轻薄笔记本” → 轻薄笔记本。"""
    out, run, modifier = [], "", ""
    for word, tag in _segmenter().tag(text):
        content = (word.strip() and word not in STOP and word not in GENERIC_NOUNS and CJK.search(word)
                   and (word not in _CJK_TRIGGERS or word in _ITEM_WORDS))  # 品类名词（耳机、跑鞋）正是要找的
        if content and tag.startswith(("n", "vn", "nz")):
            run = (modifier + run + word) if not run else run + word
            modifier = ""
            continue
        if run:
            out.append(run)
            run = ""
        modifier = word if content and tag.startswith(("v", "a", "b")) and len(word) >= 2 else ""
    if run:
        out.append(run)
    return out


# ---------------------------------------------------------------- 词汇：字段名、状态值怎么说


# 常见 API 字段名 → (中文, English)。不认识的字段：按单词拼（WORDS），再不行就把下划线换成空格。
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
}
WORDS: dict[str, str] = {
    "order": "订单", "status": "状态", "id": "号", "no": "号", "number": "号", "amount": "金额", "price": "价格",
    "total": "合计", "refund": "退款", "refundable": "可退", "ticket": "工单", "tracking": "运单", "time": "时间",
    "date": "日期", "created": "创建", "updated": "更新", "delivered": "签收", "shipment": "物流", "payment": "支付",
    "paid": "已付", "method": "方式", "user": "用户", "customer": "客户", "name": "名称", "product": "商品",
    "item": "商品", "items": "商品", "stock": "库存", "count": "数量", "quantity": "数量", "city": "城市",
    "weather": "天气", "temperature": "气温", "range": "范围", "humidity": "湿度", "wind": "风力",
    "needs": "需要", "human": "人工", "approval": "审批", "approved": "审批", "by": "方", "existing": "已有",
    "latest": "最新", "event": "事件", "events": "事件", "level": "等级", "member": "会员", "discount": "折扣",
    "rate": "费率", "unit": "单", "fee": "费用", "shipping": "运费", "estimated": "预计",
    "phone": "电话", "email": "邮箱", "address": "地址", "type": "类型", "issue": "问题", "result": "结果",
    "score": "评分", "rating": "评分", "reason": "原因", "message": "说明", "balance": "余额", "account": "账户",
    "confirmation": "确认", "seat": "座位", "flight": "航班", "contact": "联系", "info": "信息", "data": "数据",
    "logistics": "物流", "courier": "快递", "invoice": "发票",
    # 出行、预订、会员这些常见领域的词
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
    "code": "代码", "language": "语言", "country": "国家", "region": "地区", "course": "课程",
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
    "minutes": "分钟数", "hours": "小时数", "min": "最低", "max": "最高", "avg": "平均",
    "average": "平均", "estimate": "预计", "per": "每", "night": "晚", "day": "天", "month": "月", "year": "年",
    "reply": "回复", "callback": "回电", "jailbreak": "越狱尝试", "relevant": "与业务相关", "safe": "安全",
    "toxic": "有害内容", "spam": "垃圾信息", "offensive": "冒犯内容", "harmful": "有害内容", "homework": "作业", "book": "图书", "books": "图书", "library": "图书馆", "loan": "借阅", "loans": "借阅", "fine": "罚款",
    "overdue": "逾期", "renewed": "已续借", "renewal": "续借", "deposit": "押金", "penalty": "违约金",
    "confirmed": "已确认", "cancelled": "已取消", "canceled": "已取消", "booked": "已预订",
}
VALUES_ZH = {"open": "待处理", "closed": "已关闭", "pending": "待处理", "approved": "已批准", "rejected": "已拒绝",
             "shipped": "已发货", "delivered": "已签收", "processing": "处理中", "completed": "已完成",
             "cancelled": "已取消", "canceled": "已取消", "paid": "已支付", "failed": "失败", "success": "成功",
             "in_transit": "运输中", "auto": "自动审批", "human": "人工审批",
             # 常见的状态 / 等级枚举
             "delayed": "已延误", "on_time": "准点", "ontime": "准点", "departed": "已起飞", "arrived": "已到达",
             "boarding": "登机中", "scheduled": "计划中", "confirmed": "已确认", "booked": "已预订",
             "refunded": "已退款", "returned": "已退货", "out_for_delivery": "派送中", "unpaid": "未支付",
             "active": "正常", "inactive": "未激活", "locked": "已锁定", "expired": "已过期", "valid": "有效",
             "invalid": "无效", "available": "可用", "unavailable": "不可用", "in_stock": "有货",
             "out_of_stock": "缺货", "sold_out": "已售罄", "gold": "金卡", "silver": "银卡", "platinum": "白金卡",
             "bronze": "铜卡", "diamond": "钻石卡", "regular": "普通", "standard": "标准", "premium": "高级",
             "high": "高", "medium": "中", "low": "低", "normal": "正常", "urgent": "紧急",
             "resolved": "已解决", "escalated": "已升级", "not_found": "未找到", "yes": "是", "no": "否"}
VALUES_EN: dict[str, str] = {}
for _en, _zh in VALUES_ZH.items():  # 反过来：已发货 → shipped（同一个中文词取第一个英文词）
    VALUES_EN.setdefault(_zh, _en.replace("_", " "))
VALUES_EN.update({"待处理": "pending", "已创建": "created", "运输中": "in transit", "派送中": "out for delivery"})
# 布尔字段名是过去分词（confirmed、refunded、insurance_included）：真 → “已确认”，假 → “未确认”。
PARTICIPLES: dict[str, str] = {
    "confirmed": "确认", "cancelled": "取消", "canceled": "取消", "booked": "预订", "reserved": "预订",
    "refunded": "退款", "created": "创建", "approved": "批准", "rejected": "拒绝", "shipped": "发货",
    "delivered": "签收", "paid": "付款", "locked": "锁定", "verified": "验证", "included": "包含",
    "completed": "完成", "processed": "处理", "submitted": "提交", "sent": "发送", "received": "收到",
    "activated": "激活", "expired": "过期", "returned": "退货", "updated": "更新", "deleted": "删除",
    "scheduled": "安排", "assigned": "分配", "resolved": "解决", "closed": "关闭", "delayed": "延误",
    "escalated": "升级", "accepted": "接受", "checked": "检查", "saved": "保存", "registered": "注册",
}
# 字段名最后一个词是单位（delay_minutes、nights、remaining_tickets）：数值带上单位念。
# 单位 → (中文单位, 只有单位没有别的词时的中文叫法)
FIELD_UNITS: dict[str, tuple[str, str]] = {
    "minutes": ("分钟", "时长"), "mins": ("分钟", "时长"), "hours": ("小时", "时长"), "seconds": ("秒", "时长"),
    "days": ("天", "天数"), "nights": ("晚", "入住"), "weeks": ("周", "周数"), "months": ("个月", "月数"),
    "years": ("年", "年数"), "km": ("公里", "距离"), "kg": ("公斤", "重量"), "tickets": ("张", "票数"),
    "people": ("人", "人数"), "guests": ("位", "人数"), "passengers": ("人", "乘客"), "percent": ("%", "比例"),
    "pct": ("%", "比例"), "yuan": ("元", "金额"), "rmb": ("元", "金额"), "cny": ("元", "金额"),
}
# 只有单位一个词的字段（nights: 2）在英文里的叫法：说成 “stay: 2 nights”，不说 “nights: 2 nights”。
UNIT_NAMES_EN = {"minutes": "duration", "mins": "duration", "hours": "duration", "seconds": "duration",
                 "days": "duration", "nights": "stay", "weeks": "duration", "months": "duration", "years": "duration",
                 "km": "distance", "kg": "weight", "tickets": "tickets", "people": "party size",
                 "guests": "guests", "passengers": "passengers", "percent": "share", "pct": "share",
                 "yuan": "amount", "rmb": "amount", "cny": "amount"}
# 放在字段名最后时意思更具体的词：new_departure → 新的出发时间，不是“新出发”。
LAST_WORDS = {"departure": "出发时间", "arrival": "到达时间", "start": "开始时间", "end": "结束时间",
              "expiry": "到期时间", "deadline": "截止时间", "pickup": "取件时间"}


def field_label(key: str, english: bool) -> str:
    """字段名 → 给人看的叫法：词典里的常见字段；不认识的按单词逐个翻译（每个词都认识时）；
    英文把下划线换成空格。单位词（minutes、nights）不进叫法，由数值带上。"""
    low = key.lower()
    if low in FIELDS:
        return FIELDS[low][1 if english else 0]
    words = split_identifier(key) or [key]
    if len(words) > 1 and words[-1].lower() in FIELD_UNITS:
        words = words[:-1]
    elif len(words) == 1 and low in FIELD_UNITS:
        return UNIT_NAMES_EN[low] if english else FIELD_UNITS[low][1]
    if english:
        return " ".join(w.lower() for w in words)
    if CJK.search(key):
        return key
    if len(words) > 1 and words[-1].lower() in PARTICIPLES:  # insurance_included → 保险
        words = words[:-1]
    if len(words) > 1 and words[0].lower() in ("is", "has", "contains"):  # is_jailbreak → 越狱尝试
        words = words[1:]
    joined = "_".join(w.lower() for w in words)
    if joined in FIELDS:
        return FIELDS[joined][0]
    tail = "_".join(w.lower() for w in words[-2:])
    if len(words) > 2 and tail in FIELDS:  # new_due_date → 新的 + 到期日（词典里的两个词的字段）
        head = [_word_zh(w) for w in words[:-2]]
        if all(head):
            return "".join(head) + FIELDS[tail][0]  # type: ignore[arg-type]
    zh = [_word_zh(w, last=i == len(words) - 1) for i, w in enumerate(words)]
    if all(zh):
        if len(words) > 1 and words[-1].lower().endswith("ing"):  # points_expiring → 即将到期的积分
            return zh[-1] + "的" + "".join(zh[:-1])
        return "".join(zh)  # type: ignore[arg-type]
    return " ".join(words)


def _word_zh(word: str, last: bool = False) -> str | None:
    """字段名里一个英文词的中文：先查原形，再查词干（expiring → expire、channels → channel）。"""
    w = word.lower()
    if last and w in LAST_WORDS:
        return LAST_WORDS[w]
    if w in WORDS:
        return WORDS[w]
    base = stem(w)
    return next((zh for en, zh in WORDS.items() if stem(en) == base), None)


def field_unit(key: str, english: bool) -> str | None:
    """字段名带单位（delay_minutes → 分钟）：数值后面加上它。"""
    last = (split_identifier(key) or [key])[-1].lower()
    if last not in FIELD_UNITS:
        return None
    return last if english else FIELD_UNITS[last][0]


def participle(key: str, value: bool, english: bool) -> str | None:
    """confirmed=True → 已确认；insurance_included=False → 未包含（English: included / not included）。"""
    last = (split_identifier(key) or [key])[-1].lower()
    if last not in PARTICIPLES:
        return None
    if english:
        return last if value else f"not {last}"
    return ("已" if value else "未") + PARTICIPLES[last]


def zh_aliases(name: str) -> list[str]:
    """参数 / 字段名在中文里的叫法（restaurant → 餐厅，priority → 优先级），用来在中文原文里找它。"""
    label = field_label(name, english=False)
    return [label] if CJK.search(label) else []
