// Package api is motcua's HTTP API: the JSON endpoints under /api/v1, the
// websocket, /healthz and /metrics, as the contract (docs/api.md) gives
// them. It authenticates role tokens, checks browser origins, limits
// ticket issuing per kiosk and source, and turns engine errors into
// {"error":{"code","message"}} answers.
package api
