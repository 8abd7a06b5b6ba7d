package scanner

// Level is how bad a scanner status is, as the API's device status.
type Level string

// Levels.
const (
	LevelOK      Level = "ok"
	LevelWarning Level = "warning"
	LevelError   Level = "error"
)

// Status is the state of a scanner as the operator sees it.
type Status struct {
	Level    Level
	Code     string // stable, snake_case: see the Code constants
	Detail   string // Vietnamese, for the kiosk staff
	DetailEN string // English, for logs and integrators
	Err      error  // the error behind CodeUnplugged
}

// Status codes.
const (
	CodeOK        = "ok"
	CodeStarting  = "starting"
	CodeUnplugged = "unplugged"
)

func statusOK() Status { return Status{Level: LevelOK, Code: CodeOK} }

func statusStarting() Status {
	return Status{Level: LevelWarning, Code: CodeStarting, Detail: "Đang kết nối máy quét mã", DetailEN: "connecting to the scanner"}
}

func statusUnplugged(err error) Status {
	return Status{Level: LevelError, Code: CodeUnplugged, Detail: "Không kết nối được máy quét mã: kiểm tra cáp USB",
		DetailEN: "scanner not connected: check the USB cable", Err: err}
}
