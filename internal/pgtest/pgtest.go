// Package pgtest starts a real PostgreSQL server for tests: Debian's
// binaries (package postgresql, /usr/lib/postgresql/*/bin), a cluster
// made by initdb in a temporary directory, listening on a free loopback
// port, run as the user postgres when the tests run as root (PostgreSQL
// refuses root). Stop stops it and removes the directory.
package pgtest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

// ErrNoPostgres is returned by [Start] when PostgreSQL is not installed.
var ErrNoPostgres = errors.New("pgtest: PostgreSQL is not installed (apt-get install postgresql)")

// Server is a running PostgreSQL cluster.
type Server struct {
	bin, dir string
	port     int
	cred     *syscall.Credential
	admin    *sql.DB
	n        atomic.Int64
}

// Start initialises and starts a cluster. It takes a few seconds.
func Start() (*Server, error) {
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(bins) == 0 {
		if p, err := exec.LookPath("initdb"); err == nil {
			bins = []string{p}
		}
	}
	if len(bins) == 0 {
		return nil, ErrNoPostgres
	}
	slices.SortFunc(bins, func(a, b string) int { return version(b) - version(a) })
	s := &Server{bin: filepath.Dir(bins[0])}
	dir, err := os.MkdirTemp("", "pgtest-")
	if err != nil {
		return nil, fmt.Errorf("pgtest: %w", err)
	}
	s.dir = dir
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			s.Stop()
			return nil, fmt.Errorf("pgtest: running as root needs the user postgres: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		s.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(dir, uid, gid); err != nil {
			s.Stop()
			return nil, fmt.Errorf("pgtest: %w", err)
		}
	}
	port, err := freePort()
	if err != nil {
		s.Stop()
		return nil, err
	}
	s.port = port
	data := filepath.Join(dir, "data")
	if err := s.run("initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync", "--locale=C"); err != nil {
		s.Stop()
		return nil, err
	}
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=300", port, dir)
	if err := s.run("pg_ctl", "-D", data, "-l", filepath.Join(dir, "log"), "-w", "-t", "120", "-o", opts, "start"); err != nil {
		s.Stop()
		return nil, err
	}
	s.admin, err = sql.Open("pgx", s.URL("postgres"))
	if err == nil {
		_, err = s.admin.Exec("CREATE DATABASE tests")
	}
	if err != nil {
		s.Stop()
		return nil, fmt.Errorf("pgtest: connecting: %w", err)
	}
	return s, nil
}

// version is the major version in a path /usr/lib/postgresql/N/bin/...
func version(path string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(path))))
	return n
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("pgtest: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// run runs one of PostgreSQL's programs as the cluster's owner.
func (s *Server) run(name string, args ...string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(s.bin, name), args...)
	cmd.Dir = s.dir
	if s.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: s.cred}
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		log, _ := os.ReadFile(filepath.Join(s.dir, "log"))
		return fmt.Errorf("pgtest: %s: %w\n%s\n%s", name, err, out, log)
	}
	return nil
}

// URL is the URL of database db on the server.
func (s *Server) URL(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", s.port, db)
}

// NewSchema creates an empty schema in the database "tests" and returns
// a URL whose connections use it: as good as a database of its own for a
// test, and made in milliseconds where CREATE DATABASE takes a second.
func (s *Server) NewSchema() (string, error) {
	name := fmt.Sprintf("t%d", s.n.Add(1))
	db, err := sql.Open("pgx", s.URL("tests"))
	if err != nil {
		return "", fmt.Errorf("pgtest: %w", err)
	}
	defer db.Close()
	if _, err := db.Exec("CREATE SCHEMA " + name); err != nil {
		return "", fmt.Errorf("pgtest: %w", err)
	}
	return s.URL("tests") + "&search_path=" + name, nil
}

// Stop stops the server at once and removes its files.
func (s *Server) Stop() error {
	var err error
	if s.admin != nil {
		s.admin.Close()
	}
	if _, serr := os.Stat(filepath.Join(s.dir, "data", "postmaster.pid")); serr == nil {
		err = s.run("pg_ctl", "-D", filepath.Join(s.dir, "data"), "-m", "immediate", "-w", "stop")
	}
	return errors.Join(err, os.RemoveAll(s.dir))
}
