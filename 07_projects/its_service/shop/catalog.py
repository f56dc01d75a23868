"""商品与服务政策：售前导购的 search_products、政策专家的 find_policies、护栏用的品类列表。

演示数据只有十来件商品、九条政策：全部读出来在 Python 里打分，比写全文检索简单，两种数据库也一样。
真实的商城这里换成数据库的全文检索（PostgreSQL 的 tsvector + 中文分词扩展）或者搜索服务。
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from its_service.shop.models import Policy, Product

STOP_WORDS = {"有没", "没有", "哪些", "什么", "推荐", "一下", "一款", "一个", "适合", "我想", "想买"}


def search_terms(keyword: str) -> list[str]:
    """把“适合跑步的蓝牙耳机”拆成可以匹配的小片段：英文/数字单词 + 中文双字词。"""
    terms: list[str] = []
    for run in re.findall(r"[A-Za-z0-9]+|[\u4e00-\u9fff]+", keyword or ""):
        if run.isascii():
            terms.append(run.lower())
        elif len(run) <= 2:
            terms.append(run)
        else:
            terms.extend(run[i : i + 2] for i in range(len(run) - 1))
    return [t for t in dict.fromkeys(terms) if t not in STOP_WORDS]


def search_products(session: Session, keyword: str, limit: int = 5) -> list[dict[str, Any]]:
    terms = search_terms(keyword)
    scored = []
    for product in session.scalars(select(Product)):
        text = f"{product.name} {product.category} {product.description} {product.sku}".lower()
        score = sum(3 if t in product.category else 2 if t in product.name else 1 for t in terms if t in text)
        if score:
            scored.append((score, product))
    scored.sort(key=lambda x: (-x[0], x[1].price))
    if scored:  # 只留和最佳结果差不多相关的：“蓝牙耳机”不该带出“支持蓝牙的键盘”
        scored = [(s, p) for s, p in scored if s * 2 >= scored[0][0]]
    return [{"sku": p.sku, "name": p.name, "category": p.category, "price": p.price, "stock": p.stock,
             "in_stock": p.stock > 0, "description": p.description}
            for _, p in scored[:limit]]


def categories(session: Session) -> list[str]:
    return list(session.scalars(select(Product.category).distinct().order_by(Product.category)))


def find_policies(session: Session, topic: str) -> list[dict[str, str]]:
    terms = search_terms(topic)
    # 不排序：按 seed.json 里写的顺序（最常问的“退货退款”在前），分数相同时它在前面
    policies = [{"topic": p.topic, "content": p.content} for p in session.scalars(select(Policy))]
    scored = [(sum(t in f"{p['topic']} {p['content']}" for t in terms), p) for p in policies]
    hits = [p for s, p in sorted(scored, key=lambda x: -x[0]) if s]
    return hits[:3] or policies
