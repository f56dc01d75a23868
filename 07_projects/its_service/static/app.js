// ITS 智能客服页面：把 /api/chat/sse 的事件一条条画进对话里。
//
// 两条规矩贯穿全文件：
// 1. 模型和工具返回的文字一律当纯文本放进页面（textContent / 文本节点），
//    绝不拼进 innerHTML——模型输出来自用户可影响的内容，拼 HTML 就是 XSS。
// 2. 收到 run_completed / approval_required / error / idle 就立刻关闭 EventSource。
//    EventSource 在服务器正常结束响应后会自动重连，重连就是把同一个问题再问一遍。
// 3. 要审批的操作：顾客只看到“已提交客服主管审核”和申请的内容，没有任何按钮。页面随后打开
//    /api/sessions/{id}/updates，主管在后台做了决定、服务器接着运行时，结果从这条流推过来。
"use strict";

(() => {
  const STORAGE_KEY = "its.session_id";
  // GET 的查询串太长时（长消息），改用 POST /api/chat/sse：EventSource 只会发 GET。
  const MAX_GET_URL = 6000;
  const TERMINAL = new Set(["run_completed", "approval_required", "error", "idle"]);
  const EVENTS = ["session", "agent_updated", "handoff", "text_delta", "tool_started",
    "tool_completed", "approval_required", "run_completed", "error",
    "approval_decided", "notice", "idle"];
  const IDLE_PLACEHOLDER = "请输入您的问题";
  const WAITING_PLACEHOLDER = "等待主管审核，结果会显示在这里";

  const $ = (selector) => document.querySelector(selector);
  const messages = $("#messages");
  const welcome = $("#welcome");
  const form = $("#composer");
  const query = $("#query");
  const send = $("#send");
  const newChat = $("#new-chat");
  const badge = $("#agent-badge");
  const badgeName = badge.querySelector(".badge-name");

  const state = {
    sessionId: loadSessionId(),
    stream: null, // 正在进行的流：{ close() }
    waiting: false, // 有申请在等主管审核：这期间对话不接受新问题
    retry: null, // 更新流断开后的重连定时器
    agent: "",
    // 还在“调用中”的工具，按 call_id 记：等审批的调用在审批后的那条流里才完成。
    running: new Map(),
    pending: new Map(), // 页面上的审批卡片：approval_id → 申请的内容（工具名、参数）
  };

  // ---------- 会话 id：存在 localStorage，刷新页面后用它取回历史 ----------

  function loadSessionId() {
    try {
      return localStorage.getItem(STORAGE_KEY);
    } catch {
      return null; // 隐私模式等禁用了存储：照常聊天，只是刷新后不恢复
    }
  }

  function saveSessionId(id) {
    state.sessionId = id;
    try {
      if (id) localStorage.setItem(STORAGE_KEY, id);
      else localStorage.removeItem(STORAGE_KEY);
    } catch {
      /* 同上：存不了就算了 */
    }
  }

  // ---------- 画页面的小工具（只用 DOM API 和文本节点） ----------

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function nearBottom() {
    return messages.scrollHeight - messages.scrollTop - messages.clientHeight < 120;
  }

  function scrollDown() {
    messages.scrollTop = messages.scrollHeight;
  }

  function append(node) {
    const stick = nearBottom();
    welcome.hidden = true;
    messages.append(node);
    if (stick) scrollDown();
    return node;
  }

  function pretty(json) {
    if (typeof json !== "string") return JSON.stringify(json, null, 2);
    try {
      return JSON.stringify(JSON.parse(json), null, 2);
    } catch {
      return json;
    }
  }

  // 极简 Markdown：段落、换行、列表、标题行、**粗体**、`代码`、``` 代码块。
  // 每一段文字都以文本节点插入，所以模型写出的 <script> 只会原样显示成字符。
  function renderMarkdown(target, text) {
    const frag = document.createDocumentFragment();
    let para = null;
    let list = null;
    let code = null;
    for (const line of text.split("\n")) {
      if (/^\s*```/.test(line)) {
        if (code) {
          code = null;
        } else {
          const pre = el("pre", "md-code");
          code = el("code");
          pre.append(code);
          frag.append(pre);
          para = list = null;
        }
        continue;
      }
      if (code) {
        code.append(code.firstChild ? "\n" + line : line);
        continue;
      }
      const item = line.match(/^\s*([-*•]|\d+[.)、])\s+(.*)$/);
      if (item) {
        const ordered = /\d/.test(item[1]);
        if (!list || (list.tagName === "OL") !== ordered) {
          list = el(ordered ? "ol" : "ul");
          frag.append(list);
        }
        const li = el("li");
        renderInline(li, item[2]);
        list.append(li);
        para = null;
        continue;
      }
      list = null;
      if (!line.trim()) {
        para = null;
        continue;
      }
      const heading = line.match(/^#{1,6}\s+(.*)$/);
      if (heading) {
        const p = el("p", "md-heading");
        renderInline(p, heading[1]);
        frag.append(p);
        para = null;
        continue;
      }
      if (para) para.append(el("br"));
      else frag.append((para = el("p")));
      renderInline(para, line);
    }
    target.replaceChildren(frag);
  }

  function renderInline(parent, text) {
    // 粗体要求恰好两个星号、内侧不是空白：打码的手机号“139****8888”不能被当成粗体。
    const pattern = /(?<!\*)\*\*(?![*\s])([^*]+?)(?<![*\s])\*\*(?!\*)|`([^`\n]+)`/g;
    let last = 0;
    for (const m of text.matchAll(pattern)) {
      if (m.index > last) parent.append(text.slice(last, m.index));
      parent.append(el(m[1] !== undefined ? "strong" : "code", "", m[1] ?? m[2]));
      last = m.index + m[0].length;
    }
    if (last < text.length) parent.append(text.slice(last));
  }

  // ---------- 对话里的各种元素 ----------

  function addUser(text) {
    const row = el("div", "row user");
    row.append(el("div", "bubble user", text));
    return append(row);
  }

  // 一轮回答的渲染上下文：当前气泡、这一轮的工具条。实时流和历史恢复共用。
  function newTurn() {
    return { bubble: null, text: "", tools: null, chips: new Map(), gotText: false, done: false,
      pending: false };
  }

  function assistantBubble(turn, agent) {
    if (!turn.bubble) {
      const row = el("div", "row assistant");
      if (agent) row.append(el("div", "who", agent));
      turn.bubble = el("div", "bubble assistant");
      row.append(turn.bubble);
      append(row);
      turn.text = "";
      turn.tools = null;
    }
    return turn.bubble;
  }

  function setBubbleText(turn, text) {
    const stick = nearBottom();
    renderMarkdown(turn.bubble, text);
    if (stick) scrollDown();
  }

  function appendText(turn, text) {
    assistantBubble(turn, state.agent);
    turn.text += text;
    turn.gotText = true;
    // 逐字重画整段 Markdown，合并到下一帧做，流得再快也不卡。
    if (!turn.pending) {
      turn.pending = true;
      requestAnimationFrame(() => {
        turn.pending = false;
        if (turn.bubble) setBubbleText(turn, turn.text);
      });
    }
  }

  function closeBubble(turn) {
    if (turn.bubble) setBubbleText(turn, turn.text);
    turn.bubble = null;
  }

  function chipTitle(name, args, result) {
    let title = `工具：${name}\n参数：${pretty(args || "{}")}`;
    if (result !== undefined) title += `\n结果：${pretty(result)}`;
    return title;
  }

  function addToolChip(turn, data, done) {
    closeBubble(turn);
    if (!turn.tools) {
      turn.tools = append(el("div", "row tools"));
    }
    const chip = el("button", `tool-chip ${done ? "done" : "running"}`);
    chip.type = "button";
    chip.dataset.callId = data.call_id || "";
    chip.append(el("span", "chip-icon"), el("span", "chip-name", data.tool_name || "工具"),
      el("span", "chip-state", done ? "完成" : "调用中…"));
    chip.title = chipTitle(data.tool_name, data.arguments, done ? data.tool_result : undefined);
    // 手机上没有悬停：点一下展开参数和结果。
    const detail = el("pre", "tool-detail");
    detail.hidden = true;
    chip.addEventListener("click", () => {
      detail.textContent = chip.title;
      detail.hidden = !detail.hidden;
      chip.setAttribute("aria-expanded", String(!detail.hidden));
    });
    chip.setAttribute("aria-expanded", "false");
    turn.tools.append(chip, detail);
    const entry = { chip, data, detail };
    turn.chips.set(data.call_id || `#${turn.chips.size}`, entry);
    if (!done && data.call_id) state.running.set(data.call_id, entry);
    return chip;
  }

  function completeToolChip(turn, data) {
    // 按 call_id 找：这一轮开始的，或者在上一条流里开始、等审批的那个
    let entry = turn.chips.get(data.call_id) || state.running.get(data.call_id) ||
      [...turn.chips.values()].find(
        (e) => e.data.tool_name === data.tool_name && e.chip.classList.contains("running"));
    const approval = turn.approval?.tool_name === data.tool_name ? turn.approval : null;
    if (!entry) {
      // 刷新页面后才审批的调用：“调用中”的标签不在页面上，用审批卡片上的参数补一个
      addToolChip(turn, { arguments: approval?.arguments, ...data }, false);
      entry = [...turn.chips.values()].pop();
    }
    state.running.delete(entry.data.call_id);
    const rejected = approval?.decision === "rejected";
    entry.chip.classList.replace("running", "done");
    entry.chip.classList.toggle("rejected", rejected);
    entry.chip.querySelector(".chip-state").textContent = rejected ? "已拒绝" : "完成";
    entry.chip.title = chipTitle(entry.data.tool_name, entry.data.arguments, data.tool_result);
    if (!entry.detail.hidden) entry.detail.textContent = entry.chip.title;
  }

  // 这一轮出错或断开时，还在“调用中”的工具不会再有结果了
  function stopChips(turn) {
    for (const entry of turn.chips.values()) {
      if (!entry.chip.classList.contains("running")) continue;
      state.running.delete(entry.data.call_id);
      entry.chip.classList.replace("running", "stopped");
      entry.chip.querySelector(".chip-state").textContent = "未完成";
    }
  }

  function addSystemLine(text) {
    return append(el("div", "row system", text));
  }

  function addError(message) {
    const row = el("div", "row error");
    row.append(el("div", "bubble error", message));
    return append(row);
  }

  function setAgent(name) {
    if (!name || name === state.agent) return;
    state.agent = name;
    badgeName.textContent = name;
    badge.hidden = false;
    badge.classList.remove("changed");
    void badge.offsetWidth; // 重新触发高亮动画
    badge.classList.add("changed");
  }

  // 审批卡片：顾客看到“已提交审核”和申请了什么；决定出来后卡片变成“主管已批准 / 已拒绝”。
  function addApproval(data) {
    state.pending.set(data.approval_id, data);
    const card = el("div", "approval");
    card.dataset.approvalId = data.approval_id;
    card.append(el("div", "approval-title", "已提交客服主管审核"));
    if (data.message) card.append(el("p", "approval-message", data.message));
    const facts = el("dl");
    facts.append(el("dt", "", "操作"), el("dd", "", data.tool_name || ""));
    if (data.agent) facts.append(el("dt", "", "发起"), el("dd", "", data.agent));
    const args = el("dd");
    args.append(el("pre", "", pretty(data.arguments || "{}")));
    facts.append(el("dt", "", "参数"), args);
    card.append(facts);
    const status = el("div", "approval-status", "等待审核…");
    status.setAttribute("role", "status");
    card.append(status);
    const row = el("div", "row approval-row");
    row.append(card);
    append(row);
    if (data.status === "approved" || data.status === "rejected") markDecided(data);
    return card;
  }

  function markDecided({ approval_id: id, status, decision, note }) {
    const card = messages.querySelector(`.approval[data-approval-id="${CSS.escape(id || "")}"]`);
    const result = decision || status;
    if (!card || (result !== "approved" && result !== "rejected")) return;
    const approved = result === "approved";
    card.classList.add("decided", approved ? "approve" : "reject");
    card.querySelector(".approval-title").textContent = "客服主管审核结果";
    const text = approved ? "主管已批准" : "主管没有批准这次申请";
    card.querySelector(".approval-status").textContent = note ? `${text}（备注：${note}）` : text;
  }

  function setWaiting(waiting) {
    state.waiting = waiting;
    query.placeholder = waiting ? WAITING_PLACEHOLDER : IDLE_PLACEHOLDER;
    setBusy(Boolean(state.stream));
  }

  // ---------- 事件 → 页面 ----------

  function handleEvent(turn, name, data) {
    switch (name) {
      case "session":
        if (data.session_id) saveSessionId(data.session_id);
        break;
      case "agent_updated":
        if (data.agent && data.agent !== state.agent && turn.gotText) closeBubble(turn);
        setAgent(data.agent);
        break;
      case "handoff":
        closeBubble(turn);
        turn.tools = null;
        addSystemLine(`${data.from_agent || "?"} → ${data.to_agent || "?"}`);
        setAgent(data.to_agent);
        break;
      case "text_delta":
        appendText(turn, data.text || "");
        break;
      case "tool_started":
        addToolChip(turn, data, false);
        break;
      case "tool_completed":
        completeToolChip(turn, data);
        break;
      case "approval_required":
        closeBubble(turn);
        setAgent(data.agent);
        for (const a of data.approvals || [data]) addApproval(a);
        turn.approval = data;
        break;
      case "approval_decided":
        document.body.classList.add("busy");
        markDecided(data);
        turn.approval = { ...(state.pending.get(data.approval_id) || {}), decision: data.decision };
        turn.sawDecision = true;
        break;
      case "notice":
        addSystemLine(data.message || "");
        break;
      case "run_completed": {
        setAgent(data.agent);
        const out = data.final_output;
        if (!turn.gotText && out !== null && out !== undefined && out !== "") {
          // 结构化输出（output_type）没有 text_delta：把最终结果整个显示出来
          appendText(turn, typeof out === "string" ? out : JSON.stringify(out, null, 2));
        }
        if (turn.bubble && data.usage) {
          turn.bubble.title = `请求 ${data.usage.requests ?? "?"} 次 · ${data.usage.total_tokens ?? "?"} tokens`;
        }
        closeBubble(turn);
        break;
      }
      case "error":
        closeBubble(turn);
        stopChips(turn);
        addError(data.message || "服务出错了，请稍后再试。");
        break;
      default:
        break;
    }
  }

  function setBusy(busy) {
    send.disabled = busy || state.waiting;
    document.body.classList.toggle("busy", busy);
  }

  // 开一条流（EventSource 或长消息时的 fetch POST），把事件交给 handleEvent。
  // updates=true：等审批结果的那条流（/api/sessions/{id}/updates），可能开很久；断了就稍后重连。
  function runStream({ url, post, approval, updates }) {
    const turn = newTurn();
    turn.approval = approval || null; // 审批后继续运行的流：记着批准还是拒绝了哪个工具
    let transport = null;
    let last = "";

    const finish = () => {
      if (turn.done) return;
      turn.done = true;
      transport?.close();
      closeBubble(turn);
      state.stream = null;
      setWaiting(last === "approval_required" || (updates && last === "notice"));
      // 手机上聚焦输入框会弹出键盘挡住回答：只在有鼠标的设备上自动聚焦
      if (!matchMedia("(pointer: coarse)").matches) query.focus();
      if (last === "approval_required") watchUpdates();
      // 页面打开时结果已经出来了（idle），或者中途才接上这条流：按服务器记下的历史重画一遍
      if (updates && (last === "idle" || (last === "run_completed" && !turn.sawDecision))) reload();
    };

    const dispatch = (name, raw) => {
      if (turn.done) return;
      let data = {};
      try {
        data = JSON.parse(raw);
      } catch {
        data = {};
      }
      last = name;
      handleEvent(turn, name, data);
      if (TERMINAL.has(name)) finish();
    };

    const lost = (detail) => {
      if (turn.done) return;
      closeBubble(turn);
      stopChips(turn);
      if (updates) {
        // 服务重启、网络断开：不算出错，几秒后重新读历史、重新等
        last = "approval_required";
        turn.done = true;
        transport?.close();
        state.stream = null;
        setWaiting(true);
        clearTimeout(state.retry);
        state.retry = setTimeout(reload, 3000);
        return;
      }
      addError(`连接中断，没有收到完整的回答${detail ? `（${detail}）` : ""}。请确认服务仍在运行后重试。`);
      finish();
    };

    transport = post ? postTransport(post, dispatch, lost) : eventSourceTransport(url, dispatch, lost);
    state.stream = { close: finish };
    // 等审核结果的流可能开几个小时：不显示“正在处理…”，只禁用发送；主管一决定（approval_decided）才显示
    setBusy(!updates);
  }

  function eventSourceTransport(url, dispatch, lost) {
    const source = new EventSource(url);
    for (const name of EVENTS) {
      if (name === "error") continue;
      source.addEventListener(name, (e) => dispatch(name, e.data));
    }
    // "error" 既是服务器发的业务事件（带 data），也是 EventSource 自己的连接错误（不带 data）。
    source.addEventListener("error", (e) => {
      if (typeof e.data === "string" && e.data) dispatch("error", e.data);
      else lost(); // 流在终止事件之前断了：关掉，别让它自动重连重发问题
    });
    return { close: () => source.close() };
  }

  function postTransport({ url, body }, dispatch, lost) {
    const abort = new AbortController();
    (async () => {
      const res = await fetch(url, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
        body: JSON.stringify(body),
        signal: abort.signal,
      });
      if (!res.ok || !res.body) {
        let message = `HTTP ${res.status}`;
        try {
          message = (await res.json()).error.message || message;
        } catch {
          /* 不是 JSON 错误体 */
        }
        lost(message);
        return;
      }
      await readSse(res.body, dispatch);
      lost();
    })().catch((err) => {
      if (!abort.signal.aborted) lost(String(err.message || err));
    });
    return { close: () => abort.abort() };
  }

  // 最小的 SSE 解析器（给 fetch 用）：空行分隔事件，event:/data: 字段，冒号开头是注释（心跳）。
  async function readSse(body, dispatch) {
    const reader = body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    let heldCR = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      let chunk = heldCR + value;
      heldCR = chunk.endsWith("\r") ? "\r" : "";
      if (heldCR) chunk = chunk.slice(0, -1);
      buffer += chunk.replace(/\r\n?/g, "\n");
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let event = "message";
        const data = [];
        for (const line of block.split("\n")) {
          if (!line || line.startsWith(":")) continue;
          const colon = line.indexOf(":");
          const field = colon < 0 ? line : line.slice(0, colon);
          let value2 = colon < 0 ? "" : line.slice(colon + 1);
          if (value2.startsWith(" ")) value2 = value2.slice(1);
          if (field === "event") event = value2;
          else if (field === "data") data.push(value2);
        }
        if (data.length) dispatch(event, data.join("\n"));
      }
    }
  }

  // ---------- 等审批结果 ----------

  function watchUpdates() {
    const id = state.sessionId;
    if (!id || state.stream) return;
    clearTimeout(state.retry);
    setWaiting(true);
    runStream({ url: `/api/sessions/${encodeURIComponent(id)}/updates`, updates: true });
  }

  async function reload() {
    clearTimeout(state.retry);
    if (state.stream) return;
    clearConversation();
    await restoreHistory();
  }

  // ---------- 用户操作 ----------

  function ask(text) {
    text = text.trim();
    if (!text || state.stream) return;
    addUser(text);
    query.value = "";
    autosize();
    const params = new URLSearchParams({ query: text });
    if (state.sessionId) params.set("session_id", state.sessionId);
    const url = `/api/chat/sse?${params}`;
    if (url.length <= MAX_GET_URL) {
      runStream({ url });
    } else {
      const body = { query: text };
      if (state.sessionId) body.session_id = state.sessionId;
      runStream({ post: { url: "/api/chat/sse", body } });
    }
  }

  function autosize() {
    query.style.height = "auto";
    query.style.height = `${Math.min(query.scrollHeight, 200)}px`;
  }

  function clearConversation() {
    for (const node of [...messages.children]) if (node !== welcome) node.remove();
    welcome.hidden = false;
    clearTimeout(state.retry);
    setWaiting(false);
    state.agent = "";
    state.running.clear();
    state.pending.clear();
    badgeName.textContent = "";
    badge.hidden = true;
  }

  async function startOver() {
    state.stream?.close();
    const old = state.sessionId;
    saveSessionId(null); // 新 id 由服务器在下一条流的 session 事件里发下来
    clearConversation();
    query.focus();
    if (!old) return;
    // 刚关掉的流在服务器上可能还要一小会儿才停下（这期间 DELETE 返回 409 session_busy）：稍等重试几次。
    // 有申请在等审核时服务器不让删（409 approval_pending）：审核结果还要写回那个会话，这里只是不再显示它。
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        const res = await fetch(`/api/sessions/${encodeURIComponent(old)}`, { method: "DELETE" });
        if (res.status !== 409) return;
        const body = await res.json().catch(() => ({}));
        if (body?.error?.code !== "session_busy") return;
      } catch {
        return; // 服务器清不掉也无妨：页面已经换成新会话
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  }

  async function restoreHistory() {
    const id = state.sessionId;
    if (!id) return;
    let res;
    try {
      res = await fetch(`/api/sessions/${encodeURIComponent(id)}/messages`);
    } catch {
      addError("连接不上服务，历史对话没能恢复。");
      return;
    }
    if (res.status === 404) {
      saveSessionId(null); // 服务器不认识这个会话（重启清库等）：从新会话开始
      return;
    }
    if (!res.ok) {
      addError(`读取历史对话失败（HTTP ${res.status}）。`);
      return;
    }
    const data = await res.json();
    if (state.sessionId !== id) return; // 恢复途中用户已点了“新对话”
    let turn = newTurn();
    let speaker = "";
    for (const m of data.messages || []) {
      if (m.role === "user") {
        closeBubble(turn);
        turn = newTurn();
        addUser(m.text || "");
      } else if (m.role === "assistant") {
        closeBubble(turn);
        // 历史里没有 handoff 事件：回答的 Agent 换了人，就补一行转接提示
        if (speaker && m.agent && m.agent !== speaker) addSystemLine(`${speaker} → ${m.agent}`);
        speaker = m.agent || speaker;
        assistantBubble(turn, m.agent || "");
        turn.text = m.text || "";
        turn.gotText = true;
        closeBubble(turn);
      } else if (m.role === "tool") {
        addToolChip(turn, m, true);
      }
    }
    closeBubble(turn);
    setAgent(data.agent);
    const pending = data.pending_approvals || [];
    for (const p of pending) addApproval(p);
    scrollDown();
    if (pending.length) watchUpdates();
  }

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    ask(query.value);
  });

  query.addEventListener("keydown", (e) => {
    // 中文输入法选词时的回车（isComposing）不是发送
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
      e.preventDefault();
      if (!send.disabled) ask(query.value);
    }
  });
  query.addEventListener("input", autosize);

  newChat.addEventListener("click", startOver);

  for (const example of document.querySelectorAll(".example")) {
    example.addEventListener("click", () => ask(example.textContent));
  }

  setBusy(true);
  restoreHistory().catch(() => addError("历史对话的格式不对，没能恢复。")).finally(() => {
    setBusy(Boolean(state.stream));
    query.focus();
  });
})();
