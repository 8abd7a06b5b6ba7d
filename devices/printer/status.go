package printer

import "motcua/devices/escpos"

// Level is how bad a printer status is, as the API's device status.
type Level string

// Levels.
const (
	LevelOK      Level = "ok"
	LevelWarning Level = "warning"
	LevelError   Level = "error"
)

// Status is the state of a printer as the operator sees it.
type Status struct {
	Level    Level
	Code     string        // stable, snake_case: see the Code constants
	Detail   string        // Vietnamese, for the kiosk staff
	DetailEN string        // English, for logs and integrators
	Printer  escpos.Status // the last decoded printer status (zero if none)
	Err      error         // the transport error behind unplugged/no_answer, if any
}

// Status codes.
const (
	CodeOK        = "ok"
	CodePaperLow  = "paper_low"
	CodePaperOut  = "paper_out"
	CodeCoverOpen = "cover_open"
	CodeOffline   = "offline"
	CodeFault     = "fault"
	CodeUnplugged = "unplugged"
	CodeNoAnswer  = "no_answer"
	CodeNoStatus  = "no_status" // the port cannot read status: printing blind
	CodeStarting  = "starting"
)

// Ready reports whether jobs may be sent.
func (s Status) Ready() bool {
	return s.Code == CodeOK || s.Code == CodePaperLow || s.Code == CodeNoStatus
}

func statusOf(p escpos.Status) Status {
	st := func(l Level, code, vi, en string) Status {
		return Status{Level: l, Code: code, Detail: vi, DetailEN: en, Printer: p}
	}
	switch {
	case p.CoverOpen:
		return st(LevelError, CodeCoverOpen, "Nắp máy in đang mở: hãy đóng nắp", "printer cover open: close it")
	case p.PaperOut:
		return st(LevelError, CodePaperOut, "Máy in hết giấy: hãy thay cuộn giấy mới", "printer out of paper: load a new roll")
	case p.Unrecover:
		return st(LevelError, CodeFault, "Máy in bị lỗi: hãy tắt rồi bật lại máy in", "printer fault (unrecoverable): power it off and on")
	case p.CutterError:
		return st(LevelError, CodeFault, "Dao cắt giấy bị kẹt: hãy mở nắp gỡ giấy kẹt", "paper cutter error: open the cover and clear the jam")
	case p.Error:
		return st(LevelError, CodeFault, "Máy in báo lỗi", "printer reports an error")
	case p.Offline:
		return st(LevelError, CodeOffline, "Máy in đang ngoại tuyến", "printer offline")
	case p.PaperNearEnd:
		return st(LevelWarning, CodePaperLow, "Giấy sắp hết: chuẩn bị cuộn giấy mới", "paper roll near its end: have a new roll ready")
	}
	return st(LevelOK, CodeOK, "", "")
}

func statusUnplugged(err error) Status {
	return Status{Level: LevelError, Code: CodeUnplugged, Detail: "Không kết nối được máy in: kiểm tra cáp và nguồn",
		DetailEN: "printer not connected: check cable and power", Err: err}
}

func statusNoAnswer() Status {
	return Status{Level: LevelError, Code: CodeNoAnswer, Detail: "Máy in không trả lời: kiểm tra nguồn máy in",
		DetailEN: "printer does not answer: check that it is on", Err: ErrNoAnswer}
}

func statusNoStatus() Status {
	return Status{Level: LevelOK, Code: CodeNoStatus, Detail: "Không đọc được trạng thái máy in",
		DetailEN: "this port cannot read printer status; printing without checks"}
}
