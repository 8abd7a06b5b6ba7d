// Package report computes the figures of a one-stop office over a range
// of days from its event log, and writes them as CSV, XLSX, HTML or JSON.
//
// A report is built in two steps. First each queue day is summarised
// (summary.go): one record per ticket with its visits (a pass through a
// service's queue and a counter, ended by done, no-show or transfer), and
// the time each counter spent open, serving, idle and paused. A day that
// is over never changes, so its summary is cached in DATA_DIR/reports.db
// ([Cache], store.go); the current day is always read from the log. Then
// [Reporter.Report] folds the day summaries into rows grouped by day,
// month, service, counter or officer (report.go), and [Report.Write]
// formats them (columns.go, format.go, html.go). [Handler] serves the same
// reports over HTTP. docs/reports.md defines every figure.
//
// The package only reads the event log: [OpenLog] opens it read-only
// without the data directory's lock, beside a running daemon.
package report
