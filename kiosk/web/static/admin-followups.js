// The day's ratings that are not satisfied, for follow-up (phản ánh, kiến
// nghị): GET /api/v1/ratings/follow-up, read on load and every 15 s.
import { $, el, fill, api, start } from "/static/common.js";

async function load() {
  const r = await api("GET", "/api/v1/ratings/follow-up");
  if (!r || !r.ok) return;
  const rows = r.data.follow_ups;
  fill($("#follow-ups"), rows.length
    ? rows.map((f) => el("tr", {},
      el("td", {}, f.at),
      el("td", {}, f.number),
      el("td", {}, [f.counter != null ? `Quầy ${f.counter}` : "", f.officer].filter(Boolean).join(" · ")),
      el("td", { class: "mono" }, (f.dossiers || []).join(", ") || "—"),
      el("td", {}, String(f.score), f.answers ? el("small", {}, " (" + f.answers.map((a) => `${a.question}: ${a.score}`).join("; ") + ")") : null),
      el("td", {}, f.reason || "—")))
    : el("tr", {}, el("td", { colspan: "6", class: "muted" }, "Không có")));
}

start("admin").then(() => {
  load();
  setInterval(load, 15000);
});
