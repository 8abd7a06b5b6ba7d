// Package web serves the pages of a motcua office: the ticket kiosk
// (/kiosk), the officer's counter page (/counter/{id}), the waiting-room
// board (/board), the rating tablet (/rate/{counter}) and the admin page
// (/admin).
//
// The pages are hand-written HTML, CSS and JavaScript embedded in the
// binary (static/); they need no framework, no CDN and no build step. They
// talk to the daemon only through the public API (/api/v1/...) and its
// websocket, and keep the page's token in an HttpOnly cookie: a start URL
// with ?token= is answered with the cookie and a redirect to the same URL
// without the token, so that tokens do not stay in address bars, history
// or screenshots.
//
// [Handler] is what daemon.Options.Pages takes. Besides the pages it serves
// a few small endpoints the pages need and the API does not have:
// /session (which role the page's token has, the unit's time zone),
// /voice/call.wav (the spoken call, from [Options].Voice),
// /voice/guide.wav (the kiosk's spoken guidance, from [Options].Guide),
// /kiosk/keys (the kiosk keypad's GPIO keys given to [Handler.Press], as
// server-sent events) and /admin/today.json (today's figures).
//
// The pages draw their text with DejaVu Sans subset to Latin and
// Vietnamese (static/*.woff2, see subset-fonts.sh) and shrink long
// numbers and names to fit their boxes.
package web
