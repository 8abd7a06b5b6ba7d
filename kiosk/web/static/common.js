// Shared code of the motcua pages: building DOM from data (always with
// textContent, never parsed as HTML), calling the API, the token check, and a
// websocket that reconnects by itself and resumes with ?since=.
"use strict";

// Page loads are counted per tab, so that tests (and curious technicians)
// can tell that a page recovered without reloading.
{
  const n = Number(sessionStorage.getItem("motcuaLoads") || "0") + 1;
  sessionStorage.setItem("motcuaLoads", String(n));
  window.motcuaLoads = n;
}

// el builds an element: el("div", {class: "x", onclick: f}, "text", child).
// Strings become text nodes, so data from the config or officers is never
// parsed as HTML.
export function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (k === "class") e.className = v;
    else if (k === "dataset") Object.assign(e.dataset, v);
    else e.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

// fill replaces the children of parent.
export function fill(parent, ...children) {
  parent.replaceChildren();
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    parent.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export const $ = (sel) => document.querySelector(sel);

// Server time: the daemon's clock minus ours, from /session.
let clockOffset = 0;
export function serverNow() {
  return Date.now() + clockOffset;
}

// Vietnamese messages for API error codes the pages can meet.
const codeText = {
  counter_closed: "Quầy đang đóng. Hãy mở quầy trước.",
  counter_paused: "Quầy đang tạm nghỉ. Hãy bấm Tiếp tục trước.",
  not_serving: "Quầy chưa phục vụ số nào.",
  none_waiting: "Không còn ai chờ.",
  invalid_state: "Không làm được trong trạng thái hiện tại của quầy.",
  bad_transfer: "Hãy chọn một lĩnh vực hoặc một quầy khác để chuyển.",
  nothing_to_rate: "Chưa có hồ sơ nào để đánh giá.",
  already_rated: "Hồ sơ này đã được đánh giá.",
  rate_limited: "Xin chờ một chút rồi thử lại.",
  unknown_service: "Lĩnh vực này không còn trong cấu hình.",
  unknown_counter: "Quầy không có trong cấu hình.",
  forbidden: "Mã truy cập của trang này không được phép làm việc này.",
  origin_not_allowed: "Trang này không được phép dùng máy chủ (origin).",
  day_already_begun: "Đồng hồ của máy đã đồng bộ và ngày hôm nay đã bắt đầu: không cần bắt đầu ngày mới bằng tay, số thứ tự tự quay về 1 lúc nửa đêm.",
  store_unavailable: "Máy chủ đang gặp sự cố lưu trữ. Xin thử lại sau ít phút.",
};

export function errorText(res) {
  if (!res) return "Mất kết nối với máy chủ. Xin thử lại.";
  const code = res.data && res.data.error && res.data.error.code;
  return codeText[code] || `Lỗi ${res.status}${code ? " (" + code + ")" : ""}.`;
}

// api calls the daemon. It resolves to {ok, status, data}, or to null when
// the network failed. A 401 shows the token message.
export async function api(method, url, body) {
  const init = { method, credentials: "same-origin", headers: {} };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let r;
  try {
    r = await fetch(url, init);
  } catch (e) {
    return null;
  }
  let data = null;
  if (r.status !== 204) {
    try {
      data = await r.json();
    } catch (e) {
      data = null;
    }
  }
  if (r.status === 401) authProblem("wrong");
  return { ok: r.ok, status: r.status, data };
}

// The token overlay: a full-screen message while the page's token is
// missing, wrong or of the wrong kind. It clears itself once the token
// works again (the page keeps checking).
let authState = "ok";
let authRecheck = null;
const roleName = { admin: "quản trị", kiosk: "máy lấy số", display: "màn hình", counter: "quầy" };

function authProblem(kind, role) {
  if (authState === kind) return;
  authState = kind;
  let box = document.getElementById("auth");
  if (!box) {
    box = el("div", { id: "auth", class: "auth", role: "alert" });
    document.body.append(box);
  }
  const page = document.body.dataset.title || "trang này";
  if (kind === "wrong") {
    fill(box,
      el("h2", {}, "Mã truy cập sai hoặc đã bị thu hồi"),
      el("p", {}, `Không mở được ${page}. Hãy mở lại trang bằng đường dẫn có mã (…?token=…) do quản trị viên cung cấp.`),
      el("p", { class: "small" }, "Trang tự kiểm tra lại mỗi 15 giây."));
  } else if (kind === "role") {
    fill(box,
      el("h2", {}, "Mã truy cập không dùng được cho trang này"),
      el("p", {}, `Mã này dành cho ${roleName[role] || role}, không được phép mở ${page}.`),
      el("p", { class: "small" }, "Hãy mở trang bằng đường dẫn có mã đúng vai trò (…?token=…)."));
  }
  box.hidden = false;
  document.body.classList.add("blocked");
  if (!authRecheck) authRecheck = setInterval(() => checkSession(), 15000);
}

function authOK() {
  if (authState === "ok") return;
  authState = "ok";
  const box = document.getElementById("auth");
  if (box) box.hidden = true;
  document.body.classList.remove("blocked");
  clearInterval(authRecheck);
  authRecheck = null;
}

let sessionQuery = "";
let sessionWaiters = [];

// checkSession asks who the token is. It resolves to the session when the
// token may use this page, else to null (and shows why).
export async function checkSession() {
  let r;
  try {
    r = await fetch("/session?" + sessionQuery, { credentials: "same-origin" });
  } catch (e) {
    return null;
  }
  if (r.status === 401) {
    authProblem("wrong");
    return null;
  }
  if (!r.ok) return null;
  const s = await r.json();
  clockOffset = new Date(s.now).getTime() - Date.now();
  if (s.timezone) unitZone = s.timezone;
  if (!s.allowed) {
    authProblem("role", s.role);
    return null;
  }
  authOK();
  const w = sessionWaiters;
  sessionWaiters = [];
  w.forEach((f) => f(s));
  return s;
}

// start resolves once the token may use the page, retrying meanwhile.
export function start(page, counter) {
  sessionQuery = new URLSearchParams({ page, counter: counter || 0 }).toString();
  return new Promise((resolve) => {
    const tryNow = async () => {
      const s = await checkSession();
      if (s) resolve(s);
      else if (authState === "ok") setTimeout(tryNow, 2000); // network: retry soon
      else sessionWaiters.push(resolve);
    };
    tryNow();
  });
}

// Live keeps a websocket to /api/v1/ws open. It calls onSnapshot(state,
// seq) for a snapshot and onEvent(ev, live) for each event (live is false
// for events replayed after a reconnect is not known: always true here but
// the event's "at" says how old it is). It reconnects with a jittered
// backoff, resuming after the last seq it saw, and shows the
// "mất kết nối" sign while it is disconnected.
export class Live {
  constructor({ onSnapshot, onEvent, onStatus, since }) {
    this.onSnapshot = onSnapshot;
    this.onEvent = onEvent;
    this.onStatus = onStatus || (() => {});
    this.seq = since === undefined ? -1 : since;
    this.backoff = 500;
    this.ws = null;
    this.connected = false;
    this.sign = el("div", { class: "offline", role: "status", hidden: true }, "mất kết nối");
    document.body.append(this.sign);
    this.signTimer = null;
    this.connect();
    // A cable pulled out closes nothing: check the daemon now and then and
    // start over when it does not answer.
    setInterval(() => this.heartbeat(), 15000);
    window.addEventListener("online", () => this.kick());
  }

  url() {
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    const q = this.seq >= 0 ? "?since=" + this.seq : "";
    return `${proto}//${location.host}/api/v1/ws${q}`;
  }

  connect() {
    clearTimeout(this.retry);
    let ws;
    try {
      ws = new WebSocket(this.url());
    } catch (e) {
      this.closed();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      this.connected = true;
      this.backoff = 500;
    };
    ws.onmessage = (m) => {
      let f;
      try {
        f = JSON.parse(m.data);
      } catch (e) {
        return;
      }
      if (!this.connected) this.connected = true;
      document.body.dataset.live = "1";
      this.showSign(false);
      if (f.type === "snapshot") {
        this.seq = f.seq;
        this.onSnapshot(f.state, f.seq);
      } else if (f.type === "event") {
        if (f.seq <= this.seq) return;
        this.seq = f.seq;
        this.onEvent(f);
        document.dispatchEvent(new CustomEvent("motcua:event", { detail: f }));
      } else if (f.type === "scan") {
        // A scan at the kiosk's scanner (kiosk pages only; not an event).
        document.dispatchEvent(new CustomEvent("motcua:scan", { detail: f }));
      }
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.connected = false;
      document.body.dataset.live = "0";
      this.closed();
    };
  }

  closed() {
    this.showSign(true);
    this.onStatus(false);
    const wait = this.backoff * (0.5 + Math.random());
    this.backoff = Math.min(this.backoff * 2, 10000);
    this.retry = setTimeout(async () => {
      // A refused upgrade is invisible to a WebSocket: ask whether the
      // token still works (this shows the token message if not).
      const s = await checkSession();
      if (s || authState === "ok") this.connect();
      else sessionWaiters.push(() => this.connect());
    }, wait);
  }

  // kick reconnects at once.
  kick() {
    this.backoff = 500;
    if (this.ws) this.ws.close();
    else {
      clearTimeout(this.retry);
      this.connect();
    }
  }

  // resync starts over from a snapshot.
  resync() {
    this.seq = -1;
    if (this.ws) this.ws.close();
  }

  async heartbeat() {
    if (!this.ws) return;
    const ctl = new AbortController();
    const t = setTimeout(() => ctl.abort(), 5000);
    try {
      await fetch("/healthz", { signal: ctl.signal, cache: "no-store" });
    } catch (e) {
      if (this.ws) this.ws.close();
    } finally {
      clearTimeout(t);
    }
  }

  showSign(on) {
    clearTimeout(this.signTimer);
    if (!on) {
      this.sign.hidden = true;
      document.body.classList.remove("disconnected");
      return;
    }
    // Short blips do not flash the sign.
    this.signTimer = setTimeout(() => {
      this.sign.hidden = false;
      document.body.classList.add("disconnected");
    }, 400);
  }
}

// Model keeps the state of a snapshot up to date with events: counters and
// devices are replaced by the copies events carry; a ticket moves in or
// out of its service's waiting list (or its counter's, when transferred
// to a counter). The order of a waiting list after an
// insert is approximate (the engine's priority rules are not repeated
// here); pages that show the order refetch the state.
export class Model {
  constructor() {
    this.state = null;
  }
  set(state) {
    this.state = state;
  }
  apply(ev) {
    const st = this.state;
    if (!st) return;
    st.seq = ev.seq;
    if (ev.event === "day.started") {
      // A new queue day: the engine forgets the tickets and closes every
      // counter (the event carries nothing else; later events of the same
      // command follow it).
      st.day = ev.day;
      for (const s of st.services) s.waiting = [];
      for (const c of st.counters) Object.assign(c, { state: "closed", officer: "", reason: "", serving: null, served_today: 0 });
      return;
    }
    if (ev.ticket) {
      // A waiting ticket is in its service's list, or, transferred to a
      // counter, in that counter's list.
      const t = ev.ticket;
      for (const s of st.services) s.waiting = s.waiting.filter((x) => x.id !== t.id);
      for (const c of st.counters) if (c.waiting) c.waiting = c.waiting.filter((x) => x.id !== t.id);
      if (t.status === "waiting" && t.counter != null) {
        const c = st.counters.find((x) => x.id === t.counter);
        if (c) (c.waiting ||= []).push(t);
      } else if (t.status === "waiting") {
        const s = st.services.find((x) => x.id === t.service);
        if (s) s.waiting.push(t);
      }
    }
    if (ev.counter) {
      const i = st.counters.findIndex((c) => c.id === ev.counter.id);
      if (i >= 0) st.counters[i] = ev.counter;
    }
    if (ev.device) {
      const i = st.devices.findIndex((d) => d.name === ev.device.name);
      if (i >= 0) st.devices[i] = ev.device;
      else st.devices.push(ev.device);
    }
  }
}

// Debounce: run f at most once per wait ms, after the last call.
export function debounce(f, wait) {
  let t = null;
  return (...a) => {
    clearTimeout(t);
    t = setTimeout(() => f(...a), wait);
  };
}

export function two(n) {
  return String(n).padStart(2, "0");
}

// The pages show times in the unit's time zone (unit.timezone, from
// /session), as tickets and reports do, whatever zone the browser's
// machine is set to.
let unitZone = "Asia/Ho_Chi_Minh";
const zoned = new Map();

// clockText formats a time (a Date, milliseconds or an RFC 3339 string) as
// "08:05" or, with seconds, "08:05:09" in the unit's time zone.
export function clockText(t, seconds) {
  if (t === null || t === undefined || t === "") return "";
  const key = unitZone + (seconds ? "s" : "");
  let f = zoned.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat("en-GB", { timeZone: unitZone, hour: "2-digit", minute: "2-digit", second: seconds ? "2-digit" : undefined, hourCycle: "h23" });
    zoned.set(key, f);
  }
  return f.format(t instanceof Date ? t : new Date(t));
}

export function hhmm(iso) {
  return clockText(iso);
}

// fitAll shrinks the text of every .fit element (one line, no wrapping)
// until it fits its box, starting from the size its CSS gives: a number
// of any length and a long name stay whole on every screen size.
export function fitAll(root) {
  for (const e of (root || document).querySelectorAll(".fit")) fit(e);
}

export function fit(e) {
  e.style.fontSize = "";
  if (!e.getClientRects().length) return;
  let size = parseFloat(getComputedStyle(e).fontSize);
  for (let i = 0; i < 8 && size > 8; i++) {
    const w = e.scrollWidth / Math.max(e.clientWidth, 1);
    const h = e.scrollHeight / Math.max(e.clientHeight, 1);
    const over = Math.max(w, h);
    if (over <= 1) return;
    size = Math.floor((size / over) * 0.98);
    e.style.fontSize = size + "px";
  }
}

// watchFit calls refit (default fitAll) when the window size changes and
// whenever fonts finished loading (the embedded fonts load when text
// first needs them, after the first render).
export function watchFit(refit) {
  const f = refit || (() => fitAll());
  window.addEventListener("resize", debounce(f, 100));
  document.fonts.addEventListener("loadingdone", () => f());
  document.fonts.ready.then(() => f());
}

// minutes says a duration in seconds as "khoảng N phút".
export function minutes(s) {
  if (!s || s < 60) return "dưới 1 phút";
  const m = Math.round(s / 60);
  if (m < 60) return `khoảng ${m} phút`;
  return `khoảng ${Math.floor(m / 60)} giờ ${m % 60} phút`;
}

// counterID is the {id} of /counter/{id} or /rate/{id}.
export function pathID() {
  const parts = location.pathname.split("/");
  return Number(parts[parts.length - 1]);
}

export const eventText = {
  "day.started": "Bắt đầu ngày mới",
  "ticket.issued": "Cấp số",
  "ticket.called": "Gọi số",
  "ticket.recalled": "Gọi lại",
  "ticket.done": "Xong",
  "ticket.no_show": "Vắng mặt",
  "ticket.transferred": "Chuyển",
  "ticket.rated": "Đánh giá",
  "counter.opened": "Mở quầy",
  "counter.paused": "Tạm nghỉ",
  "counter.resumed": "Tiếp tục",
  "counter.closed": "Đóng quầy",
  "device.status": "Thiết bị",
  "appointment.booked": "Đặt lịch",
  "appointment.cancelled": "Hủy lịch hẹn",
  "appointment.expired": "Lịch hẹn quá hạn",
};

export const stateText = { open: "Đang mở", paused: "Tạm nghỉ", closed: "Đóng" };
export const deviceText = { ok: "Tốt", warning: "Cảnh báo", error: "Lỗi" };
