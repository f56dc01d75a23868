"""ITS 智能客服服务（07 综合案例）。每样东西在哪个文件里：

    main.py          create_app()：应用工厂、lifespan（会话存储、业务服务、团队、后台循环）、中间件、错误处理
    settings.py      服务自己的配置（每个设置声明一次，pydantic-settings）；模型配置在 shared.factory
    auth.py          客服后台的身份验证（FastAPI 依赖 require_staff，常量时间比较令牌）
    routes/          HTTP 路由，一个资源一个文件：chat、sessions、staff、health、pages
    chat.py          一轮对话怎么跑：会话锁、Runner.run_streamed、提交历史、暂停等审批、故障处理
    admission.py     准入：一轮拿到名额才开始跑 Agent，名额随事件循环的忙闲增减
    approvals.py     主管的决定、审批后由服务器接着运行（租约、重试、恰好一次）、推送给顾客页面
    events.py        SDK 流事件 → SSE 事件（页面收到的每个事件都在这里产生）
    sse.py           SSE 响应：事件 → text/event-stream、空闲心跳、顾客断开就停（对话流和更新流共用）
    agents.py        客服团队：所有 Agent、handoff 关系、agent-as-tool
    tools.py         函数工具（商品、政策、退款、工单）；退款的 needs_approval；都经业务服务
    business.py      worker 和业务服务之间的约定（名字、_meta 的键、给 Agent 的工具、Business 协议）
    mcp_server.py    业务服务：业务数据的唯一入口，MCP over streamable HTTP（独立进程，要令牌）
    mcp_client.py    worker 这边：拉起 / 重启业务服务（随机令牌）、MCP 长连接池、给订单专员的 MCP 服务
    shop/            业务数据层（SQLAlchemy：SQLite 或 PostgreSQL、Alembic 迁移）；只有业务服务导入它
    seed.json        演示数据
    sessions.py      会话 id、按配置选会话存储、把历史画成页面上的对话
    store.py         会话存储的接口（历史、最后的 Agent、暂停的运行、会话锁、更新通道）
    store_sqlite.py  会话存储：SQLite（默认）
    store_redis.py   会话存储：Redis（ITS_REDIS_URL）
    errors.py        错误码和给用户看的中文说明
    static/          页面：顾客 index.html + app.js，后台 console.html + console.js，样式 style.css / console.css
"""
