package voice

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"motcua/kiosk/voice/internal/pcm"
)

// The kiosk's spoken guidance (for citizens who cannot read the screen)
// is built from the clips below, the number words and the letters: the
// kiosk page asks for a list of parts ([Voice.GuideWAV]) and plays the
// answer on the kiosk's own audio output.
const (
	clipGuideOn       clip = "guide-on"
	clipGuideOff      clip = "guide-off"
	clipChooseService clip = "guide-choose-service"
	clipServiceNo     clip = "guide-service-no"
	clipPeopleWaiting clip = "guide-people-waiting"
	clipNoneWaiting   clip = "guide-none-waiting"
	clipNoCounter     clip = "guide-no-counter"
	clipPriority      clip = "guide-priority"
	clipLargeText     clip = "guide-large-text"
	clipGuide         clip = "guide-guide"
	clipSelected      clip = "guide-selected"
	clipNotSelected   clip = "guide-not-selected"
	clipYourNumber    clip = "guide-your-number"
	clipPriorityShort clip = "guide-priority-short"
	clipAhead         clip = "guide-ahead"
	clipPeople        clip = "guide-people"
	clipNext          clip = "guide-next"
	clipNotOpen       clip = "guide-not-open"
	clipTakeTicket    clip = "guide-take-ticket"
	clipPrintFailed   clip = "guide-print-failed"
	clipDone          clip = "guide-done"
	clipFailed        clip = "guide-failed"
	clipCatalogue     clip = "guide-catalogue"
	clipCheckin       clip = "guide-checkin"
	clipIDCard        clip = "guide-idcard"
)

// guideText is what each guidance clip says.
var guideText = map[clip]string{
	clipGuideOn:       "Đã bật hướng dẫn. Phím mũi tên để nghe, phím OK để chọn.",
	clipGuideOff:      "Đã tắt hướng dẫn.",
	clipChooseService: "Xin chọn lĩnh vực.",
	clipServiceNo:     "lĩnh vực số",
	clipPeopleWaiting: "người đang chờ",
	clipNoneWaiting:   "không có ai đang chờ",
	clipNoCounter:     "quầy chưa mở",
	clipPriority:      "Diện ưu tiên.",
	clipLargeText:     "Chữ to.",
	clipGuide:         "Hướng dẫn.",
	clipSelected:      "đang chọn",
	clipNotSelected:   "chưa chọn",
	clipYourNumber:    "Số của quý khách là",
	clipPriorityShort: "ưu tiên",
	clipAhead:         "Trước quý khách còn",
	clipPeople:        "người",
	clipNext:          "Quý khách là người tiếp theo.",
	clipNotOpen:       "Chưa có quầy mở, xin chờ.",
	clipTakeTicket:    "Xin nhận phiếu phía dưới.",
	clipPrintFailed:   "Máy in bị lỗi, xin nhớ số này.",
	clipDone:          "Xong.",
	clipFailed:        "Không lấy được số.",
	clipCatalogue:     "Tra cứu thủ tục.",
	clipCheckin:       "Tôi đã đặt lịch.",
	clipIDCard:        "Lấy số bằng thẻ căn cước.",
}

// guideOrder lists the guidance clips in the order [Clips] reports them.
var guideOrder = []clip{
	clipGuideOn, clipGuideOff, clipChooseService, clipServiceNo, clipPeopleWaiting,
	clipNoneWaiting, clipNoCounter, clipPriority, clipLargeText, clipGuide,
	clipSelected, clipNotSelected, clipYourNumber, clipPriorityShort, clipAhead,
	clipPeople, clipNext, clipNotOpen, clipTakeTicket, clipPrintFailed, clipDone,
	clipFailed, clipCatalogue, clipCheckin, clipIDCard,
}

// ServiceClip is the file name (without ".wav") of the optional clip that
// says the name of the service with this id, such as "service-dat-dai".
// A pack may hold one per service; without it, guidance says the
// service's place on the screen ("thủ tục số hai").
func ServiceClip(id string) string { return "service-" + id }

// MaxGuideParts is the most parts one [Voice.GuideWAV] takes.
const MaxGuideParts = 40

// GuideWAV builds one spoken guidance from parts, in order, with short
// pauses between them, as a 16-bit mono WAV at [Voice.SampleRate]. A part
// is one of
//
//   - the name of a clip of the pack, such as "guide-your-number";
//   - "n:N", the number N (0 ≤ N ≤ 999 999) read as words;
//   - "t:A023", a ticket number read as in a call (letters, then number);
//   - "s:ID:N", the service ID by its clip ([ServiceClip]) when the pack
//     has one, else "thủ tục số" and N, its place on the screen.
//
// It returns the WAV and the clips it is made of, in order (for logs and
// tests). An unknown part is an error wrapping [ErrGuide].
func (v *Voice) GuideWAV(parts []string) ([]byte, []string, error) {
	if len(parts) == 0 || len(parts) > MaxGuideParts {
		return nil, nil, fmt.Errorf("%w: %d parts; give 1 to %d", ErrGuide, len(parts), MaxGuideParts)
	}
	var items []item
	gap := func(d time.Duration) { items = append(items, item{gap: d}) }
	gap(gapLeadIn)
	for i, p := range parts {
		if i > 0 {
			gap(gapPart)
		}
		switch {
		case strings.HasPrefix(p, "n:"):
			n, err := strconv.Atoi(p[2:])
			if err != nil || n < 0 || n > maxWords {
				return nil, nil, fmt.Errorf("%w: %q is not a number from 0 to %d", ErrGuide, p, maxWords)
			}
			for j, c := range v.reading.numberWords(n) {
				if j > 0 {
					gap(gapWord)
				}
				items = append(items, item{c: c})
			}
		case strings.HasPrefix(p, "t:"):
			t, err := parseTicket(p[2:])
			if err != nil {
				return nil, nil, err
			}
			for j, l := range t.letters {
				if j > 0 {
					gap(gapLetters)
				}
				items = append(items, item{c: l.clip})
			}
			if len(t.letters) > 0 {
				gap(gapComma)
			}
			items = append(items, v.reading.numberItems(t)...)
		case strings.HasPrefix(p, "s:"):
			id, pos, ok := strings.Cut(p[2:], ":")
			n, err := strconv.Atoi(pos)
			if !ok || err != nil || n < 1 || n > maxWords {
				return nil, nil, fmt.Errorf("%w: %q is not s:ID:PLACE", ErrGuide, p)
			}
			if c := clip(ServiceClip(id)); v.clips[c] != nil {
				items = append(items, item{c: c})
				break
			}
			items = append(items, item{c: clipServiceNo}, item{gap: gapWord})
			for j, c := range v.reading.numberWords(n) {
				if j > 0 {
					gap(gapWord)
				}
				items = append(items, item{c: c})
			}
		default:
			if v.clips[clip(p)] == nil {
				return nil, nil, fmt.Errorf("%w: no clip %q", ErrGuide, p)
			}
			items = append(items, item{c: clip(p)})
		}
	}
	gap(gapTail)
	n := 0
	var names []string
	for _, it := range items {
		if it.c != "" {
			n += len(v.clips[it.c])
			names = append(names, string(it.c))
		} else {
			n += v.silence(it.gap)
		}
	}
	out := make([]byte, pcm.HeaderSize+n)
	pcm.AppendHeader(out[:0], v.rate, n)
	at := pcm.HeaderSize
	for _, it := range items {
		if it.c != "" {
			at += copy(out[at:], v.clips[it.c])
		} else {
			at += v.silence(it.gap)
		}
	}
	return out, names, nil
}

// gapPart is the pause between two parts of a guidance.
const gapPart = 250 * time.Millisecond

// GuideHandler serves [Voice.GuideWAV] for the kiosk page:
// GET ?say=guide-your-number,t:A023 answers 200 audio/wav with the header
// X-Motcua-Clips naming the clips played, space-separated; bad parts
// answer 400 with the API's error body, code "bad_guide".
// Authentication is the caller's business: wrap the handler.
func (v *Voice) GuideHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			httpError(w, http.StatusMethodNotAllowed, "method_not_allowed", "use GET")
			return
		}
		wav, clips, err := v.GuideWAV(strings.Split(r.URL.Query().Get("say"), ","))
		if err != nil {
			httpError(w, http.StatusBadRequest, "bad_guide", err.Error()+"; pass say=guide-your-number,t:A023")
			return
		}
		w.Header().Set("Content-Type", "audio/wav")
		w.Header().Set("Content-Length", strconv.Itoa(len(wav)))
		w.Header().Set("Cache-Control", "private, max-age=300")
		w.Header().Set("X-Motcua-Clips", strings.Join(clips, " "))
		if r.Method == http.MethodHead {
			return
		}
		w.Write(wav) //nolint:errcheck // the client went away; nothing to do
	})
}
