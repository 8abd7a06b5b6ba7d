package voice

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
)

// Handler serves the WAV of one call for the board page:
// GET ?number=A023&counter=3 answers 200 audio/wav (counter may be left
// out for "xin mời"). A number the voice cannot read answers 400 with the
// API's error body, code "bad_number"; a counter that is not an integer,
// code "bad_counter". Authentication is the caller's business: wrap the
// handler.
func (v *Voice) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			httpError(w, http.StatusMethodNotAllowed, "method_not_allowed", "use GET")
			return
		}
		q := r.URL.Query()
		counter := 0
		if s := q.Get("counter"); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || checkCounter(n) != nil {
				httpError(w, http.StatusBadRequest, "bad_counter", fmt.Sprintf("counter must be a counter id from 1 to %d, such as 3", MaxCounter))
				return
			}
			counter = n
		}
		wav, err := v.CallWAV(q.Get("number"), counter)
		if err != nil {
			httpError(w, http.StatusBadRequest, "bad_number", err.Error()+"; pass number=A023")
			return
		}
		w.Header().Set("Content-Type", "audio/wav")
		w.Header().Set("Content-Length", strconv.Itoa(len(wav)))
		w.Header().Set("Cache-Control", "private, max-age=300")
		if r.Method == http.MethodHead {
			return
		}
		w.Write(wav) //nolint:errcheck // the client went away; nothing to do
	})
}

func httpError(w http.ResponseWriter, status int, code, msg string) {
	type detail struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(struct { //nolint:errcheck // as above
		Error detail `json:"error"`
	}{detail{code, msg}})
}
