package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"motcua/receiver"
)

// receiverCmd runs the reference uplink receiver.
func receiverCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("receiver", "motcua receiver -listen ADDR -data DIR [-tokens FILE]", stderr)
	listen := fs.String("listen", "127.0.0.1:8090", "`address` to serve on (/ingest for units, / for the page)")
	data := fs.String("data", "", "data `directory` of the receiver's database (required)")
	tokens := fs.String("tokens", "", "tokens `file`: lines \"unit-id token\" (default DIR/tokens)")
	verbose := fs.Bool("debug", false, "log more")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *data == "" {
		fmt.Fprintln(stderr, "motcua receiver: -data DIR is required")
		fs.Usage()
		return errUsage
	}
	if *tokens == "" {
		*tokens = filepath.Join(*data, "tokens")
	}
	toks, err := receiver.ReadTokens(*tokens)
	if err != nil {
		return err
	}
	log := newLogger(stderr, *verbose)
	srv, err := receiver.Open(ctx, receiver.Options{Dir: *data, Tokens: toks, Logger: log})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		srv.Close()
		return fmt.Errorf("listen on %s: %w", *listen, err)
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second, MaxHeaderBytes: 16 << 10}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	log.Info("motcua receiver serving", "addr", ln.Addr().String(), "units", len(toks), "data", *data)
	fmt.Fprintf(stdout, "motcua receiver: units connect to ws://%s/ingest; page http://%s/\n", ln.Addr(), ln.Addr())
	var runErr error
	select {
	case <-ctx.Done():
	case runErr = <-errc:
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err = hs.Shutdown(sctx) // websockets are hijacked: srv.Close ends them
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return errors.Join(runErr, err, srv.Close())
}
