package receiver

import (
	"html/template"
	"net/http"
)

var pageTmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta http-equiv="refresh" content="5">
<title>motcua receiver</title>
<style>body{font-family:sans-serif;margin:1em}table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left}.down{color:#b00}.up{color:#070}</style>
</head><body><h1>motcua receiver</h1>
<form method="post" action="/logout"><input type="submit" value="Đăng xuất / Log out"></form>
{{if not .}}<p>No unit has connected yet.</p>{{end}}
{{range .}}<section><h2>{{.Unit}} {{if .Connected}}<span class="up">● connected</span>{{else}}<span class="down">○ not connected</span>{{end}}</h2>
<p>stored up to seq {{.Ack}}; behind by {{.LagEvents}} events; newest event {{printf "%.0f" .LagSecs}} s old{{if .Lost}}; <b class="down">{{.Lost}} events lost on the unit</b>{{end}}</p>
{{with .State}}<p>Day {{.Day}}, state at seq {{.Seq}}</p>
<table><tr><th>Service</th><th>Waiting</th></tr>{{range .Services}}<tr><td>{{.Name}}</td><td>{{range .Waiting}}{{.Number}} {{end}}</td></tr>{{end}}</table>
<table><tr><th>Counter</th><th>State</th><th>Serving</th></tr>{{range .Counters}}<tr><td>{{.Name}}</td><td>{{.State}}</td><td>{{with .Serving}}{{.Number}}{{end}}</td></tr>{{end}}</table>
<table><tr><th>Device</th><th>Status</th><th>Detail</th></tr>{{range .Devices}}<tr><td>{{.Name}}</td><td>{{.Status}}</td><td>{{.Detail}}</td></tr>{{end}}</table>
{{else}}<p>No snapshot yet.</p>{{end}}</section>{{end}}
</body></html>`))

func (s *Server) page(w http.ResponseWriter, r *http.Request) {
	secureHeaders(w)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	pageTmpl.Execute(w, s.Units())
}
