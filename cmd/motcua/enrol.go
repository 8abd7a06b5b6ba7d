package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"motcua/kiosk/enrol"
	"motcua/receiver"
)

const enrolUsage = "motcua enrol -receiver URL (-code CODE | -code-file FILE) [-config FILE] [-token-file FILE]"

// enrolCmd provisions a new unit with a one-time code (docs/fleet.md).
func enrolCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("enrol", enrolUsage, stderr)
	base := fs.String("receiver", "", "the receiver's `URL` (https://receiver.tinh.gov.vn)")
	code := fs.String("code", "", "the one-time enrolment `code` the province's IT gave")
	codeFile := fs.String("code-file", "", "`file` holding the code instead (e.g. /boot/firmware/motcua-enrol.txt); deleted once enrolled")
	cfg := fs.String("config", "/etc/motcua/motcua.toml", "where the configuration `file` goes")
	token := fs.String("token-file", "/etc/motcua/uplink.token", "where the uplink token goes: the configuration's [uplink] token_file")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *base == "" || *code == "" && *codeFile == "" {
		fmt.Fprintln(stderr, "motcua enrol: give -receiver URL and -code CODE (or -code-file FILE)")
		fs.Usage()
		return errUsage
	}
	res, err := enrol.Enrol(ctx, enrol.Options{Receiver: *base, Code: *code, CodeFile: *codeFile, Config: *cfg, Token: *token, Group: "motcua"})
	if err != nil {
		return err
	}
	if res.CodeFileLeft != nil {
		fmt.Fprintf(stderr, "motcua enrol: the code is used; remove %s: %v\n", *codeFile, res.CodeFileLeft)
	}
	fmt.Fprintf(stdout, "enrolled as %s; %s and %s written. Start the daemon: sudo systemctl restart motcua\n", res.Unit, *cfg, *token)
	return nil
}

const enrolmentUsage = "motcua enrolment -receiver URL -operator-token-file FILE -unit ID -config FILE [-ttl 72h]"

// enrolmentCmd asks the receiver for a one-time enrolment code.
func enrolmentCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("enrolment", enrolmentUsage, stderr)
	base := fs.String("receiver", "", "the receiver's `URL`")
	tokenFile := fs.String("operator-token-file", "", "`file` holding an operator token of the receiver")
	unit := fs.String("unit", "", "the new unit's `id`")
	cfg := fs.String("config", "", "the unit's configuration `file`; its [uplink] token_file is where the unit writes its token (default /etc/motcua/uplink.token)")
	ttl := fs.Duration("ttl", receiver.DefaultEnrolTTL, "how long the code is valid (at most 720h)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *base == "" || *tokenFile == "" || *unit == "" || *cfg == "" {
		fmt.Fprintln(stderr, "motcua enrolment: give -receiver, -operator-token-file, -unit and -config")
		fs.Usage()
		return errUsage
	}
	tok, err := os.ReadFile(*tokenFile)
	if err != nil {
		return fmt.Errorf("enrolment: %w", err)
	}
	file, err := os.ReadFile(*cfg)
	if err != nil {
		return fmt.Errorf("enrolment: %w", err)
	}
	e, err := receiver.RequestEnrolment(ctx, *base, strings.TrimSpace(string(tok)), *unit, string(file), *ttl)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s\n(unit %s, valid until %s, once)\n", e.Code, e.Unit, e.ExpiresAt.Local().Format(time.DateTime))
	return nil
}
