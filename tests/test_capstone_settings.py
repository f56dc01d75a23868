"""07 综合案例的配置（its_service/settings.py，pydantic-settings）：每个设置只声明一次，README 的配置表就是
从声明生成的（这里核对两边一字不差）；值不对时给中文说明，点名是哪个变量，服务不带 traceback 地退出。"""

from __future__ import annotations

import pytest

from tests import lessons
from tests.capstone import PROJECT

README = PROJECT / "README.md"
START, END = "<!-- settings:start -->", "<!-- settings:end -->"


def test_readme_settings_table_is_generated_from_the_declarations():
    from its_service.settings import ServiceSettings, settings_table

    text = README.read_text(encoding="utf-8")
    assert START in text and END in text
    shown = text.split(START, 1)[1].split(END, 1)[0].strip()
    assert shown == settings_table(), "07_projects/README.md 的配置表过期了：用 python -m its_service settings 重新生成"
    for name, info in ServiceSettings.model_fields.items():  # 每个设置都有说明
        assert info.description and f"`ITS_{name.upper()}`" in shown


@pytest.mark.parametrize("name, value, expected", [
    ("ITS_PORT", "abc", "ITS_PORT='abc' 不是整数，请改成例如 8200。"),
    ("ITS_LOCK_TTL", "0", "ITS_LOCK_TTL 不能小于 1（当前 0）。"),
    ("ITS_PORT", "70000", "ITS_PORT 不能大于 65535（当前 70000）。"),
    ("ITS_COOKIE_SECURE", "yes", "ITS_COOKIE_SECURE='yes' 只能是 auto、1 或 0。"),
    ("ITS_GUARDRAILS", "maybe", "ITS_GUARDRAILS='maybe' 只能是 1（开）或 0（关）。"),
    ("ITS_SHOP_DB_URL", "mysql://shop", "ITS_SHOP_DB_URL='mysql://shop' 不对：只支持 sqlite:///"),
    ("ITS_SHOP_DB", "/srv/its/shop.db",  # 旧版本的变量：不悄悄忽略
     "ITS_SHOP_DB 已改名为 ITS_SHOP_DB_URL，值也换成数据库地址：请改成 ITS_SHOP_DB_URL=sqlite:////srv/its/shop.db"),
])
def test_bad_values_are_explained_in_chinese(monkeypatch, name, value, expected):
    from its_service.settings import load_settings

    from shared.config import ConfigError

    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert info.value.message.startswith(expected), info.value.message


def test_values_are_parsed_once_with_their_types(monkeypatch):
    from its_service.settings import load_settings

    for name, value in {"ITS_CORS_ORIGINS": " http://a.example, ,http://b.example ", "ITS_GUARDRAILS": "off",
                        "ITS_PORT": "", "ITS_REFUND_APPROVAL_THRESHOLD": "800.5",
                        "ITS_SHOP_DB_URL": "postgresql://u:secret@db/shop"}.items():
        monkeypatch.setenv(name, value)
    settings = load_settings(workers=3)
    assert settings.cors_origins == ("http://a.example", "http://b.example")
    assert (settings.guardrails, settings.port, settings.workers) == (False, 8200, 3)  # 空字符串 = 没设；参数优先
    assert settings.refund_approval_threshold == 800.5
    assert "secret" not in repr(settings)  # 令牌、密钥、带密码的地址不出现在 repr 里


def test_the_service_exits_with_the_message_and_no_traceback(tmp_path):
    done = lessons.run_python([str(PROJECT / "app.py"), "--self-check"],
                              lessons.smoke_env(tmp_path, ITS_MAX_TURNS="-1"), timeout=60)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "ITS_MAX_TURNS 不能小于 1（当前 -1）" in done.stderr and "Traceback" not in done.stderr
    assert done.stderr.count("✗") == 1, done.stderr  # 一句话说清，不重复前缀
