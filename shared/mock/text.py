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
    """切成词：中文按词，英文按单词（小写），编号（A1001、user456）整个保留；去掉停用词和标点。"""
    out: list[str] = []
    for token in _segmenter().cut(text):
        token = token.strip()
        if not token or token.lower() in STOP:
            continue
        if CJK.search(token):
            out.append(token)
        elif TOKEN_ID.fullmatch(token):
            out.append(token)
        else:
            out += [w.lower() for w in split_identifier(token) if len(w) > 1 and w.lower() not in STOP]
    return tuple(out)


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
    "track": "物流 logistics 快递 到哪 到哪了 发货 发了 运单 包裹 配送 派送 签收 送达 什么时候到 什么时候能到 啥时候到 多久到 多久能到 几天到 几时到 到货 揽收 "
             "track tracking tracked shipment shipping shipped ship delivery deliver delivered package parcel where arrive courier",
    "order": "订单 下单 下的单 单号 买的 买了 买过 已购 购买的 花了 order orders purchased bought",
    "product": "商品 产品 货品 东西 型号 item items product products goods",
    "refund": "退 退款 退货 退钱 退费 退掉 退了 售后 换货 refund refunds refunded return returns returned money back reimburse",
    "eligibility": "能不能 能否 可不可以 可以退 能退 能退吗 可退 eligible eligibility allowed",
    "submit": "申请 提交 办理 创建 新建 登记 帮我退 给我退 我要退 要退 立即 submit apply process create",
    "shop": "买 卖 购买 有卖 有没有 多少钱 价格 价钱 报价 推荐 库存 有货 现货 选购 导购 售前 上新 想买 要买 哪款 几款 几种 哪种 款式 "
            "预算 性价比 buy sell selling price prices cost costs recommend recommendation stock product products "
            "catalog shop shopping purchase available cheap",
    "complaint": "投诉 转人工 人工客服 真人 客服经理 态度 差评 不满 不满意 举报 骗子 太差 "
                 "complain complaint complaints human person representative manager escalate angry terrible",
    "ticket": "工单 报修 报个问题 反馈问题 提交问题 ticket tickets",
    "policy": "政策 规则 规定 保修 发票 运费 包邮 价格保护 退换货政策 policy policies warranty invoice rules",
    "weather": "天气 气温 温度 下雨 下雪 晴 阴 冷 热 刮风 weather temperature forecast rain sunny snow",
    "booking": "订票 预订 预定 订房 机票 酒店 改签 航班 座位 选座 book booking reserve reservation flight seat seats hotel",
    "pay": "支付 付款 付了 付过 账单 扣款 pay paid payment payments bill billing charge charged",
    "account": "账户 账号 登录 密码 注册 account login password sign",
    "contact": "联系方式 联系 电话 手机号 contact phone",
    "email": "邮件 发邮件 邮箱 email mail",
    "news": "新闻 资讯 消息 最新 news headlines latest",
    "math": "计算 算 一共 总共 总价 合计 等于 加 减 乘 除 数学 方程 calculate compute math sum plus minus times equation solve",
    "translate": "翻译 译成 translate translation",
    "time": "时间 几点 日期 几号 今天 明天 time date today tomorrow",
    "faq": "常见问题 营业时间 几点开门 hours faq",
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
                 "user": 0.6, "product": 0.5}

PAST = {"了", "的", "过"}
PAST_VERBS = {"买", "购买", "花"}
# 英文的固定短语 → 概念（单词在 CONCEPTS 里）。
PHRASES = {"how much": "shop", "do you have": "shop", "do you sell": "shop", "in stock": "shop",
           "money back": "refund", "talk to a": "complaint", "real person": "complaint", "where is": "track",
           "can i": "eligibility", "am i eligible": "eligibility"}
NEGATORS = {"不", "别", "无需", "不用", "不要", "不必", "非", "not", "don't", "dont", "never", "no", "without"}
NEGATION = re.compile(r"(不|别|无需|不用|不要|不必|非)$")  # “买了 / 买的 / 买过”：说的是已经下的单，不是想购物

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


@lru_cache(maxsize=8192)
def concepts(text: str) -> frozenset[str]:
    """这段文字说到了哪些概念。规则：

    - 否定：“不提交”“无需退款”“don't refund” 不算；
    - 正反问：“卖不卖”“热不热” 按动词 / 形容词本身算；
    - 已经买了：“买了 / 买的 / 购买的 / 花了” 说的是已有的订单，不是想购物；
    - 英文：整词、常见词形（raining → rain）、几个固定短语（how much、do you have）。
    """
    found: set[str] = set()
    low = text.lower()
    raw_tokens = _segmenter().cut(text)
    inside = _inside_longer_word(raw_tokens)
    for trigger, name in _MULTI:
        for m in re.finditer(re.escape(trigger), text):
            if NEGATION.search(text[max(0, m.start() - 2) : m.start()]):
                continue
            if inside(m.start(), m.end()):  # “快递员”里的“快递”：说的是人，不是物流
                continue
            if trigger in PAST_VERBS and text[m.end() : m.end() + 1] in PAST:
                continue
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
        elif not CJK.search(token) and not TOKEN_ID.fullmatch(token):
            for w in split_identifier(token):  # snake_case / camelCase 名字里的单词，以及常见词形
                for form in english_forms(w.lower()):
                    found |= _ENGLISH.get(form, set())
    return frozenset(found)


def _inside_longer_word(tokens: list[str]):
    """[start, end) 是不是一个表示人的词的一部分（快递员、客服小哥）：说的是人，不是那件事。"""
    spans, pos = [], 0
    for token in tokens:
        spans.append((pos, pos + len(token), token))
        pos += len(token)

    def inside(start: int, end: int) -> bool:
        for a, b, token in spans:
            if a <= start < b:
                return end <= b and b - a > end - start and token[-1] in PERSON_SUFFIX
        return False

    return inside


PERSON_SUFFIX = "员师哥姐工"


def english_forms(word: str) -> list[str]:
    """raining → rain，bags → bag，shipped → ship：够用的英文词形还原。"""
    forms = [word]
    for suffix, repl in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            stem = word[: -len(suffix)] + repl
            forms += [stem, stem + "e"]
            if len(stem) > 3 and stem[-1] == stem[-2]:  # shipped → shipp → ship
                forms.append(stem[:-1])
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
        content = word.strip() and word not in STOP and word not in _CJK_TRIGGERS and CJK.search(word)
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
