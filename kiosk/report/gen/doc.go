// Package gen writes a realistic, seeded history of a one-stop office
// into an event log, by driving the real queue engine with a simulated
// clock: citizens arrive with a morning peak, officers open their
// counters, call, recall, serve, skip no-shows, transfer, pause for lunch
// and meetings, and citizens rate. The same seed gives the same log.
// The report benchmarks use it; so can a person trying the reports
// (see the motcua-gen command in this directory).
package gen
