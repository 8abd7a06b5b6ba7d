// The dossiers (mã hồ sơ) of the ticket the counter serves: the list, and
// a field to link one more by typing it. A receipt scanned at the
// counter's scanner links its code without the page; the event brings it
// here. counter.js tells this module the served ticket on every render.
import { $, el, fill, api, errorText } from "/static/common.js";

let counter = 0;
let serving = null;

document.addEventListener("motcua:serving", (e) => {
  counter = e.detail.counter;
  serving = e.detail.serving;
  const form = $("#dossier-form");
  form.hidden = !serving;
  fill($("#dossier-list"), ((serving && serving.dossiers) || []).map((d) => el("li", { class: "dossier" }, d)));
});

$("#dossier-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const input = $("#dossier-code");
  const code = input.value.trim();
  if (!code || !serving) return;
  const r = await api("POST", `/api/v1/counters/${counter}/dossier`, { code });
  const msg = $("#msg");
  if (r && r.ok) {
    input.value = "";
    msg.textContent = `Đã gắn hồ sơ ${code.toUpperCase()}.`;
    msg.classList.remove("err");
  } else if (!r || r.status !== 401) {
    msg.textContent = r && r.data && r.data.error && r.data.error.code === "bad_dossier"
      ? "Mã hồ sơ không đúng dạng, ví dụ 000.00.12.H56-261203-0001."
      : errorText(r);
    msg.classList.add("err");
  }
});
