"""ITS 智能客服服务（07 综合案例）。每样东西在哪个文件里：

    main.py         create_app()：应用工厂、lifespan（建库、拉起 MCP 服务）、错误处理
    settings.py     服务自己的配置（端口、库路径、审批门槛……）；模型配置在 shared.factory
    routes/         HTTP 路由：chat.py（SSE 对话、审批）、sessions.py（历史、清空）、health.py
    chat.py         一轮对话怎么跑：会话锁、Runner.run_streamed、提交历史、暂停等审批、故障处理
    events.py       SDK 流事件 → SSE 事件（页面收到的每个事件都在这里产生）
    agents.py       客服团队：所有 Agent、handoff 关系、agent-as-tool
    tools.py        函数工具（商品、政策、退款、工单）；退款的人工审批 needs_approval
    mcp_server.py   订单/物流 MCP 服务（独立进程）；mcp_client.py 负责拉起它、连接它
    db.py           业务数据层：工具碰数据库的地方都在这里；seed.json 是演示数据
    sessions.py     会话库：SQLiteSession 历史、最后回答的 Agent、待审批的 RunState
    errors.py       错误码和给用户看的中文说明
    static/         浏览器页面（index.html、app.js、style.css）
"""
