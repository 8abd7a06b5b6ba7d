// The kiosk's "Tra cứu thủ tục": browse the procedure catalogue by field or
// search it with an on-screen Vietnamese keyboard (accents optional; Telex
// typed without an input method works, the daemon folds it), read a
// procedure's papers as a checklist (papers on VNeID marked: no need to
// bring them), its fee and time limit, and take a number for it.
import { $, el, fill, api, errorText } from "/static/common.js";
import { kiosk } from "/static/kiosk-screens.js";
import { telex } from "/static/telex.js";

const LIMIT = 40; // results shown at once
const SEARCH_MS = 150; // pause in typing before a search

let query = "";
let field = ""; // "" = every field
let fields = [];
let seq = 0; // answers to older searches are dropped
let timer = 0;
let current = null; // the procedure on the procedure screen

const keyRows = [
  ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0"],
  ["q", "w", "e", "r", "t", "y", "u", "i", "o", "p"],
  ["a", "s", "d", "f", "g", "h", "j", "k", "l"],
  ["z", "x", "c", "v", "b", "n", "m", "."],
  ["ă", "â", "đ", "ê", "ô", "ơ", "ư"],
];

// The catalogue screen: search box, fields, results, keyboard.
const list = kiosk.addScreen("catalogue", {
  onShow() {
    query = "";
    field = "";
    showQuery();
    load();
  },
  onBack: () => kiosk.home(),
  speak: () => ["Tra cứu thủ tục. Gõ tên thủ tục trên bàn phím, hoặc chọn lĩnh vực."],
});
list.classList.add("catalogue");
list.append(
  el("div", { class: "cat-top" },
    el("button", { class: "back", type: "button", id: "cat-back", onclick: () => kiosk.home() }, "← Quay lại"),
    el("h1", {}, "Tra cứu thủ tục")),
  el("div", { class: "cat-search" },
    el("div", { id: "cat-q", class: "cat-q", role: "textbox", "aria-label": "Tên thủ tục cần tìm" }),
    el("button", { class: "clear", type: "button", id: "cat-clear", onclick: () => type("clear") }, "Xóa")),
  el("p", { class: "cat-hint" }, "Gõ không dấu cũng được, ví dụ: khai sinh, ket hon, chung thuc."),
  el("div", { id: "cat-fields", class: "cat-fields", role: "group", "aria-label": "Lĩnh vực" }),
  el("div", { id: "cat-results", class: "cat-results", role: "list" }),
  el("p", { id: "cat-count", class: "cat-count", role: "status" }),
  keyboard());

function keyboard() {
  const kb = el("div", { id: "cat-kb", class: "cat-kb", "aria-label": "Bàn phím" });
  for (const row of keyRows) {
    kb.append(el("div", { class: "kb-row" }, row.map((k) =>
      el("button", { type: "button", class: "key", dataset: { key: k }, onclick: () => type(k) }, k))));
  }
  kb.append(el("div", { class: "kb-row" },
    el("button", { type: "button", class: "key wide", dataset: { key: "space" }, onclick: () => type(" ") }, "Dấu cách"),
    el("button", { type: "button", class: "key wide", dataset: { key: "back" }, "aria-label": "Xóa một chữ", onclick: () => type("back") }, "⌫")));
  return kb;
}

function type(k) {
  if (k === "clear") query = "";
  else if (k === "back") query = [...query].slice(0, -1).join("");
  else if (query.length < 60) query += k;
  showQuery();
  clearTimeout(timer);
  timer = setTimeout(load, SEARCH_MS);
}

function showQuery() {
  const q = $("#cat-q");
  q.textContent = telex(query);
  q.classList.toggle("empty", query === "");
}

async function load() {
  const n = ++seq;
  const p = new URLSearchParams({ limit: String(LIMIT) });
  if (query.trim()) p.set("q", query.trim());
  if (field) p.set("field", field);
  const res = await api("GET", "/api/v1/procedures?" + p);
  if (n !== seq) return;
  if (!res || !res.ok) {
    fill($("#cat-results"), el("p", { class: "cat-empty" }, errorText(res)));
    return;
  }
  fields = res.data.fields || [];
  showFields();
  const ps = res.data.procedures || [];
  fill($("#cat-results"), ps.map((x) =>
    el("button", { type: "button", class: "proc", role: "listitem", dataset: { code: x.code }, onclick: () => kiosk.show("procedure", x) },
      el("span", { class: "name" }, x.name),
      el("span", { class: "meta" }, `${x.field} · mã ${x.code}`))));
  let count = "";
  if (!ps.length) count = fields.length ? "Không tìm thấy thủ tục nào. Thử gõ ít chữ hơn, hoặc chọn lĩnh vực." : "Chưa có danh mục thủ tục.";
  else if (res.data.total > ps.length) count = `${ps.length} trong ${res.data.total} thủ tục: gõ thêm để thu hẹp.`;
  else count = `${ps.length} thủ tục`;
  $("#cat-count").textContent = count;
  window.motcuaKiosk.catalogue = { query, field, codes: ps.map((x) => x.code) };
}

function showFields() {
  const all = [{ name: "", label: "Tất cả" }, ...fields.map((f) => ({ name: f.name, label: f.name }))];
  fill($("#cat-fields"), all.map((f) =>
    el("button", { type: "button", class: "chip", "aria-pressed": f.name === field ? "true" : "false", dataset: { field: f.name },
      onclick: () => { field = f.name; load(); } }, f.label)));
}

// The procedure screen: what to bring, fee, time limit, take a number.
const page = kiosk.addScreen("procedure", {
  onShow(p) {
    current = p;
    render(p);
  },
  onBack: () => kiosk.show("catalogue"),
  speak: () => current ? [current.name, "Lệ phí: " + (current.fee || "không ghi"), "Thời hạn: " + (current.time_limit || "không ghi")] : [],
});
page.classList.add("procedure");

function render(p) {
  const svc = kiosk.state && kiosk.state.services.find((s) => s.id === p.service);
  const papers = p.papers || [];
  fill(page,
    el("div", { class: "cat-top" },
      el("button", { class: "back", type: "button", id: "proc-back", onclick: () => kiosk.show("catalogue") }, "← Danh sách"),
      el("p", { class: "code" }, `${p.field} · mã ${p.code}`)),
    el("h1", { id: "proc-name" }, p.name),
    el("h2", {}, "Giấy tờ cần chuẩn bị"),
    el("p", { class: "cat-hint" }, "Chạm để đánh dấu giấy tờ quý khách đã có."),
    el("ul", { id: "proc-papers", class: "papers" }, papers.map((x) =>
      el("li", {},
        el("button", { type: "button", class: "paper" + (x.vneid ? " vneid" : ""), "aria-pressed": "false",
          onclick: (e) => e.currentTarget.setAttribute("aria-pressed", e.currentTarget.getAttribute("aria-pressed") === "true" ? "false" : "true") },
          el("span", { class: "box", "aria-hidden": "true" }),
          el("span", { class: "text" },
            el("span", { class: "pname" }, x.name + (x.copies > 1 ? ` (${x.copies} bản)` : "")),
            x.note ? el("small", {}, x.note) : null,
            x.vneid ? el("span", { class: "badge" }, "Có trên VNeID – không cần mang bản giấy") : null))))),
    papers.length ? null : el("p", {}, "Danh mục không ghi giấy tờ cho thủ tục này; xin hỏi cán bộ ở quầy."),
    el("dl", { class: "facts" },
      el("dt", {}, "Lệ phí"), el("dd", { id: "proc-fee" }, p.fee || "Không ghi"),
      el("dt", {}, "Thời hạn giải quyết"), el("dd", { id: "proc-time" }, p.time_limit || "Không ghi"),
      el("dt", {}, "Nơi nhận"), el("dd", {}, svc ? svc.name : p.service),
      p.online_url ? [el("dt", {}, "Nộp trực tuyến"), el("dd", {}, p.online_url)] : null),
    el("button", { type: "button", id: "proc-take", class: "take", disabled: svc ? false : true,
      onclick: () => take(p, svc) }, "Lấy số cho thủ tục này"),
    svc ? null : el("p", { class: "cat-hint" }, "Thủ tục này chưa có quầy nhận ở đây; xin hỏi cán bộ."),
  );
}

async function take(p, svc) {
  const priority = $("#priority") && $("#priority").getAttribute("aria-pressed") === "true";
  const t = await kiosk.issue({ procedure: p.code, priority }, `${svc ? svc.name : ""} – ${p.name}`);
  if (!t && kiosk.current() === "procedure") $("#proc-take").focus();
}

// The entry shows only when the office has a catalogue.
api("GET", "/api/v1/catalogue").then((res) => {
  window.motcuaKiosk.catalogueChecked = true;
  if (!res || !res.ok || !res.data.procedures) return;
  kiosk.addEntry({
    id: "catalogue",
    label: "Tra cứu thủ tục",
    hint: "giấy tờ cần mang, lệ phí, thời hạn",
    onclick: () => kiosk.show("catalogue"),
  });
});
