package receiver

import (
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"time"

	"motcua/uplinkproto"
)

// vnZone is the time of the fleet page: Vietnam has one zone and no
// daylight saving.
var vnZone = time.FixedZone("ICT", 7*3600)

var fleetFuncs = template.FuncMap{
	"level": func(l string) string {
		switch l {
		case uplinkproto.LevelOK:
			return "Tốt"
		case uplinkproto.LevelWarning:
			return "Cảnh báo"
		case uplinkproto.LevelError:
			return "Lỗi"
		}
		return "Không có"
	},
	"paper": func(p string) string {
		switch p {
		case uplinkproto.PaperOK:
			return "Còn giấy"
		case uplinkproto.PaperLow:
			return "Sắp hết giấy"
		case uplinkproto.PaperOut:
			return "Hết giấy"
		case uplinkproto.PaperUnknown:
			return "Không rõ"
		}
		return "Không có máy in"
	},
	"alert": func(a string) string {
		switch a {
		case AlertOffline:
			return "Mất kết nối"
		case AlertPaperOut:
			return "Máy in hết giấy"
		case AlertDiskLow:
			return "Ổ đĩa sắp đầy"
		case AlertUnsynced:
			return "Đồng hồ chưa đồng bộ"
		}
		return a
	},
	"when": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.In(vnZone).Format("02/01 15:04")
	},
	"whenText": func(s string) string {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return "—"
		}
		return t.In(vnZone).Format("02/01 15:04")
	},
	"bytes": func(n int64) string {
		if n >= 10<<30 {
			return fmt.Sprintf("%d GiB", n>>30)
		}
		return fmt.Sprintf("%d MiB", n>>20)
	},
	"configState": func(st string) string {
		switch st {
		case uplinkproto.ConfigApplying:
			return "Đang áp dụng"
		case uplinkproto.ConfigApplied:
			return "Đã áp dụng"
		case uplinkproto.ConfigRejected:
			return "Bị từ chối"
		case uplinkproto.ConfigRolledBack:
			return "Đã khôi phục cấu hình cũ"
		}
		return st
	},
	"bad": func(s string) bool {
		return s == uplinkproto.LevelError || s == uplinkproto.PaperOut
	},
}

// fleetData is what the fleet page renders.
type fleetData struct {
	Units          []FleetUnit
	Online, Alerts int
	At             time.Time
}

var fleetTmpl = template.Must(template.New("fleet").Funcs(fleetFuncs).Parse(`<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="30">
<title>Các điểm một cửa: tình trạng thiết bị</title>
<style>
body{font-family:sans-serif;margin:0;padding:.5em 1em;color:#222}
h1{font-size:1.3em;margin:.3em 0}
.sum{margin:.3em 0 .8em}
table{border-collapse:collapse;width:100%;font-size:.9em}
th,td{border-bottom:1px solid #ddd;padding:.3em .4em;text-align:left;vertical-align:top}
th{background:#f3f3f3;position:sticky;top:0}
.up{color:#070;font-weight:bold}.down{color:#b00;font-weight:bold}
.bad{color:#b00;font-weight:bold}.warn{color:#a60}
.al{display:inline-block;background:#b00;color:#fff;border-radius:.3em;padding:0 .3em;margin:.1em 0;white-space:nowrap}
nav{float:right}nav a,nav input{margin-left:.8em}
@media (max-width:700px){
 table,tbody,tr,td{display:block;width:auto}
 thead{display:none}
 tr{border:1px solid #ccc;border-radius:.4em;margin:.5em 0;padding:.3em}
 td{border:0;padding:.15em .3em}
 td::before{content:attr(data-l) ": ";color:#666}
 td.unit::before{content:""}
 nav{float:none}
}
</style></head><body>
<nav><a href="/">Hàng chờ</a><a href="/api/fleet">JSON</a><form method="post" action="/logout" style="display:inline"><input type="submit" value="Đăng xuất"></form></nav>
<h1>Tình trạng các điểm một cửa</h1>
<p class="sum" id="summary">{{len .Units}} đơn vị · {{.Online}} trực tuyến · {{.Alerts}} cảnh báo · lúc {{when .At}}</p>
{{if not .Units}}<p>Chưa có đơn vị nào kết nối.</p>{{else}}
<table id="fleet"><thead><tr><th>Đơn vị</th><th>Kết nối</th><th>Phiên bản</th><th>Sự kiện cuối</th><th>Hàng chờ</th><th>Giấy in</th><th>Máy quét</th><th>Màn hình</th><th>Ổ đĩa trống</th><th>Đồng hồ</th><th>Cấu hình từ xa</th><th>Cảnh báo</th></tr></thead><tbody>
{{range .Units}}<tr id="u-{{.Unit}}">
<td class="unit"><b>{{.Unit}}</b>{{with .Name}}<br>{{.}}{{end}}</td>
<td data-l="Kết nối" class="online">{{if .Online}}<span class="up">● Trực tuyến</span>{{else}}<span class="down">○ Ngoại tuyến</span><br>từ {{when .SeenAt}}{{end}}</td>
{{with .Status}}<td data-l="Phiên bản">{{.Version}}</td>{{else}}<td data-l="Phiên bản">—</td>{{end}}
<td data-l="Sự kiện cuối">{{whenText .LastEvent}}</td>
{{with .Status}}<td data-l="Hàng chờ" class="queue">{{.Queue}}</td>
<td data-l="Giấy in" class="paper{{if bad .Paper}} bad{{end}}">{{paper .Paper}}</td>
<td data-l="Máy quét"{{if bad .Scanner}} class="bad"{{end}}>{{level .Scanner}}</td>
<td data-l="Màn hình"{{if bad .Displays}} class="bad"{{end}}>{{level .Displays}}</td>
<td data-l="Ổ đĩa trống">{{bytes .DiskFree}}</td>
<td data-l="Đồng hồ"{{if not .ClockSynced}} class="warn"{{end}}>{{if .ClockSynced}}Đã đồng bộ{{else}}Chưa đồng bộ{{end}}</td>
<td data-l="Cấu hình từ xa" class="config">{{with .Config.State}}<span{{if or (eq . "rejected") (eq . "rolled_back")}} class="bad"{{end}}>{{configState .}}</span>{{end}}{{with .Config.Reason}}<br><small>{{.}}</small>{{end}}{{if not .Config.State}}—{{end}}</td>
{{else}}<td data-l="Tình trạng" colspan="7">Chưa báo tình trạng (phiên bản cũ, hoặc chưa kết nối lại)</td>{{end}}
<td data-l="Cảnh báo" class="alerts">{{range .Alerts}}<span class="al">{{alert .Alert}} từ {{when .Since}}</span> {{else}}—{{end}}</td>
</tr>{{end}}</tbody></table>{{end}}
</body></html>`))

func (s *Server) fleetPage(w http.ResponseWriter, r *http.Request) {
	units, err := s.FleetView(r.Context())
	if err != nil {
		s.lg.Warn("receiver: fleet page", "err", err)
		http.Error(w, "the store cannot be read now; try again", http.StatusServiceUnavailable)
		return
	}
	d := fleetData{Units: units, At: s.clk.Now()}
	for _, u := range units {
		if u.Online {
			d.Online++
		}
		d.Alerts += len(u.Alerts)
	}
	secureHeaders(w)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fleetTmpl.Execute(w, d)
}

// apiFleet answers GET /api/fleet: every unit's health, its alerts and
// the thresholds in force.
func (s *Server) apiFleet(w http.ResponseWriter, r *http.Request) {
	units, err := s.FleetView(r.Context())
	if err != nil {
		apiError(w, http.StatusServiceUnavailable, "store_unavailable", err.Error())
		return
	}
	f := s.o.Fleet
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{
		"units": units,
		"thresholds": map[string]any{
			"offline_after_s":   f.OfflineAfter.Seconds(),
			"paper_out_after_s": f.PaperOutAfter.Seconds(),
			"unsynced_after_s":  f.UnsyncedAfter.Seconds(),
			"disk_low_bytes":    f.DiskLow,
		},
	})
}
