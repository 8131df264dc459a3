package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/bxdb/bxdb/driver"
)

// defaultListen is the address `bxdb serve` listens on without -listen.
const defaultListen = ":7466"

// cmdServe runs `bxdb serve [-listen ADDR] FILE`: it answers SYNC TABLE
// from other databases until interrupted (SIGINT, SIGTERM) or ctx is done.
// ready, when not nil, receives the listening address. A read-only FILE
// (mode=ro) is refused before anything starts: synchronization stores
// the rows peers send.
func cmdServe(ctx context.Context, args []string, stdout, stderr io.Writer, ready func(addr string)) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	listen := fs.String("listen", defaultListen, "TCP address to listen on")
	path, err := oneArg(fs, args)
	if err != nil {
		return err
	}
	cfg, err := driver.ParseDSN(path)
	if err != nil {
		return err
	}
	if cfg.Mode == driver.ModeReadOnly {
		return fmt.Errorf("serve %s: %w", cfg.Path, driver.ErrServeReadOnly)
	}
	if cfg.Mode == driver.ModeReadWriteCreate {
		cfg.Mode = driver.ModeReadWrite // serving a file that is not there is a typo
	}
	c, err := driver.NewConnector(cfg)
	if err != nil {
		return err
	}
	defer c.Close()
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "bxdb: serving %s on %s\n", cfg.Path, ln.Addr())
	if ready != nil {
		ready(ln.Addr().String())
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	logger := log.New(stderr, "bxdb: ", log.LstdFlags)
	return c.Serve(ctx, ln, logger.Printf)
}
