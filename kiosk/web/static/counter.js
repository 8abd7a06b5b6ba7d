// /counter/{id}: the officer's page, narrow enough for a side window.
import { $, el, fill, api, start, Live, Model, debounce, hhmm, pathID, errorText, stateText } from "/static/common.js";

const id = pathID();
const base = `/api/v1/counters/${id}/`;
const model = new Model();
const PRESETS = ["Họp", "Nghỉ trưa", "Ra ngoài công tác", "Việc riêng"];
let busy = false;

// window.motcuaCounter lets tests see the last answer and whether a
// command is in flight (keys pressed meanwhile are ignored, so that a
// double press never calls two tickets).
window.motcuaCounter = { last: null, get busy() { return busy; } };

function me() {
  return model.state && model.state.counters.find((c) => c.id === id);
}

function message(text, err) {
  const m = $("#msg");
  m.textContent = text;
  m.classList.toggle("err", !!err);
}

function render() {
  const st = model.state;
  const c = me();
  if (!st) return;
  if (!c) {
    $("#name").textContent = `Quầy ${id}`;
    message(`Quầy ${id} không có trong cấu hình.`, true);
    return;
  }
  document.title = c.name;
  $("#name").textContent = c.name;
  const badge = $("#state");
  badge.textContent = stateText[c.state] || c.state;
  badge.className = "badge " + c.state;
  $("#officer").textContent = c.officer ? "Cán bộ: " + c.officer : "";
  $("#open-form").hidden = c.state !== "closed";
  $("#work").hidden = c.state !== "open";
  $("#paused").hidden = c.state !== "paused";
  $("#paused-reason").textContent = c.reason ? ": " + c.reason : "";
  if (c.state !== "open") closePanels();

  const s = c.serving;
  $("#serving").classList.toggle("none", !s);
  $("#s-number").textContent = s ? s.number : "—";
  const svc = s && st.services.find((x) => x.id === s.service);
  $("#s-meta").textContent = s
    ? [svc ? svc.name : s.service, s.priority ? "ưu tiên" : "", "gọi lúc " + hhmm(s.called_at), s.calls > 1 ? `${s.calls} lần gọi` : ""]
      .filter(Boolean).join(" · ")
    : "Chưa gọi số nào";
  for (const b of ["#b-recall", "#b-done", "#b-skip", "#b-transfer"]) $(b).disabled = busy || !s;
  $("#b-next").disabled = busy;
  $("#served").textContent = c.served_today;
  // counter-dossiers.js shows the served ticket's dossiers.
  document.dispatchEvent(new CustomEvent("motcua:serving", { detail: { counter: id, serving: s } }));

  // Waiting lists: tickets sent to this counter, then each service's.
  const lists = [];
  const pinned = c.waiting || [];
  if (pinned.length) lists.push({ name: "Chuyển đến quầy này", tickets: pinned });
  for (const sid of c.services) {
    const sv = st.services.find((x) => x.id === sid);
    if (sv) lists.push({ name: sv.name, tickets: sv.waiting });
  }
  fill($("#waiting"), lists.map((l) =>
    el("div", { class: "svc" },
      el("h3", {}, l.name, " ", el("small", {}, `${l.tickets.length} đang chờ`)),
      el("ul", { class: "chips" },
        l.tickets.slice(0, 12).map((t) => el("li", { class: t.priority ? "prio" : "" }, t.number, t.priority ? " ƯT" : "")),
        l.tickets.length > 12 ? el("li", { class: "more" }, `+${l.tickets.length - 12}`) : null))));

  // Transfer targets: the other services and the other open counters.
  fill($("#transfer-services"), st.services.filter((x) => !s || x.id !== s.service).map((x) =>
    el("button", { type: "button", onclick: () => act("transfer", { service: x.id }) }, x.name)));
  fill($("#transfer-counters"), st.counters.filter((x) => x.id !== id).map((x) =>
    el("button", { type: "button", onclick: () => act("transfer", { counter: x.id }) },
      x.name, x.state !== "open" ? ` (${stateText[x.state]})` : "")));
}

const refresh = debounce(async () => {
  const r = await api("GET", "/api/v1/state");
  if (r && r.ok && model.state && r.data.seq >= model.state.seq) {
    model.set(r.data);
    render();
  }
}, 150);

const done = {
  next: (t) => (t ? `Đã gọi số ${t.number}.` : "Không còn ai chờ."),
  recall: (t) => `Đã gọi lại số ${t.number}.`,
  done: (t) => `Đã xong số ${t.number}.`,
  skip: (t) => `Số ${t.number} vắng mặt.`,
  transfer: (t) => `Đã chuyển số ${t.number}.`,
  open: () => "Đã mở quầy.",
  pause: () => "Quầy tạm nghỉ.",
  resume: () => "Quầy làm việc tiếp.",
  close: () => "Đã đóng quầy.",
};

async function act(action, body) {
  if (busy) return;
  busy = true;
  render();
  const r = await api("POST", base + action, body || {});
  busy = false;
  window.motcuaCounter.last = { action, status: r && r.status, data: r && r.data };
  if (r && r.ok) {
    message(done[action](r.status === 204 ? null : r.data));
    closePanels();
  } else if (!r || r.status !== 401) {
    message(errorText(r), true);
  }
  render();
  refresh();
}

function closePanels() {
  $("#transfer").hidden = true;
  $("#pause").hidden = true;
}

function togglePanel(sel) {
  const p = $(sel);
  const show = p.hidden;
  closePanels();
  p.hidden = !show;
  if (show) {
    const f = p.querySelector("input, button");
    if (f) f.focus();
  }
}

// Closing needs a second press within 4 s: no browser dialog.
function armClose(b) {
  if (b.classList.contains("armed")) {
    b.classList.remove("armed");
    b.textContent = "Đóng quầy";
    act("close");
    return;
  }
  b.classList.add("armed");
  b.textContent = "Bấm lần nữa để đóng";
  setTimeout(() => { b.classList.remove("armed"); b.textContent = "Đóng quầy"; }, 4000);
}

$("#open-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const name = $("#officer-name").value.trim();
  if (!name) return;
  localStorage.setItem("motcua.officer", name);
  act("open", { officer: name });
});
$("#officer-name").value = localStorage.getItem("motcua.officer") || "";
$("#b-next").addEventListener("click", () => act("next"));
$("#b-recall").addEventListener("click", () => act("recall"));
$("#b-done").addEventListener("click", () => act("done"));
$("#b-skip").addEventListener("click", () => act("skip"));
$("#b-transfer").addEventListener("click", () => togglePanel("#transfer"));
$("#b-pause").addEventListener("click", () => togglePanel("#pause"));
$("#b-resume").addEventListener("click", () => act("resume"));
$("#b-close").addEventListener("click", (e) => armClose(e.currentTarget));
$("#b-close2").addEventListener("click", (e) => armClose(e.currentTarget));
for (const b of document.querySelectorAll("[data-cancel]")) b.addEventListener("click", closePanels);
fill($("#pause-presets"), PRESETS.map((p) =>
  el("button", { type: "button", onclick: () => act("pause", { reason: p }) }, p)));
$("#pause").addEventListener("submit", (e) => {
  e.preventDefault();
  act("pause", { reason: $("#pause-reason").value.trim() });
});

document.addEventListener("keydown", (e) => {
  if (e.ctrlKey || e.altKey || e.metaKey) return;
  if (e.key === "Escape") { closePanels(); return; }
  if (e.target instanceof HTMLInputElement) return;
  const c = me();
  if (!c) return;
  const k = e.key.toLowerCase();
  if (k === "p" && c.state === "paused") { e.preventDefault(); act("resume"); return; }
  if (c.state !== "open") return;
  const b = document.querySelector(`#work [data-key="${k}"]`);
  if (b && !b.disabled) {
    e.preventDefault();
    b.click();
  }
});

start("counter", id).then(() => {
  new Live({
    onSnapshot: (st) => { model.set(st); render(); },
    onEvent: (ev) => {
      model.apply(ev);
      render();
      if (ev.ticket) refresh();
    },
  });
});
