// ITS 客服后台：列出待审批的申请，主管批准或拒绝（可以写备注）。
//
// - 令牌：启动时打印的地址 /console#token=… 把令牌放在 # 后面（浏览器不会把它发给服务器、
//   也不会写进访问日志）；页面读出来存进 sessionStorage，再把地址栏里的令牌抹掉。
//   之后每个请求带 Authorization: Bearer <令牌>；401 就回到输入令牌的表单。
// - 每 3 秒刷新一次列表：别的主管处理掉的申请会消失，新的会出现；正在写备注的卡片不会被重画。
// - 和顾客页面一样，所有文字都经 textContent 放进页面，绝不拼进 innerHTML。
"use strict";

(() => {
  const TOKEN_KEY = "its.staff_token";
  const REFRESH_MS = 3000;
  const $ = (selector) => document.querySelector(selector);
  const form = $("#token-form");
  const input = $("#token-input");
  const formError = $("#token-error");
  const board = $("#board");
  const cards = $("#cards");
  const empty = $("#empty");
  const who = $("#who");
  const logout = $("#logout");
  const pendingCount = $("#pending-count");

  const state = { token: "", status: "pending", timer: null, shown: new Map() };

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  // 服务给的时间都是 ISO 8601（UTC）；这里按浏览器的时区显示
  function when(iso) {
    if (!iso) return "";
    const time = new Date(iso);
    return Number.isNaN(time.getTime()) ? String(iso) : time.toLocaleString("zh-CN", { hour12: false });
  }

  function pretty(json) {
    try {
      return JSON.stringify(JSON.parse(json), null, 2);
    } catch {
      return String(json ?? "");
    }
  }

  // ---------- 令牌 ----------

  function takeTokenFromUrl() {
    const match = location.hash.match(/token=([^&]+)/);
    if (!match) return;
    try {
      sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(match[1]));
    } catch {
      state.token = decodeURIComponent(match[1]);
    }
    history.replaceState(null, "", location.pathname + location.search);
  }

  function loadToken() {
    try {
      return state.token || sessionStorage.getItem(TOKEN_KEY) || "";
    } catch {
      return state.token;
    }
  }

  function saveToken(token) {
    state.token = token;
    try {
      if (token) sessionStorage.setItem(TOKEN_KEY, token);
      else sessionStorage.removeItem(TOKEN_KEY);
    } catch {
      /* 存不了就只放在内存里 */
    }
  }

  function showLogin(message) {
    clearInterval(state.timer);
    board.hidden = true;
    who.hidden = logout.hidden = true;
    form.hidden = false;
    formError.hidden = !message;
    formError.textContent = message || "";
    input.focus();
  }

  async function api(path, options = {}) {
    const res = await fetch(path, {
      ...options,
      headers: { Authorization: `Bearer ${loadToken()}`, "Content-Type": "application/json",
        ...(options.headers || {}) },
    });
    if (res.status === 401) {
      saveToken("");
      showLogin("令牌不对或已失效，请重新输入。");
      throw new Error("unauthorized");
    }
    return res;
  }

  // ---------- 列表 ----------

  async function refresh() {
    let res;
    try {
      res = await api(`/api/staff/approvals?status=${state.status}`);
    } catch {
      return;
    }
    if (!res.ok) return;
    const body = await res.json();
    form.hidden = true;
    board.hidden = false;
    who.hidden = logout.hidden = false;
    who.textContent = `已登录：${body.staff}`;
    const list = body.approvals || [];
    if (state.status === "pending") pendingCount.textContent = String(list.length);
    render(list);
  }

  function render(list) {
    const ids = new Set(list.map((a) => a.approval_id));
    for (const [id, card] of state.shown) {
      // 已经不在列表里：别人处理掉了（自己刚处理的卡片保留结果，下次切换页签时再清）
      if (!ids.has(id) && !card.classList.contains("decided-here")) {
        card.remove();
        state.shown.delete(id);
      }
    }
    for (const approval of list) {
      if (!state.shown.has(approval.approval_id)) {
        const card = buildCard(approval);
        state.shown.set(approval.approval_id, card);
        cards.append(card);
      }
    }
    empty.hidden = state.shown.size > 0;
    empty.textContent = state.status === "pending"
      ? "没有待审批的申请。新的申请会自动出现在这里。" : "还没有处理过的申请。";
  }

  function buildCard(a) {
    const card = el("article", "approval-card");
    card.dataset.approvalId = a.approval_id;
    const head = el("div", "card-head");
    if (a.amount !== null && a.amount !== undefined) head.append(el("span", "card-amount", `¥${a.amount}`));
    head.append(el("span", "card-title", a.message || a.tool_name));
    card.append(head);
    card.append(el("div", "card-meta",
      `提交于 ${when(a.requested_at)} · 会话 ${String(a.session_id).slice(0, 8)}…`));

    const facts = el("dl");
    const add = (label, value) => {
      if (value === null || value === undefined || value === "") return;
      facts.append(el("dt", "", label), el("dd", "", value));
    };
    add("顾客", a.customer);
    add("订单", a.order_id);
    add("顾客原话", a.request);
    add("发起", a.agent);
    add("操作", a.tool_name);
    const args = el("dd");
    args.append(el("pre", "", pretty(a.arguments)));
    facts.append(el("dt", "", "参数"), args);
    card.append(facts);

    const convo = el("details", "conversation");
    const messages = a.conversation || [];
    convo.append(el("summary", "", `到目前为止的对话（${messages.length} 条）`));
    const ol = el("ol");
    for (const m of messages) {
      const li = el("li", m.role);
      if (m.role === "tool") {
        li.append(el("span", "from", "工具"), el("span", "", `${m.tool_name} ${m.arguments}`));
      } else if (m.role === "handoff") {
        li.append(el("span", "from", "转接"), el("span", "", `${m.from_agent} → ${m.to_agent}`));
      } else if (m.role === "guardrail") {
        li.append(el("span", "from", "护栏"), el("span", "", `${m.title}：${m.reasoning}`));
      } else if (m.role === "approval") {
        li.append(el("span", "from", "审批"), el("span", "", m.message || m.tool_name));
      } else {
        li.append(el("span", "from", m.role === "user" ? "顾客" : m.agent || "客服"),
          el("span", "", m.text));
      }
      ol.append(li);
    }
    convo.append(ol);
    card.append(convo);

    if (a.status === "pending") {
      const label = el("label", "visually-hidden", "备注");
      const note = el("textarea", "note");
      note.placeholder = "备注（可选）：拒绝的原因会转告顾客";
      note.maxLength = 500;
      label.htmlFor = note.id = `note-${a.approval_id}`;
      const actions = el("div", "card-actions");
      const approve = el("button", "approve", "批准");
      const reject = el("button", "reject danger", "拒绝");
      approve.type = reject.type = "button";
      approve.addEventListener("click", () => decide(card, a, "approve", note.value));
      reject.addEventListener("click", () => decide(card, a, "reject", note.value));
      actions.append(approve, reject);
      card.append(label, note, actions);
    } else {
      showDecision(card, a);
    }
    return card;
  }

  function showDecision(card, a, mine = false) {
    const approved = a.status === "approved";
    card.classList.add(approved ? "done-approved" : "done-rejected");
    const note = a.note ? `（备注：${a.note}）` : "";
    const by = mine ? "你" : a.decided_by;
    let text = `${by} 于 ${when(a.decided_at)} ${approved ? "批准" : "拒绝"}了${note}`;
    if (a.applied_at) text += ` · 结果已写回对话（${when(a.applied_at)}）`;
    const result = card.querySelector(".card-result") || card.appendChild(el("div", "card-result"));
    result.classList.remove("error");
    result.textContent = text;
  }

  async function decide(card, a, decision, note) {
    for (const b of card.querySelectorAll("button, textarea")) b.disabled = true;
    let res;
    try {
      res = await api(`/api/staff/approvals/${encodeURIComponent(a.approval_id)}`, {
        method: "POST", body: JSON.stringify({ decision, note }),
      });
    } catch {
      return;
    }
    const body = await res.json().catch(() => ({}));
    card.classList.add("decided-here");
    card.querySelector(".card-actions")?.remove();
    card.querySelector(".note")?.remove();
    if (res.ok) {
      showDecision(card, { ...a, ...body }, true);
      const result = card.querySelector(".card-result");
      result.textContent += " · 服务器正在接着处理这段对话，顾客会看到结果。";
    } else {
      const current = body?.error?.approval;
      const result = card.appendChild(el("div", "card-result error",
        body?.error?.message || `处理失败（HTTP ${res.status}）`));
      if (current?.status && current.status !== "pending") {
        result.textContent += ` 结果：${current.status === "approved" ? "批准" : "拒绝"}。`;
      }
    }
  }

  // ---------- 操作 ----------

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    saveToken(input.value.trim());
    input.value = "";
    start();
  });

  logout.addEventListener("click", () => {
    saveToken("");
    showLogin();
  });

  for (const tab of document.querySelectorAll(".tab")) {
    tab.addEventListener("click", () => {
      state.status = tab.dataset.status;
      for (const t of document.querySelectorAll(".tab")) {
        t.classList.toggle("active", t === tab);
        t.setAttribute("aria-selected", String(t === tab));
      }
      cards.replaceChildren();
      state.shown.clear();
      refresh();
    });
  }

  function start() {
    if (!loadToken()) {
      showLogin();
      return;
    }
    clearInterval(state.timer);
    refresh();
    state.timer = setInterval(refresh, REFRESH_MS);
  }

  takeTokenFromUrl();
  start();
})();
